import { jsonNestingDepth, MAX_JSON_DEPTH } from "@bms/schemas";
import { redactText } from "@bms/security";
import { asScalar, buildJsonPath, type JsonPathSegment, lookupJsonPath, parseJsonPath } from "../json-path";
import type {
  BrowseEntry,
  PluginContext,
  PluginHealth,
  PointChange,
  PointErrorCode,
  PointIO,
  PointLabels,
  PointReading,
  PointWrite,
  WriteOutcome,
} from "../point-io";
import { freshForMs, retryAfterMs } from "./cache-headers";
import { HostGate } from "./host-gate";
import type { HttpConfig, HttpEndpoint } from "./http-config";

/** `http:<endpoint>/<json.path>`; without a path the whole answer must be a scalar. */
const HTTP_REF = /^http:([A-Za-z][A-Za-z0-9_-]{0,63})(?:\/(.*))?$/;
/** How often the scheduler looks for endpoints that are due. */
const TICK_MS = 250;

interface Failure {
  code: PointErrorCode;
  reason: string;
}

interface EndpointState {
  config: HttpEndpoint;
  url: URL;
  writeUrl?: URL;
  /** Sent with every request; never shown. */
  headers: Record<string, string>;
  document?: unknown;
  fetchedAt?: number;
  /** The last attempt's failure; cleared by a good answer. */
  failure?: Failure;
  attempted: boolean;
  /** A first poll has finished (with an answer or a failure): reads need not wait for one. */
  settled: boolean;
  nextDueAt: number;
  inFlight?: Promise<void>;
  requests: number;
  lastStatus?: number;
}

interface PointTarget {
  ref: string;
  endpoint: EndpointState;
  path: string;
  segments: JsonPathSegment[];
}

type ParsedRef = { ok: true; point: PointTarget } | { ok: false; reason: string };

interface Listener {
  points: PointTarget[];
  onChange: (changes: PointChange[]) => void;
  last: Map<string, string>;
}

class HttpStatusFailure extends Error {}

export class HttpPointIO implements PointIO {
  readonly protocol = "http";
  readonly capabilities = {
    priority: false,
    priorityArray: false,
    subscribe: true,
    browse: true,
    write: true,
  };

  private readonly endpoints = new Map<string, EndpointState>();
  private readonly gate: HostGate;
  private readonly listeners = new Set<Listener>();
  private readonly secrets: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private errors = 0;
  private lastMessageAt: number | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly config: HttpConfig,
    private readonly context: PluginContext,
    env: NodeJS.ProcessEnv,
  ) {
    this.gate = new HostGate(config.min_host_interval_ms, () => context.now());
    for (const endpoint of config.endpoints) {
      const url = new URL(endpoint.url);
      for (const [k, v] of Object.entries(endpoint.query)) url.searchParams.set(k, v);
      const headers: Record<string, string> = { accept: "application/json", ...endpoint.headers };
      const token = endpoint.bearer_token_env ? env[endpoint.bearer_token_env] : endpoint.bearer_token;
      if (endpoint.bearer_token_env && token === undefined)
        throw new Error(
          `http.endpoints ${endpoint.name}: the environment variable ${endpoint.bearer_token_env} is not set`,
        );
      if (token) {
        headers.authorization = `Bearer ${token}`;
        this.secrets.push(token);
      }
      for (const v of Object.values(endpoint.headers)) if (v.length >= 8) this.secrets.push(v);
      for (const v of Object.values(endpoint.query)) if (v.length >= 8) this.secrets.push(v);
      const state: EndpointState = {
        config: endpoint,
        url,
        headers,
        attempted: false,
        settled: false,
        nextDueAt: 0,
        requests: 0,
      };
      if (endpoint.write) state.writeUrl = new URL(endpoint.write.url ?? endpoint.url);
      this.endpoints.set(endpoint.name, state);
    }
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => this.pollDue(), TICK_MS);
    this.timer.unref();
    this.pollDue();
  }

  async read(refs: readonly string[]): Promise<PointReading[]> {
    if (this.shuttingDown)
      return refs.map(() => failed(this.context.now(), "busy", "the HTTP plugin is shutting down"));
    const targets = refs.map((ref) => this.parse(ref));
    const first = new Set<EndpointState>();
    for (const t of targets) if (t.ok && !t.point.endpoint.settled) first.add(t.point.endpoint);
    await Promise.all([...first].map((e) => this.refresh(e)));
    const now = this.context.now();
    return targets.map((t) => (t.ok ? this.reading(t.point, now) : failed(now, "invalid_ref", t.reason)));
  }

  async write(writes: readonly PointWrite[]): Promise<WriteOutcome[]> {
    return Promise.all(writes.map((w) => this.send(w)));
  }

  subscribe(refs: readonly string[], onChange: (changes: PointChange[]) => void): () => void {
    const points: PointTarget[] = [];
    for (const ref of refs) {
      const parsed = this.parse(ref);
      if (parsed.ok) points.push(parsed.point);
    }
    const listener: Listener = { points, onChange, last: new Map() };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Roots: the endpoints; inside one, the scalar leaves of its last answer (fetched now if never). */
  async browse(parentId?: string): Promise<BrowseEntry[]> {
    if (parentId === undefined) {
      return [...this.endpoints.values()].map((e) => ({
        id: `e:${e.config.name}`,
        name: e.config.name,
        kind: "device" as const,
        description: `${e.url.origin}${e.url.pathname}`,
        writable: e.config.write !== undefined,
      }));
    }
    const endpoint = this.endpoints.get(parentId.replace(/^e:/, ""));
    if (!endpoint) return [];
    if (!endpoint.settled) await this.refresh(endpoint);
    const now = this.context.now();
    if (endpoint.document === undefined) {
      const reason = endpoint.failure?.reason ?? "no answer yet";
      return [
        {
          id: `e:${endpoint.config.name}/`,
          name: "(answer)",
          kind: "point",
          ref: `http:${endpoint.config.name}`,
          reading: failed(now, endpoint.failure?.code ?? "timeout", reason),
        },
      ];
    }
    return leaves(endpoint.document).map((path) => {
      const ref = path ? `http:${endpoint.config.name}/${path}` : `http:${endpoint.config.name}`;
      const parsed = this.parse(ref);
      const entry: BrowseEntry = {
        id: ref,
        name: path || "(answer)",
        kind: "point",
        ref,
        writable: endpoint.config.write !== undefined,
      };
      if (parsed.ok) entry.reading = this.reading(parsed.point, now);
      const units = endpoint.config.units[path];
      if (units) entry.units = units;
      return entry;
    });
  }

  /** The units the plugins configuration gives a JSON path of an endpoint. */
  labels(ref: string): PointLabels | undefined {
    const parsed = this.parse(ref);
    const units = parsed.ok ? parsed.point.endpoint.config.units[parsed.point.path] : undefined;
    return units === undefined ? undefined : { units };
  }

  health(): PluginHealth {
    const states = [...this.endpoints.values()];
    const failing = states.filter((e) => e.failure).length;
    const health: PluginHealth = {
      protocol: "http",
      state:
        states.length === 0
          ? "disabled"
          : failing === 0
            ? "ok"
            : failing === states.length
              ? "down"
              : "degraded",
      connections: states.filter((e) => e.attempted && !e.failure).length,
      errors: this.errors,
      detail: {
        endpoints: states.map((e) => ({
          name: e.config.name,
          // Origin and path only: a query may hold an API key.
          url: `${e.url.origin}${e.url.pathname}`,
          state: !e.attempted ? "pending" : e.failure ? "failing" : "ok",
          requests: e.requests,
          last_status: e.lastStatus ?? null,
          last_ok_at: e.fetchedAt ?? null,
          next_poll_at: e.nextDueAt || null,
          error_code: e.failure?.code ?? null,
        })),
      },
    };
    if (this.lastMessageAt !== undefined) health.last_message_at = this.lastMessageAt;
    if (this.lastError !== undefined) health.last_error = this.lastError;
    return health;
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.timer);
    await Promise.all([...this.endpoints.values()].map((e) => e.inFlight?.catch(() => undefined)));
  }

  private pollDue(): void {
    if (this.shuttingDown) return;
    const now = this.context.now();
    for (const endpoint of this.endpoints.values())
      if (!endpoint.inFlight && endpoint.nextDueAt <= now) void this.refresh(endpoint);
  }

  /** One poll of an endpoint (joined if one is running); failures are recorded, never thrown. */
  private refresh(endpoint: EndpointState): Promise<void> {
    endpoint.inFlight ??= this.poll(endpoint).finally(() => {
      endpoint.inFlight = undefined;
      endpoint.settled = true;
      this.notify(endpoint);
    });
    return endpoint.inFlight;
  }

  private async poll(endpoint: EndpointState): Promise<void> {
    const interval = endpoint.config.interval_s * 1000;
    await this.gate.acquire(endpoint.url.host);
    const started = this.context.now();
    endpoint.attempted = true;
    endpoint.requests++;
    endpoint.nextDueAt = started + interval;
    try {
      const response = await fetch(endpoint.url, {
        headers: endpoint.headers,
        // A redirect could carry our token to another host: not followed.
        redirect: "manual",
        signal: AbortSignal.timeout(endpoint.config.timeout_ms),
      });
      endpoint.lastStatus = response.status;
      const now = this.context.now();
      if (!response.ok) {
        const retry = retryAfterMs(response.headers, Date.now());
        if (retry !== undefined) endpoint.nextDueAt = Math.max(endpoint.nextDueAt, now + retry);
        await response.body?.cancel();
        const waited = retry === undefined ? "" : `; asked to retry after ${Math.round(retry / 1000)} s`;
        throw new HttpStatusFailure(`HTTP ${response.status} ${response.statusText}${waited}`.trim());
      }
      const text = await readLimited(response, this.config.max_body_bytes);
      if (text === undefined) {
        this.fail(endpoint, {
          code: "decode_error",
          reason: `the answer is over ${this.config.max_body_bytes} bytes`,
        });
        return;
      }
      // Nothing a sensor reports nests this deep; refused before any walk of it can overflow the stack.
      if (jsonNestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        this.fail(endpoint, {
          code: "decode_error",
          reason: `the answer nests deeper than ${MAX_JSON_DEPTH} levels`,
        });
        return;
      }
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        this.fail(endpoint, { code: "decode_error", reason: "the answer is not JSON" });
        return;
      }
      const fresh = freshForMs(response.headers);
      if (fresh !== undefined) endpoint.nextDueAt = Math.max(endpoint.nextDueAt, now + fresh);
      endpoint.document = document;
      endpoint.fetchedAt = now;
      if (endpoint.failure)
        this.context.logger.info("http endpoint answers again", { endpoint: endpoint.config.name });
      endpoint.failure = undefined;
      this.lastMessageAt = now;
    } catch (error) {
      this.fail(endpoint, classify(error, endpoint));
    }
  }

  private fail(endpoint: EndpointState, failure: Failure): void {
    this.errors++;
    const reason = this.scrub(failure.reason);
    const before = endpoint.failure;
    endpoint.failure = { code: failure.code, reason };
    this.lastError = `${endpoint.config.name}: ${reason}`;
    // Warnings land in the event log: one when an endpoint starts failing (or fails differently), not one per poll.
    if (before?.code !== failure.code)
      this.context.logger.warn("http endpoint failed", {
        endpoint: endpoint.config.name,
        code: failure.code,
        reason,
      });
  }

  private reading(point: PointTarget, now: number): PointReading {
    const { endpoint } = point;
    if (endpoint.document === undefined || endpoint.fetchedAt === undefined) {
      const failure = endpoint.failure ?? { code: "timeout" as const, reason: "no answer yet" };
      return failed(now, failure.code, failure.reason);
    }
    const found = lookupJsonPath(endpoint.document, point.segments);
    if (!found.found) return failed(endpoint.fetchedAt, "decode_error", `no "${found.at}" in the answer`);
    const scalar = asScalar(found.value);
    if (!scalar.ok) return failed(endpoint.fetchedAt, "decode_error", scalar.message);
    const reading: PointReading = { value: scalar.value, quality: "good", timestamp: endpoint.fetchedAt };
    const maxAge = (endpoint.config.max_age_s ?? endpoint.config.interval_s * 3) * 1000;
    const age = now - endpoint.fetchedAt;
    if (endpoint.failure) {
      // The last answer failed: a recent good value is kept, flagged, rather than dropped at once.
      if (age > maxAge) return failed(now, endpoint.failure.code, endpoint.failure.reason);
      reading.quality = "uncertain";
      reading.code = endpoint.failure.code;
      reading.reason = `${endpoint.failure.reason}; last good answer ${Math.round(age / 1000)} s ago`;
    } else if (age > maxAge) {
      reading.quality = "uncertain";
      reading.code = "stale";
      reading.reason = `last answer ${Math.round(age / 1000)} s ago (max age ${maxAge / 1000} s)`;
    }
    return reading;
  }

  private notify(endpoint: EndpointState): void {
    if (this.listeners.size === 0) return;
    const now = this.context.now();
    for (const listener of this.listeners) {
      const changes: PointChange[] = [];
      for (const point of listener.points) {
        if (point.endpoint !== endpoint) continue;
        const reading = this.reading(point, now);
        const key = `${reading.quality}:${reading.code ?? ""}:${JSON.stringify(reading.value)}`;
        if (listener.last.get(point.ref) === key) continue;
        listener.last.set(point.ref, key);
        changes.push({ ref: point.ref, reading });
      }
      if (changes.length === 0) continue;
      try {
        listener.onChange(changes);
      } catch (error) {
        this.errors++;
        this.lastError = this.scrub(error instanceof Error ? error.message : String(error));
      }
    }
  }

  private parse(ref: string): ParsedRef {
    const m = HTTP_REF.exec(ref.trim());
    if (!m) return { ok: false, reason: `${ref.slice(0, 80)} is not http:<endpoint>/<json.path>` };
    const endpoint = this.endpoints.get(m[1] ?? "");
    if (!endpoint)
      return { ok: false, reason: `no HTTP endpoint named ${m[1]} in the plugins configuration` };
    const path = m[2] ?? "";
    const segments = parseJsonPath(path);
    if (!segments.ok) return { ok: false, reason: `path ${path}: ${segments.message}` };
    return { ok: true, point: { ref, endpoint, path, segments: segments.segments } };
  }

  private async send(write: PointWrite): Promise<WriteOutcome> {
    if (this.shuttingDown) return { ok: false, code: "busy", error: "the HTTP plugin is shutting down" };
    const parsed = this.parse(write.ref);
    if (!parsed.ok) return { ok: false, code: "invalid_ref", error: parsed.reason };
    const { endpoint, segments } = parsed.point;
    const method = endpoint.config.write?.method;
    if (!method || !endpoint.writeUrl)
      return {
        ok: false,
        code: "unsupported",
        error: `endpoint ${endpoint.config.name} has no write method configured`,
      };
    // As for MQTT: no priority array to release, so a relinquish sends nothing and succeeds.
    if (write.value === null) return { ok: true };
    await this.gate.acquire(endpoint.writeUrl.host);
    endpoint.requests++;
    try {
      const response = await fetch(endpoint.writeUrl, {
        method,
        headers: { ...endpoint.headers, "content-type": "application/json" },
        body: JSON.stringify(buildJsonPath(segments, write.value)),
        redirect: "manual",
        signal: AbortSignal.timeout(endpoint.config.timeout_ms),
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true };
      this.errors++;
      const error = `HTTP ${response.status} ${response.statusText}`.trim();
      const code: PointErrorCode =
        response.status >= 400 && response.status < 500 && response.status !== 429
          ? "write_denied"
          : response.status === 429
            ? "busy"
            : "device_error";
      return { ok: false, code, error };
    } catch (error) {
      this.errors++;
      const failure = classify(error, endpoint);
      return { ok: false, code: failure.code, error: this.scrub(failure.reason) };
    }
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("[redacted]");
    return redactText(out);
  }
}

function classify(error: unknown, endpoint: EndpointState): Failure {
  if (error instanceof HttpStatusFailure) {
    const status = endpoint.lastStatus ?? 0;
    return { code: status === 429 ? "busy" : "device_error", reason: error.message };
  }
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError")
    return { code: "timeout", reason: `no answer within ${endpoint.config.timeout_ms} ms` };
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === "ECONNREFUSED" || cause?.code === "ENOTFOUND" || cause?.code === "EHOSTUNREACH")
    return { code: "unreachable", reason: `${cause.code} ${endpoint.url.host}` };
  return {
    code: "unreachable",
    reason: cause?.message ?? (error instanceof Error ? error.message : String(error)),
  };
}

function failed(timestamp: number, code: PointErrorCode, reason: string): PointReading {
  return { value: null, quality: "bad", code, reason, timestamp };
}

async function readLimited(response: Response, limit: number): Promise<string | undefined> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await response.body?.cancel();
    return undefined;
  }
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The scalar leaves of an answer, as JSON paths (for browsing); capped, as people read them. */
function leaves(document: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown, path: string, depth: number) => {
    if (out.length >= 200) return;
    if (value !== null && typeof value === "object") {
      if (depth >= 6) return;
      if (Array.isArray(value))
        for (const [i, v] of value.slice(0, 20).entries()) walk(v, `${path}[${i}]`, depth + 1);
      else
        for (const [k, v] of Object.entries(value))
          if (!/[.[\]/]/.test(k)) walk(v, path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    out.push(path);
  };
  walk(document, "", 0);
  return out;
}
