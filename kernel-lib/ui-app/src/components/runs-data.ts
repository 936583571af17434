/** Loads the runs table: a small first page painted at once, the rest in large pages behind it, and quiet live reloads. */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, type Json, type RunItem } from '../api';
import { flatten } from '../format';
import { useRunEvents } from '../live';

/** A run as the table reads it: its config flattened once, not on every render. */
export interface Row {
  run: RunItem;
  config: { [key: string]: Json };
}

export interface RunsState {
  rows: Row[];
  /** True until the first page (of this filter and sort) has arrived. */
  loading: boolean;
  /** True while later pages are still coming. */
  more: boolean;
  error: Error | null;
}

const FIRST_PAGE = 200;
const PAGE = 5000;

const toRows = (runs: RunItem[]): Row[] => runs.map((run) => ({ run, config: flatten(run.config) }));

/** The runs matching `where`, in `sort` order; `retry` starts over after an error. */
export function useRuns(where: string, sort: string): RunsState & { retry: () => void } {
  const [state, setState] = useState<RunsState>({ rows: [], loading: true, more: false, error: null });
  const [attempt, setAttempt] = useState(0);
  const rowsRef = useRef<Row[]>([]);
  const control = useRef<{ abort: AbortController; busy: boolean; again: boolean } | null>(null);
  rowsRef.current = state.rows;

  const fetchAll = async (signal: AbortSignal, onPage: (rows: Row[], more: boolean) => void, first: number) => {
    let rows: Row[] = [];
    for (let more = true, limit = first; more; limit = PAGE) {
      const page = await api.runs({ where, sort, limit, offset: rows.length }, signal);
      rows = rows.concat(toRows(page.runs));
      more = page.more;
      onPage(rows, more);
    }
  };

  // A layout effect starts the request as soon as the page is in the DOM, not a frame later.
  useLayoutEffect(() => {
    const abort = new AbortController();
    control.current = { abort, busy: true, again: false };
    setState((s) => ({ ...s, loading: true, error: null }));
    fetchAll(abort.signal, (rows, more) => setState({ rows, loading: false, more, error: null }), FIRST_PAGE)
      .catch((error: Error) => abort.signal.aborted || setState({ rows: [], loading: false, more: false, error }))
      .finally(() => settle(abort));
    return () => abort.abort();
  }, [where, sort, attempt]);

  // A live reload fetches everything shown in large pages and swaps it in at once: no flash of a
  // short table, and the scroll position and selection (kept by the page) stay. Reloads never overlap:
  // a change during one asks for another after it.
  const reload = () => {
    const current = control.current;
    if (!current || current.abort.signal.aborted) return;
    if (current.busy) {
      current.again = true;
      return;
    }
    current.busy = true;
    let collected: Row[] = [];
    fetchAll(current.abort.signal, (rows) => (collected = rows), Math.min(Math.max(rowsRef.current.length, FIRST_PAGE), PAGE))
      .then(() => setState({ rows: collected, loading: false, more: false, error: null }))
      .catch((error: Error) => current.abort.signal.aborted || setState((s) => ({ ...s, error })))
      .finally(() => settle(current.abort));
  };
  const settle = (abort: AbortController) => {
    const current = control.current;
    if (current?.abort !== abort) return;
    current.busy = false;
    if (current.again) {
      current.again = false;
      reload();
    }
  };
  useRunEvents(reload);

  return { ...state, retry: () => setAttempt((n) => n + 1) };
}
