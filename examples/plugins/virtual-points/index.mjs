// @ts-check
/**
 * Virtual points: a small, complete PointIO plugin (docs/plugins.md walks through it). Points are
 * named values held in memory and kept in the plugin's data directory, addressed as
 * `virtual:<name>` (`virtual:zone1/setpoint`): a place for a flow to leave a value another flow or
 * an operator reads, or for a commissioning engineer to stand in for a sensor not yet wired.
 *
 * Configuration (the "virtual" section of --plugins-config):
 *   { "points": { "zone1/setpoint": { "value": 21, "units": "degreesCelsius", "writable": true } } }
 * Points not configured exist once written, unless "strict": true.
 *
 * @typedef {import("../../../apps/supervisor/src/protocols/point-io").PointIOPluginModule} PointIOPluginModule
 * @typedef {import("../../../apps/supervisor/src/protocols/point-io").PointIO} PointIO
 * @typedef {import("../../../apps/supervisor/src/protocols/point-io").PluginContext} PluginContext
 * @typedef {import("../../../apps/supervisor/src/protocols/point-io").PointReading} PointReading
 * @typedef {import("../../../apps/supervisor/src/protocols/point-io").PointChange} PointChange
 * @typedef {import("../../../apps/supervisor/src/protocols/point-io").BrowseEntry} BrowseEntry
 * @typedef {{ value: number | boolean | string | null, units?: string, writable: boolean, at: number }} VirtualPoint
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const PROTOCOL = "virtual";
/** A point name: path segments of letters, digits, `_`, `-` and `.`, joined by `/`. */
const NAME = /^[A-Za-z0-9_.-]{1,64}(\/[A-Za-z0-9_.-]{1,64}){0,7}$/;
const MAX_POINTS = 10_000;

/**
 * Checks the plugin's own configuration section: the supervisor hands it over unvalidated.
 * @param {unknown} config
 */
function parseConfig(config) {
  /** @type {Map<string, VirtualPoint>} */
  const points = new Map();
  if (config === undefined) return { points, strict: false };
  if (!config || typeof config !== "object" || Array.isArray(config))
    throw new Error("virtual: the configuration must be an object");
  const section = /** @type {{ points?: unknown, strict?: unknown }} */ (config);
  if (section.strict !== undefined && typeof section.strict !== "boolean")
    throw new Error("virtual.strict: must be true or false");
  const listed = section.points ?? {};
  if (!listed || typeof listed !== "object" || Array.isArray(listed))
    throw new Error("virtual.points: must be an object keyed by point name");
  for (const [name, raw] of Object.entries(listed)) {
    const where = `virtual.points["${name}"]`;
    if (!NAME.test(name))
      throw new Error(`${where}: not a point name (segments of A-Z a-z 0-9 _ - . joined by /)`);
    const p = /** @type {{ value?: unknown, units?: unknown, writable?: unknown }} */ (raw ?? {});
    if (!isValue(p.value ?? null))
      throw new Error(`${where}.value: must be a number, boolean, string or null`);
    if (p.units !== undefined && typeof p.units !== "string")
      throw new Error(`${where}.units: must be a string`);
    if (p.writable !== undefined && typeof p.writable !== "boolean")
      throw new Error(`${where}.writable: must be true or false`);
    points.set(name, {
      value: /** @type {VirtualPoint["value"]} */ (p.value ?? null),
      ...(typeof p.units === "string" ? { units: p.units } : {}),
      writable: p.writable !== false,
      at: 0,
    });
  }
  return { points, strict: section.strict === true };
}

/** @param {unknown} value */
function isValue(value) {
  return (
    value === null ||
    typeof value === "boolean" ||
    typeof value === "string" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

/** @implements {PointIO} */
class VirtualPoints {
  protocol = PROTOCOL;
  capabilities = { priority: false, priorityArray: false, subscribe: true, browse: true, write: true };
  /** @type {Set<{ refs: Set<string>, onChange: (changes: PointChange[]) => void }>} */
  listeners = new Set();
  errors = 0;
  /** @type {string | undefined} */
  lastError;
  /** @type {number | undefined} */
  lastWriteAt;
  closed = false;
  started = false;

  /** @param {PluginContext} context */
  constructor(context) {
    this.context = context;
    const { points, strict } = parseConfig(context.config);
    this.points = points;
    this.strict = strict;
    this.file = join(context.dataDir, "values.json");
  }

  async start() {
    // Values written before a restart come back; configured defaults fill the rest.
    try {
      const saved = JSON.parse(readFileSync(this.file, "utf8"));
      for (const [name, entry] of Object.entries(saved)) {
        const known = this.points.get(name);
        if (!NAME.test(name) || !isValue(entry?.value) || (this.strict && !known)) continue;
        this.points.set(name, {
          ...(known ?? { writable: true }),
          value: entry.value,
          at: Number(entry.at) || 0,
        });
      }
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== "ENOENT")
        this.context.logger.warn("virtual: saved values unreadable, starting from the configuration", {
          file: this.file,
        });
    }
    this.started = true;
  }

  /** @param {readonly string[]} refs */
  async read(refs) {
    return refs.map((ref) => this.readOne(ref));
  }

  /** @param {string} ref @returns {PointReading} */
  readOne(ref) {
    const timestamp = this.context.now();
    if (this.closed)
      return { value: null, quality: "bad", code: "busy", reason: "plugin shut down", timestamp };
    const name = this.nameOf(ref);
    if (name === undefined)
      return {
        value: null,
        quality: "bad",
        code: "invalid_ref",
        reason: `${ref}: not virtual:<name>`,
        timestamp,
      };
    const point = this.points.get(name);
    if (!point)
      return {
        value: null,
        quality: "bad",
        code: "device_error",
        reason: `no virtual point "${name}"`,
        timestamp,
      };
    return { value: point.value, quality: "good", timestamp: point.at || timestamp };
  }

  /** @param {readonly import("../../../apps/supervisor/src/protocols/point-io").PointWrite[]} writes */
  async write(writes) {
    /** @type {PointChange[]} */
    const changes = [];
    const outcomes = writes.map((w) => {
      const fail = (
        /** @type {import("../../../apps/supervisor/src/protocols/point-io").PointErrorCode} */ code,
        /** @type {string} */ error,
      ) => {
        this.errors++;
        this.lastError = `${w.ref}: ${error}`;
        return { ok: false, code, error };
      };
      if (this.closed) return fail("busy", "plugin shut down");
      const name = this.nameOf(w.ref);
      if (name === undefined) return fail("invalid_ref", "not virtual:<name>");
      if (!isValue(w.value)) return fail("decode_error", "value must be a number, boolean, string or null");
      const existing = this.points.get(name);
      if (existing && !existing.writable) return fail("write_denied", `"${name}" is read-only`);
      if (!existing && (this.strict || this.points.size >= MAX_POINTS))
        return fail("write_denied", `no virtual point "${name}"`);
      const at = this.context.now();
      this.points.set(name, { ...(existing ?? { writable: true }), value: w.value, at });
      this.lastWriteAt = at;
      changes.push({ ref: w.ref, reading: { value: w.value, quality: "good", timestamp: at } });
      return { ok: true };
    });
    if (changes.length > 0) {
      this.save();
      for (const listener of this.listeners) {
        const mine = changes.filter((c) => listener.refs.has(c.ref));
        if (mine.length > 0) listener.onChange(mine);
      }
    }
    return outcomes;
  }

  /** @param {readonly string[]} refs @param {(changes: PointChange[]) => void} onChange */
  subscribe(refs, onChange) {
    const listener = { refs: new Set(refs), onChange };
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Folders are the name's `/` segments; a point is a leaf. @param {string} [parentId] @returns {Promise<BrowseEntry[]>} */
  async browse(parentId) {
    const prefix = parentId ? `${parentId}/` : "";
    /** @type {Map<string, BrowseEntry>} */
    const entries = new Map();
    for (const [name, point] of this.points) {
      if (!name.startsWith(prefix)) continue;
      const [head = "", ...rest] = name.slice(prefix.length).split("/");
      const id = `${prefix}${head}`;
      if (rest.length > 0) entries.set(id, { id, name: head, kind: "folder" });
      else
        entries.set(id, {
          id,
          name: head,
          kind: "point",
          ref: `${PROTOCOL}:${name}`,
          writable: point.writable,
          ...(point.units ? { units: point.units } : {}),
          reading: { value: point.value, quality: "good", timestamp: point.at || this.context.now() },
        });
    }
    return [...entries.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** @returns {import("../../../apps/supervisor/src/protocols/point-io").PluginHealth} */
  health() {
    return {
      protocol: PROTOCOL,
      state: this.closed ? "down" : this.started ? "ok" : "disabled",
      // No connection to hold: report the points served, as connectionless protocols report devices.
      connections: this.points.size,
      errors: this.errors,
      ...(this.lastWriteAt ? { last_message_at: this.lastWriteAt } : {}),
      ...(this.lastError ? { last_error: this.lastError } : {}),
    };
  }

  async shutdown() {
    this.closed = true;
    this.listeners.clear();
  }

  /** @param {string} ref */
  nameOf(ref) {
    const name = ref.startsWith(`${PROTOCOL}:`) ? ref.slice(PROTOCOL.length + 1) : "";
    return NAME.test(name) ? name : undefined;
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a file. */
  save() {
    const out = Object.fromEntries([...this.points].map(([name, p]) => [name, { value: p.value, at: p.at }]));
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify(out));
    renameSync(temp, this.file);
  }
}

/** @type {PointIOPluginModule} */
const plugin = {
  name: "example-virtual-points",
  protocol: PROTOCOL,
  version: "1.0.0",
  create: (context) => new VirtualPoints(context),
};

export default plugin;
