import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const appDir = fileURLToPath(new URL("../../../", import.meta.url));

export interface RunningSim {
  proc: ChildProcess;
  webUrl: string;
  readyLine: string;
  stdout: string[];
  stderr: string[];
  api<T>(path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts `bms-sim` as a real child process (node --import tsx src/cli.ts ...) and resolves once it
 * prints `bms-sim ready <n> devices`. Always --web-port 0, so parallel files never collide.
 */
export async function startSim(args: string[], timeoutMs = 30_000): Promise<RunningSim> {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "--web-port", "0", ...args], {
    cwd: appDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, INIT_CWD: appDir },
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let webUrl = "";
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(
        new Error(
          `simulator not ready after ${timeoutMs} ms\nstdout: ${stdout.join("")}\nstderr: ${stderr.join("")}`,
        ),
      );
    }, timeoutMs);
    let buffered = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      stdout.push(chunk.toString());
      buffered += chunk.toString();
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const web = /^bms-sim web (http:\/\/\S+)$/.exec(line);
        if (web?.[1]) webUrl = web[1];
        if (/^bms-sim ready \d+ devices$/.test(line)) {
          clearTimeout(timer);
          resolve(line);
        }
        newline = buffered.indexOf("\n");
      }
    });
    proc.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(`simulator exited with ${code}\nstdout: ${stdout.join("")}\nstderr: ${stderr.join("")}`),
      );
    });
  });
  return {
    proc,
    webUrl,
    readyLine,
    stdout,
    stderr,
    async api<T>(path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${webUrl}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as T;
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
      return json;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
        setTimeout(() => proc.kill("SIGKILL"), 3000).unref();
      }),
  };
}
