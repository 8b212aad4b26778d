// Loads data for a page, keeps the last good value while refreshing, and refreshes on live events (at most once a second).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ServerToClientEvents } from '../protocol/socket-events';
import { useApp } from './app-context';

export interface Resource<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload(): void;
}

const LIVE_REFRESH_MS = 1_000;

export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[], liveEvents: readonly (keyof ServerToClientEvents)[] = []): Resource<T> {
  const { live } = useApp();
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current().then(
      (data) => mine === generation.current && setState({ data, error: null, loading: false }),
      (error: Error) => mine === generation.current && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
  }, []);

  // The caller lists what the loader depends on.
  useEffect(run, deps);

  useEffect(() => {
    if (liveEvents.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const schedule = () => {
      if (timer) return;
      const wait = Math.max(0, last + LIVE_REFRESH_MS - Date.now());
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        run();
      }, wait);
    };
    const offs = liveEvents.map((event) => live.on(event, schedule));
    // After a reconnect the missed changes are fetched once.
    offs.push(live.onReconnect(schedule));
    return () => {
      for (const off of offs) off();
      if (timer) clearTimeout(timer);
    };
  }, [live, run, liveEvents.join(',')]);

  return { ...state, reload: run };
}
