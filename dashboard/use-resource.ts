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

/**
 * Delay before a live refresh: at least a second after the last load, longer when the server asks for
 * it (many dashboards open), plus up to a quarter of that at random so dashboards do not read in step.
 */
export function liveRefreshDelay(lastLoadAt: number, now: number, serverHintMs: number, random: number): number {
  const interval = Math.max(LIVE_REFRESH_MS, serverHintMs);
  const spread = interval > LIVE_REFRESH_MS ? random * interval * 0.25 : 0;
  return Math.max(0, lastLoadAt + interval - now) + spread;
}

export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[], liveEvents: readonly (keyof ServerToClientEvents)[] = []): Resource<T> {
  const { live, api } = useApp();
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback((refresh = false) => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    (refresh ? api.liveRefresh(loadRef.current) : loadRef.current()).then(
      (data) => mine === generation.current && setState({ data, error: null, loading: false }),
      (error: Error) => mine === generation.current && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
  }, [api]);

  // The caller lists what the loader depends on.
  useEffect(() => run(), deps);

  useEffect(() => {
    if (liveEvents.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    // The page has just loaded: its first live refresh is due one interval from now.
    let last = Date.now();
    const schedule = () => {
      if (timer) return;
      timer = setTimeout(
        () => {
          timer = null;
          last = Date.now();
          run(true);
        },
        liveRefreshDelay(last, Date.now(), live.refreshAfterMs, Math.random()),
      );
    };
    const offs = liveEvents.map((event) => live.on(event, schedule));
    // After a reconnect the missed changes are fetched once.
    offs.push(live.onReconnect(schedule));
    return () => {
      for (const off of offs) off();
      if (timer) clearTimeout(timer);
    };
  }, [live, run, liveEvents.join(',')]);

  return { ...state, reload: () => run() };
}
