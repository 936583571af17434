/** Live updates: one EventSource on /api/events shared by every listener, each told of `runs` changes at most once per interval. */
import { useEffect, useRef } from 'preact/hooks';
import { api } from './api';

type Listener = () => void;

/**
 * How long after the stream opens every listener is told once anyway. The server announces a
 * change against the version it read at its first poll, up to a second after a stream opens; a
 * run written between a page's load and then (or while the stream was down, before EventSource
 * reconnected by itself) would otherwise never show.
 */
const SETTLE_MS = 2000;

const listeners = new Set<Listener>();
let source: { events: EventSource; settle?: number } | undefined;

function notify(): void {
  for (const each of [...listeners]) each();
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!source) {
    const current: { events: EventSource; settle?: number } = { events: api.events() };
    current.events.addEventListener('runs', notify);
    current.events.addEventListener('open', () => {
      window.clearTimeout(current.settle);
      current.settle = window.setTimeout(notify, SETTLE_MS);
    });
    source = current;
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && source) {
      window.clearTimeout(source.settle);
      source.events.close();
      source = undefined;
    }
  };
}

/**
 * Calls `callback` when runs change (start, log, end), at most once per `intervalMs`: a burst of
 * events gives one call at once and one at the end of the interval, so the last change is never missed.
 */
export function useRunEvents(callback: () => void, intervalMs = 2000): void {
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    let last = 0;
    let timer: number | undefined;
    const fire = () => {
      timer = undefined;
      last = Date.now();
      latest.current();
    };
    const unsubscribe = subscribe(() => {
      if (timer !== undefined) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) fire();
      else timer = window.setTimeout(fire, wait);
    });
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
    };
  }, [intervalMs]);
}
