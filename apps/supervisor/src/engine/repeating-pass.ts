/**
 * Runs `pass` `firstDelayMs` from now, then again `intervalMs` after each pass ends: never two at once
 * however long one takes, on unref'd timers (it never holds the process open). Answers a stop that also
 * holds when it comes during a pass: the pass ends, and no next one is scheduled.
 */
export function repeatPasses(
  pass: () => Promise<unknown>,
  intervalMs: number,
  firstDelayMs: number,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (ms: number) => {
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = () => {
    // A pass reports its own failures; one that rejects anyway must not end the process, nor the passes.
    void pass()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) schedule(intervalMs);
      });
  };
  schedule(firstDelayMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
