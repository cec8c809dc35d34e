import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, type RunningProcess, startProcess, tempDir, tsxArgs } from "./processes";

export interface SimulatorHandle extends RunningProcess {
  webUrl: string;
  port: number;
  bind: string;
}

/** Writes a simulator site (the JSON `bms-sim --site` reads) into a fresh temporary directory; returns its path. */
export function writeSiteFile(prefix: string, site: unknown): string {
  const file = join(tempDir(prefix), "site.json");
  writeFileSync(file, JSON.stringify(site));
  return file;
}

/** Starts `bms-sim` on its own loopback address and UDP port; every test file picks distinct ones. */
export async function startSimulator(options: {
  site?: string;
  bind: string;
  port: number;
  devices?: number;
  speed?: number;
  extraArgs?: string[];
}): Promise<SimulatorHandle> {
  const args = [
    "--site",
    options.site ?? "skeleton",
    "--bind",
    options.bind,
    "--port",
    String(options.port),
    "--web-port",
    "0",
    ...(options.devices ? ["--devices", String(options.devices)] : []),
    ...(options.speed ? ["--speed", String(options.speed)] : []),
    ...(options.extraArgs ?? []),
  ];
  const [cmd, argv] = tsxArgs("apps/simulator/src/cli.ts", args);
  const proc = await startProcess(cmd, argv, {
    name: "simulator",
    cwd: join(REPO_ROOT, "apps/simulator"),
    ready: /bms-sim ready \d+ devices/,
  });
  const web = proc.output().match(/bms-sim web (http:\/\/\S+)/);
  if (!web?.[1]) throw new Error(`simulator did not print its web address:\n${proc.output()}`);
  return Object.assign(proc, { webUrl: web[1], port: options.port, bind: options.bind });
}

export interface SupervisorHandle extends RunningProcess {
  url: string;
  token: string;
  dataDir: string;
}

export interface SupervisorOptions {
  bacnetBind?: string;
  bacnetPort: number;
  broadcast: string;
  dataDir?: string;
  token?: string;
  env?: Record<string, string>;
  extraArgs?: string[];
  /**
   * Reads without a token (`--public-read`, as `pnpm start` runs it). On by default so the BACnet and
   * flow tests read as the demo does; the security tests turn it off to test the real default.
   */
  publicRead?: boolean;
}

/** Starts `bms-supervisor all` with a fresh (or given) data directory and an admin token. */
export async function startSupervisor(options: SupervisorOptions): Promise<SupervisorHandle> {
  const dataDir = options.dataDir ?? tempDir("supervisor");
  const token = options.token ?? "test-token-0123456789abcdef";
  const [cmd, argv] = tsxArgs("apps/supervisor/src/cli.ts", [
    "all",
    "--http-port",
    "0",
    "--http-host",
    "127.0.0.1",
    "--data-dir",
    dataDir,
    "--bacnet-bind",
    options.bacnetBind ?? "127.0.0.1",
    "--bacnet-port",
    String(options.bacnetPort),
    "--broadcast",
    options.broadcast,
    "--log-level",
    "warn",
    ...(options.publicRead === false ? [] : ["--public-read"]),
    ...(options.extraArgs ?? []),
  ]);
  const proc = await startProcess(cmd, argv, {
    name: "supervisor",
    cwd: join(REPO_ROOT, "apps/supervisor"),
    env: { BMS_SUPERVISOR_TOKEN: token, ...options.env },
    ready: /bms-supervisor listening (https?:\/\/\S+)/,
  });
  const url = proc.output().match(/bms-supervisor listening (https?:\/\/\S+)/)?.[1] ?? "";
  return Object.assign(proc, { url, token, dataDir });
}

/**
 * Headers `api()` sends to one base URL when it is given no token: a signed-in Designer registers its
 * session cookie, Origin and CSRF token here, so tests call its API as a signed-in browser would.
 */
const sessionHeaders = new Map<string, Record<string, string>>();

export function setSessionHeaders(base: string, headers: Record<string, string> | null): void {
  if (headers) sessionHeaders.set(base, headers);
  else sessionHeaders.delete(base);
}

/** JSON over HTTP with the bearer token (supervisor) or the registered session (Designer). */
export async function api<T = unknown>(
  base: string,
  path: string,
  options: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = options.token
    ? { ...options.headers }
    : { ...sessionHeaders.get(base), ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${base}${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: response.status, body: body as T };
}

/** A device as the supervisor's discovery lists it. */
export interface DiscoveredDevice {
  device_id: number;
  address: string;
  name: string;
  status: string;
  /** The route of a device behind a router (null on the supervisor's own B/IP network). */
  network?: number | null;
  mac?: number[] | null;
}

/**
 * Runs the supervisor's discovery (Who-Is, waiting for the answers) and returns `deviceId`'s entry. A
 * device that did not answer fails the setup with the whole answer, so the failure says what was found.
 */
export async function discoverDevice(
  sup: { url: string; token: string },
  deviceId: number,
  timeoutMs = 1500,
): Promise<DiscoveredDevice> {
  const found = await api<{ devices?: DiscoveredDevice[] }>(sup.url, "/api/devices/discover?wait=true", {
    body: { timeout_ms: timeoutMs },
    token: sup.token,
  });
  const device = found.body.devices?.find((d) => d.device_id === deviceId);
  if (!device) throw new Error(`device ${deviceId} not discovered: ${JSON.stringify(found.body)}`);
  return device;
}

/** Polls until `probe` returns a value that is not undefined, or fails with the last error. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ""}`);
}
