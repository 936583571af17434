/** One API read for a page: its answer or its error, re-read when `deps` change, abandoned when the page goes. */
import { useEffect, useState } from 'preact/hooks';

export function useApi<T>(read: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data: T | null; error: Error | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    read(controller.signal).then(setData, (e: Error) => controller.signal.aborted || setError(e));
    return () => controller.abort();
  }, deps);
  return { data, error };
}
