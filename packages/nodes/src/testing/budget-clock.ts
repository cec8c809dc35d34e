import { ownThreadCpuMs } from "../sandbox/thread-cpu";

/**
 * How long `fn` kept this thread, for tests of a script's time budget: its wall time, unless the thread's
 * own CPU time was shorter. A budget counts the time the script ran (quickjs-sandbox.ts), so on a loaded
 * machine, where the OS may give the core to another process for a few hundred ms while the script runs,
 * the script ends later in wall time. A budget that failed to stop a runaway loop would overrun both
 * figures, so the test still catches it.
 */
export async function timeKept<T>(fn: () => T | Promise<T>): Promise<{ result: T; ms: number }> {
  const wall = performance.now();
  const cpu = ownThreadCpuMs();
  const result = await fn();
  const wallMs = performance.now() - wall;
  const cpuMs = ownThreadCpuMs() - cpu;
  return { result, ms: Number.isNaN(cpuMs) ? wallMs : Math.min(wallMs, cpuMs) };
}

/**
 * How long a hog of many small allocations may keep this thread before the memory ceiling stops it. The
 * interrupt handler cannot hurry it: QuickJS polls it every few thousand operations, and the first growth
 * of the WASM memory to its ceiling costs page faults (about 0.2 s on an idle box, 0.5-0.65 s of this
 * thread's CPU on a loaded one: 628 ms seen in a unit run beside five engineers' jobs, 2026-12-02). In
 * the supervisor the worker watchdog bounds it to the budget; in the thread that runs it, the ceiling
 * does. A ceiling that failed to stop the hog would run for ever, which this still catches.
 */
export const MEMORY_HOG_CEILING_MS = 1000;
