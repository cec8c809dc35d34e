import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withTimeout } from "./with-timeout";

class LateError extends Error {}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("withTimeout", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("answers what the promise answers, clears its timer and never makes the error", async () => {
    const made = vi.fn(() => new LateError("late"));
    const answer = deferred<number>();
    const guarded = withTimeout(answer.promise, 1_000, made);
    expect(vi.getTimerCount()).toBe(1);
    answer.resolve(7);
    await expect(guarded).resolves.toBe(7);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(made).not.toHaveBeenCalled();
  });

  it("passes the promise's own failure on, clears its timer and never makes the error", async () => {
    const made = vi.fn(() => new LateError("late"));
    const own = new Error("refused");
    const guarded = withTimeout(Promise.reject(own), 1_000, made);
    await expect(guarded).rejects.toBe(own);
    expect(vi.getTimerCount()).toBe(0);
    expect(made).not.toHaveBeenCalled();
  });

  it("rejects with the factory's error once the time is up, and ignores a late answer", async () => {
    const made = vi.fn(() => new LateError("no answer within 1000 ms"));
    const answer = deferred<string>();
    const guarded = withTimeout(answer.promise, 1_000, made);
    const outcome = guarded.then(
      () => "resolved",
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(made).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(LateError);
    expect((error as Error).message).toBe("no answer within 1000 ms");
    expect(made).toHaveBeenCalledTimes(1);
    answer.resolve("too late");
    await vi.advanceTimersByTimeAsync(0);
    expect(made).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
