import { spawn } from "node:child_process";
import { REPO_ROOT, tsxArgs } from "./processes";

/**
 * Runs a TypeScript entry (a path from the repository root) in a child process that prints a line
 * "running" once its timed work starts; with `stopMs`, stops it `stopAfterMs` after that line (a real
 * SIGSTOP, as a loaded machine's scheduler sets a process aside) and continues it (SIGCONT) `stopMs`
 * later. Resolves with the JSON object the child prints as its last line; rejects, with everything it
 * printed, if it exits non-zero or prints none. The time-budget tests of the script sandbox and of the
 * supervisor's script worker pool use it to prove a budget counts the time a script ran.
 */
export function runStoppedChild<T>(
  entry: string,
  args: readonly string[],
  options: { stopMs?: number; stopAfterMs?: number } = {},
): Promise<T> {
  const { stopMs, stopAfterMs = 15 } = options;
  return new Promise((resolve, reject) => {
    const [command, argv] = tsxArgs(entry, [...args]);
    const child = spawn(command, argv, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let stopped = false;
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (stopMs !== undefined && !stopped && out.includes("running\n")) {
        stopped = true;
        // A moment after the line, so the stop lands inside a run on an idle machine (a late one lands
        // in a later run, which the child reports as the one hit).
        setTimeout(() => {
          child.kill("SIGSTOP");
          setTimeout(() => child.kill("SIGCONT"), stopMs);
        }, stopAfterMs);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`child exited ${code}: ${out}${err}`));
      else resolve(JSON.parse(last) as T);
    });
  });
}
