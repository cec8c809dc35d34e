/**
 * The one seam between the supervisor and the field: every protocol (BACnet, Modbus TCP, MQTT, HTTP and
 * plugins loaded from a directory) implements `PointIO`, and the flow engine, the write manager, the watch
 * poller and the points routes reach devices only through the registry (`registry.ts`), never through a
 * protocol's own client. A second protocol is then one new folder under `src/protocols/`, not five edits.
 *
 * Refs are the canonical point-reference strings (`formatPointRef`); the registry routes each one to the
 * plugin named by its scheme (`bacnet:`, `modbus:`, `mqtt:`, `http:` ...), and each plugin parses its own.
 * Results come back in the order asked, one per ref: a plugin never throws for one bad point, it answers
 * that point with bad quality and a code.
 */
import type { Quality } from "@bms/schemas";

/**
 * One value as the field gives it. (Not `PointValue` of @bms/schemas: that is the API's response object
 * with point, quality and timestamp around a value like this one.)
 */
export type PointScalar = number | boolean | string | null;

/** Why a point is not good. Callers branch on the code, never on the message text. */
export type PointErrorCode =
  /** The ref does not parse for this protocol, or names something the plugin cannot address. */
  | "invalid_ref"
  /** No plugin is registered for the ref's scheme (or it is disabled). */
  | "no_plugin"
  /** The device or endpoint did not answer (after the plugin's retries). */
  | "timeout"
  /** The device is known to be down (backoff), so the request was not sent. */
  | "unreachable"
  /** The device answered with an error: unknown object or property, illegal data address ... */
  | "device_error"
  /** The device refused the write (write access denied, value out of range, read-only). */
  | "write_denied"
  /** A reply or payload arrived but could not be decoded (not JSON, wrong type, malformed frame). */
  | "decode_error"
  /** A subscribed value has not been refreshed within its configured age. */
  | "stale"
  /** Refused by a limit of ours (queue full, per-host minimum interval, plugin shutting down). */
  | "busy"
  /** The protocol cannot do that (a priority on MQTT, a write on an input register). */
  | "unsupported"
  /** The plugin itself failed (threw, or answered the wrong number of results): the registry contains it. */
  | "plugin_error";

export interface PointReading {
  /** A whole-array read (a BACnet priorityArray without an index) answers every element, in order. */
  value: PointScalar | PointScalar[];
  quality: Quality;
  /** For people: shown in the dashboard and the Designer beside a bad or uncertain value. */
  reason?: string;
  /** Set whenever quality is not good. */
  code?: PointErrorCode;
  /** When the value was read or received (ms since epoch, from the plugin context's clock). */
  timestamp: number;
}

export interface PointWrite {
  ref: string;
  /**
   * `null` relinquishes. BACnet writes NULL at the priority. A protocol without a priority array (Modbus,
   * MQTT, HTTP) has nothing to release: it sends nothing and answers ok, and the device keeps the last
   * value written. One rule for every plugin, because the write manager retries a refused relinquish at
   * every stop and deploy.
   */
  value: PointScalar;
  /** BACnet command priority 1..16; ignored by protocols without a priority array. */
  priority?: number;
  /** MQTT publish options; ignored elsewhere. */
  qos?: 0 | 1 | 2;
  retain?: boolean;
}

export interface WriteOutcome {
  ok: boolean;
  code?: PointErrorCode;
  error?: string;
}

export interface PointChange {
  ref: string;
  reading: PointReading;
}

/** How a plugin serves one subscribed ref (BACnet: `cov`, `pending`, or `poll` where the device refused). */
export interface SubscriptionStatus {
  ref: string;
  mode: string;
  reason?: string;
}

/** One entry of a browse tree: a device, a folder (topic level, register table) or a point. */
export interface BrowseEntry {
  /** Opaque to callers: passed back to `browse` to open this entry. */
  id: string;
  name: string;
  kind: "device" | "folder" | "point";
  /** For points: the ref a node binds to. */
  ref?: string;
  units?: string;
  writable?: boolean;
  description?: string;
  /** For points, when the plugin has one at hand (MQTT's last payload, a register's last value). */
  reading?: PointReading;
}

/**
 * How a point's value reads for people, from what a plugin already holds (its object cache, a register
 * profile, its configuration): never a request to the field. `units` is a BACnet engineering-unit name
 * (`degreesCelsius`) or a plain symbol (`kW`); `@bms/bacnet/display` formats both. The texts name the
 * states of a binary or multi-state value.
 */
export interface PointLabels {
  units?: string | undefined;
  state_text?: readonly string[] | undefined;
  active_text?: string | undefined;
  inactive_text?: string | undefined;
}

export interface PluginHealth {
  protocol: string;
  state: "ok" | "degraded" | "down" | "disabled";
  /** Open connections (TCP sessions, broker links) or known devices for connectionless protocols. */
  connections: number;
  /** Failed requests since start. */
  errors: number;
  /** Last message received from the field, ms since epoch. */
  last_message_at?: number;
  /** The last error, for people. Never holds a secret (URLs are shown without credentials). */
  last_error?: string;
  detail?: Record<string, unknown>;
}

export interface PointIOCapabilities {
  /** Writes carry a priority and can be relinquished (BACnet). */
  priority: boolean;
  /** `readPriorityArray` answers the 16 slots and the relinquish default. */
  priorityArray: boolean;
  subscribe: boolean;
  browse: boolean;
  write: boolean;
}

export interface PointIO {
  /** The ref scheme this plugin answers (`bacnet`, `modbus`, `mqtt`, `http`, ...). */
  readonly protocol: string;
  readonly capabilities: PointIOCapabilities;
  /** Opens sockets and connections. Failing to reach a device is health, not an exception. */
  start(): Promise<void>;
  /** One reading per ref, in order. Batches and paces as the protocol needs (RPM, register blocks). */
  read(refs: readonly string[]): Promise<PointReading[]>;
  /** One outcome per write, in order. */
  write(writes: readonly PointWrite[]): Promise<WriteOutcome[]>;
  /** Pushes changes (COV, MQTT messages). Returns the unsubscribe. Only when `capabilities.subscribe`. */
  subscribe?(refs: readonly string[], onChange: (changes: PointChange[]) => void): () => void;
  /** How `ref`'s value reads for people (units, state texts), from caches and configuration only. */
  labels?(ref: string): PointLabels | undefined;
  /** How each subscribed ref is served, when the plugin has more to say than "push". */
  subscriptions?(): SubscriptionStatus[];
  /** Lists the children of `parentId` (the roots when undefined). Only when `capabilities.browse`. */
  browse?(parentId?: string): Promise<BrowseEntry[]>;
  health(): PluginHealth;
  /** Closes everything; after it, reads answer `busy`. Relinquishing is the engine's job, done before. */
  shutdown(): Promise<void>;
}

/** What the supervisor hands a plugin when it creates one. */
export interface PluginContext {
  /** The plugin's own section of the plugins configuration file (validated by the plugin). */
  config: unknown;
  logger: {
    info(msg: string, data?: Record<string, unknown>): void;
    warn(msg: string, data?: Record<string, unknown>): void;
  };
  /** ms since epoch; tests inject a fake clock. */
  now(): number;
  /** A directory the plugin may keep files in (under the supervisor's data dir). */
  dataDir: string;
}

/**
 * What a plugin module exports (default export), for the built-in plugins and for the ones loaded from
 * the plugins directory alike.
 */
export interface PointIOPluginModule {
  /** Package-style name, shown in health and logs. */
  name: string;
  protocol: string;
  version: string;
  create(context: PluginContext): PointIO | Promise<PointIO>;
}
