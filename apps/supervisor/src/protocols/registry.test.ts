import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryPointIO } from "../../test/memory-plugin";
import { loadPluginsConfig, loadPluginsDir, PluginLoadError } from "./plugin-loader";
import { PointIORegistry, RegistryError } from "./registry";

async function setup(now = () => 1_000) {
  const registry = new PointIORegistry(now);
  const a = new MemoryPointIO("mema", now);
  const b = new MemoryPointIO("memb", now);
  registry.register({ name: "a", protocol: "mema", version: "1" }, a);
  registry.register({ name: "b", protocol: "memb", version: "1" }, b);
  a.values.set("x", 1).set("y", 2);
  b.values.set("x", 10);
  await registry.start();
  return { registry, a, b };
}

describe("PointIORegistry", () => {
  it("splits refs by scheme, calls each plugin once with its batch, and answers in the caller's order", async () => {
    const { registry, a, b } = await setup();
    const refs = ["memb:x", "mema:y", "bacnet:1/analogInput:1", "mema:x", "not a ref", "memb:x"];
    const readings = await registry.read(refs);
    expect(readings.map((r) => [r.value, r.quality, r.code])).toEqual([
      [10, "good", undefined],
      [2, "good", undefined],
      [null, "bad", "no_plugin"],
      [1, "good", undefined],
      [null, "bad", "invalid_ref"],
      [10, "good", undefined],
    ]);
    expect(a.readBatches).toEqual([["mema:y", "mema:x"]]);
    expect(b.readBatches).toEqual([["memb:x", "memb:x"]]);
    expect(readings[2]!.reason).toContain("bacnet");
  });

  it("contains a plugin that throws: its points read bad with plugin_error, its health shows it, others are untouched", async () => {
    let clock = 1_000;
    const { registry, a } = await setup(() => clock);
    a.throwOnRead = true;
    const readings = await registry.read(["mema:x", "memb:x"]);
    expect(readings[0]).toMatchObject({ quality: "bad", code: "plugin_error", value: null });
    expect(readings[0]!.reason).toContain("told to fail");
    expect(readings[1]).toMatchObject({ quality: "good", value: 10 });
    const health = registry.health().find((h) => h.protocol === "mema")!;
    expect(health).toMatchObject({ state: "degraded", errors: 1 });
    expect(health.last_error).toContain("failed to read");
    clock += 61_000;
    expect(registry.health().find((h) => h.protocol === "mema")!.state).toBe("ok");
  });

  it("contains a plugin answering the wrong number of readings, and one whose health throws", async () => {
    const { registry, a, b } = await setup();
    a.read = async () => [];
    b.throwOnHealth = true;
    const [reading] = await registry.read(["mema:x"]);
    expect(reading).toMatchObject({ quality: "bad", code: "plugin_error" });
    expect(reading!.reason).toContain("answered 0 readings for 1 refs");
    const health = registry.health().find((h) => h.protocol === "memb")!;
    expect(health).toMatchObject({ state: "down", connections: 0 });
    expect(health.last_error).toContain("health exploded");
  });

  it("writes through the right plugin with outcomes in order, and refuses what no plugin takes", async () => {
    const { registry, a, b } = await setup();
    const outcomes = await registry.write([
      { ref: "memb:z", value: 5 },
      { ref: "mqtt:a/b", value: 1 },
      { ref: "mema:readonly/q", value: 1 },
      { ref: "mema:x", value: 7 },
    ]);
    expect(outcomes).toEqual([
      { ok: true },
      { ok: false, code: "no_plugin", error: "no plugin serves mqtt: points" },
      { ok: false, code: "write_denied", error: "read-only" },
      { ok: true },
    ]);
    expect(a.values.get("x")).toBe(7);
    expect(b.values.get("z")).toBe(5);
  });

  it("refuses writes to a plugin without the write capability, without calling it", async () => {
    const { registry, a } = await setup();
    (a.capabilities as { write: boolean }).write = false;
    const [outcome] = await registry.write([{ ref: "mema:x", value: 3 }]);
    expect(outcome).toMatchObject({ ok: false, code: "unsupported" });
    expect(a.values.get("x")).toBe(1);
  });

  it("subscribes each plugin to its own refs and unsubscribes all at once", async () => {
    const { registry } = await setup();
    const seen: string[] = [];
    const unsubscribe = registry.subscribe(["mema:x", "memb:x", "nope:1"], (changes) =>
      seen.push(...changes.map((c) => `${c.ref}=${String(c.reading.value)}`)),
    );
    await registry.write([
      { ref: "mema:x", value: 3 },
      { ref: "memb:x", value: 4 },
      { ref: "mema:y", value: 9 },
    ]);
    expect(seen.sort()).toEqual(["mema:x=3", "memb:x=4"]);
    unsubscribe();
    await registry.write([{ ref: "mema:x", value: 5 }]);
    expect(seen).toHaveLength(2);
  });

  it("asks the serving plugin how a value reads (units, state texts); a failing or silent plugin gives none", async () => {
    const { registry, a, b } = await setup();
    a.labels = (ref) => (ref === "mema:x" ? { units: "kW" } : undefined);
    b.labels = () => {
      throw new Error("no labels today");
    };
    expect(registry.labels("mema:x")).toEqual({ units: "kW" });
    expect(registry.labels("mema:y")).toBeUndefined();
    expect(registry.labels("memb:x")).toBeUndefined();
    expect(registry.labels("bacnet:1/analogInput:1")).toBeUndefined();
    expect(registry.labels("not a ref")).toBeUndefined();
    // The failure is contained and shows in health, as a failed read would.
    expect(registry.health().find((h) => h.protocol === "memb")!.last_error).toContain(
      "failed to label a value",
    );
  });

  it("browses one protocol, with coded errors for an unknown one", async () => {
    const { registry } = await setup();
    const entries = await registry.browse("mema");
    expect(entries.map((e) => e.ref)).toEqual(["mema:x", "mema:y"]);
    await expect(registry.browse("modbus")).rejects.toMatchObject({ code: "no_plugin" });
  });

  it("refuses a second plugin for a protocol and a plugin lying about its protocol", async () => {
    const { registry } = await setup();
    expect(() =>
      registry.register({ name: "c", protocol: "mema", version: "1" }, new MemoryPointIO("mema")),
    ).toThrow(RegistryError);
    try {
      registry.register({ name: "d", protocol: "memd", version: "1" }, new MemoryPointIO("meme"));
    } catch (error) {
      expect((error as RegistryError).code).toBe("protocol_mismatch");
    }
  });

  it("finds a plugin by its class (typed), and shuts every plugin down even if one fails", async () => {
    const { registry, a, b } = await setup();
    expect(registry.find("mema", MemoryPointIO)).toBe(a);
    class Other extends MemoryPointIO {}
    expect(registry.find("mema", Other)).toBeUndefined();
    a.shutdown = async () => {
      throw new Error("stuck");
    };
    await registry.shutdown();
    expect(b.health().state).toBe("down");
    const [reading] = await registry.read(["memb:x"]);
    expect(reading).toMatchObject({ quality: "bad", code: "busy" });
  });
});

describe("plugin loading", () => {
  const dirs: string[] = [];
  const temp = () => {
    const dir = mkdtempSync(join(tmpdir(), "bms-plugins-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("reads the configuration file by protocol and names the path when it is bad", () => {
    const dir = temp();
    const good = join(dir, "plugins.json");
    writeFileSync(good, JSON.stringify({ mqtt: { url: "mqtt://127.0.0.1:1883" }, virtual: {} }));
    expect(loadPluginsConfig(good)).toEqual({ mqtt: { url: "mqtt://127.0.0.1:1883" }, virtual: {} });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ mqtt: ");
    expect(() => loadPluginsConfig(bad)).toThrow(`${bad}: the plugins configuration is not JSON`);
    writeFileSync(bad, "[1]");
    expect(() => loadPluginsConfig(bad)).toThrow("keyed by protocol");
    writeFileSync(bad, JSON.stringify({ "Not A Protocol": {} }));
    expect(() => loadPluginsConfig(bad)).toThrow("is not a protocol name");
    expect(() => loadPluginsConfig(join(dir, "missing.json"))).toThrow(/missing\.json: cannot read .*ENOENT/);
  });

  it("loads file and folder plugins, and refuses a module that is not a plugin, naming the file", async () => {
    const dir = temp();
    const plugin = (protocol: string) =>
      `export default { name: "p-${protocol}", protocol: "${protocol}", version: "1.0.0", create() { return {}; } };`;
    writeFileSync(join(dir, "one.mjs"), plugin("one"));
    mkdirSync(join(dir, "two"));
    writeFileSync(join(dir, "two", "index.mjs"), plugin("two"));
    writeFileSync(join(dir, "README.md"), "not code");
    const modules = await loadPluginsDir(dir);
    expect(modules.map((m) => [m.name, m.protocol])).toEqual([
      ["p-one", "one"],
      ["p-two", "two"],
    ]);
    writeFileSync(join(dir, "three.mjs"), `export default { name: "x", protocol: "Bad Scheme" };`);
    const error = await loadPluginsDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect((error as PluginLoadError).code).toBe("module_invalid");
    expect((error as Error).message).toContain(join(dir, "three.mjs"));
    expect((error as Error).message).toContain("protocol must be");
    expect((error as Error).message).toContain("create must be a function");
  });

  it("refuses a world-writable plugins directory", async () => {
    const dir = temp();
    chmodSync(dir, 0o777);
    await expect(loadPluginsDir(dir)).rejects.toMatchObject({ code: "dir_unsafe", path: dir });
  });
});
