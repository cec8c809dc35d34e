import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, so tests start the programs exactly as `pnpm start` does. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process printed, for assertions and for failure messages. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (already printed or to come). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** The line that says the program is ready. */
  ready: RegExp;
  readyTimeoutMs?: number;
  name: string;
}

const running = new Set<RunningProcess>();
process.once("exit", () => {
  for (const p of running) p.child.kill("SIGKILL");
});

/** Starts a real program as a child process and waits until it prints its ready line. */
export async function startProcess(
  command: string,
  args: string[],
  options: StartOptions,
): Promise<RunningProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? "test", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.length > 2_000_000) text = text.slice(-1_000_000);
    for (const w of waiters) w();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      for (const w of waiters) w();
      resolve(code);
    }),
  );

  const handle: RunningProcess = {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          } else if (exitCode !== undefined) {
            cleanup();
            reject(
              new Error(
                `${options.name} exited (${exitCode}) before printing ${pattern}:\n${text.slice(-4000)}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `${options.name} did not print ${pattern} within ${timeoutMs} ms:\n${text.slice(-4000)}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      running.delete(handle);
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  running.add(handle);
  try {
    await handle.waitFor(options.ready, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    // The caller never gets a handle to stop, so a program that did not start in time must not live on
    // holding its fixed ports into the next test file.
    await handle.stop("SIGKILL");
    throw error;
  }
  return handle;
}

/** Runs a TypeScript entry point with the workspace's tsx, as the package scripts do. */
export function tsxArgs(entry: string, args: string[]): [string, string[]] {
  // BMS_CHILD_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the programs a bench starts:
  // Node refuses --cpu-prof in NODE_OPTIONS.
  const extra = process.env.BMS_CHILD_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  return [process.execPath, [...extra, "--import", "tsx", join(REPO_ROOT, entry), ...args]];
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `bms-${prefix}-`));
}
