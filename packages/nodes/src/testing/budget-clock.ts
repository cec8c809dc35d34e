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
