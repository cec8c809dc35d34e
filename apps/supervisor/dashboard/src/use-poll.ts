import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { sessionStore } from "./api/session";

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  /** When the last successful answer arrived (ms since epoch). */
  updatedAt: number | undefined;
  refresh(): void;
}

/**
 * Loads now and then every `intervalMs`, one request at a time (a slow Pi is never asked twice at once),
 * paused while the tab is hidden, and again at once when the sign-in changes. The last good data stays
 * on screen when a refresh fails, so a blip does not blank the page.
 */
export function usePoll<T>(
  load: () => Promise<T>,
  intervalMs: number,
  deps: readonly unknown[] = [],
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [updatedAt, setUpdatedAt] = useState<number | undefined>(undefined);
  const kick = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    let running = false;
    const tick = async () => {
      window.clearTimeout(timer);
      if (stopped || running) return;
      if (document.visibilityState === "hidden") {
        timer = window.setTimeout(tick, intervalMs);
        return;
      }
      running = true;
      try {
        const value = await load();
        if (stopped) return;
        setData(value);
        setError(undefined);
        setUpdatedAt(Date.now());
      } catch (e) {
        if (!stopped) setError(e);
      } finally {
        running = false;
        if (!stopped) timer = window.setTimeout(tick, intervalMs);
      }
    };
    kick.current = () => void tick();
    const onVisible = () => {
      if (document.visibilityState === "visible") void tick();
    };
    document.addEventListener("visibilitychange", onVisible);
    let signedIn = sessionStore.get().identity?.name;
    const unsubscribe = sessionStore.subscribe((state) => {
      if (state.identity?.name === signedIn) return;
      signedIn = state.identity?.name;
      void tick();
    });
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
      unsubscribe();
    };
  }, [intervalMs, ...deps]);

  const refresh = useCallback(() => kick.current(), []);
  return { data, error, updatedAt, refresh };
}

/** A clock that ticks every `ms`, so ages ("12 s ago") stay true between polls. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}
