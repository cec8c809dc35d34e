import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, type RunningProcess, startProcess, tempDir } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModbusPointIO, ModbusConfigError } from "../../src/protocols/modbus";
import type { ModbusPointIO } from "../../src/protocols/modbus/modbus-plugin";

/**
 * The Modbus plugin against an independent server: Debian's pymodbus 3, started here on a loopback
 * port with known register values (127.0.41.0/24 and 15020-15039 are this suite's).
 */
const HOST = "127.0.41.1";
const PORT = 15020;
const NOTHING_THERE = { host: "127.0.41.4", port: 15022 };
const DEVICE = `modbus:${HOST}:${PORT}:1`;

// Tables from address 0; holding registers end at 19, so 20 and above are "illegal data address".
const TABLES = {
  unit: 1,
  hr: [
    1234, // 0 raw
    0x4148,
    0x0000, // 1-2 float32 ABCD 12.5
    0x0000,
    0x4148, // 3-4 float32 CDAB 12.5
    0xffff,
    0xfffe, // 5-6 int32 -2
    0xfffb, // 7 int16 * 0.1 = -0.5
    0b1010, // 8 status word: bits 1 and 3
    0x4029,
    0,
    0,
    0, // 9-12 float64 12.5
    0x3412, // 13 uint16 with bytes swapped = 0x1234
    0x0001,
    0x0002, // 14-15 uint32 = 65538
    0,
    0,
    0,
    77, // 16-19 raw
  ],
  ir: [7, 8, 9],
  co: [1, 0, 1, 0],
  di: [0, 1],
};

const PROFILE = {
  id: "pymodbus-test",
  device: "pymodbus test server",
  registers: [
    { name: "abcd", table: "holding_register", address: 1, type: "float32", units: "kW", writable: true },
    { name: "cdab", table: "holding_register", address: 3, type: "float32", word_order: "little" },
    { name: "signed32", table: "holding_register", address: 5, type: "int32", writable: true },
    { name: "tenths", table: "holding_register", address: 7, type: "int16", scale: 0.1, writable: true },
    { name: "alarm_a", table: "holding_register", address: 8, type: "bitfield", bit: 1 },
    { name: "alarm_b", table: "holding_register", address: 8, type: "bitfield", bit: 2 },
    { name: "double", table: "holding_register", address: 9, type: "float64" },
    { name: "swapped", table: "holding_register", address: 13, type: "uint16", byte_order: "little" },
    { name: "counter", table: "holding_register", address: 14, type: "uint32" },
    { name: "pump_on", table: "coil", address: 0, writable: true },
    { name: "locked", table: "coil", address: 3 },
  ],
};

let server: RunningProcess;
let plugin: ModbusPointIO;
let profilesDir: string;
let tablesFile: string;

function startServer(): Promise<RunningProcess> {
  return startProcess(
    "/usr/bin/python3",
    [join(REPO_ROOT, "apps/supervisor/test/fixtures/pymodbus-server.py"), HOST, String(PORT), tablesFile],
    { name: "pymodbus", ready: /pymodbus ready/ },
  );
}

function plugin_(config: Record<string, unknown>): ModbusPointIO {
  return createModbusPointIO({
    config,
    now: Date.now,
    logger: { info: () => {}, warn: () => {} },
  });
}

beforeAll(async () => {
  const dir = tempDir("pymodbus");
  tablesFile = join(dir, "tables.json");
  writeFileSync(tablesFile, JSON.stringify(TABLES));
  profilesDir = join(dir, "profiles");
  mkdirSync(profilesDir);
  writeFileSync(join(profilesDir, "pymodbus-test.json"), JSON.stringify(PROFILE));
  server = await startServer();
  plugin = plugin_({
    devices: [{ name: "Test rig", host: HOST, port: PORT, unit: 1, profile: "pymodbus-test" }],
    profiles_dir: profilesDir,
    timeout_ms: 1000,
    reconnect_min_ms: 2000,
  });
  await plugin.start();
});

afterAll(async () => {
  await plugin?.shutdown();
  await server?.stop();
});

describe("Modbus plugin against pymodbus", () => {
  it("reads raw registers without a profile and every profile type with its orders and scale", async () => {
    const readings = await plugin.read([
      `${DEVICE}/holding_register:40001`, // Modicon numbering of register 0
      `${DEVICE}/holding_register:1`,
      `${DEVICE}/holding_register:3`,
      `${DEVICE}/holding_register:5`,
      `${DEVICE}/holding_register:7`,
      `${DEVICE}/holding_register:8`, // the status word itself, raw
      `${DEVICE}/holding_register:9`,
      `${DEVICE}/holding_register:13`,
      `${DEVICE}/holding_register:14`,
      `${DEVICE}/holding_register:19`,
      `${DEVICE}/input_register:30002`,
      `${DEVICE}/coil:2`,
      `${DEVICE}/discrete_input:1`,
      `${DEVICE}/discrete_input:0`,
    ]);
    expect(readings.map((r) => r.quality)).toEqual(readings.map(() => "good"));
    expect(readings.map((r) => r.value)).toEqual([
      1234,
      12.5,
      12.5,
      -2,
      expect.closeTo(-0.5, 9),
      0b1010,
      12.5,
      0x1234,
      65_538,
      77,
      8,
      true,
      true,
      false,
    ]);
  });

  it("answers an illegal address as bad quality naming the exception, without failing its neighbours", async () => {
    const [inside, outside, far] = await plugin.read([
      `${DEVICE}/holding_register:19`,
      `${DEVICE}/holding_register:20`,
      `${DEVICE}/input_register:500`,
    ]);
    expect(inside).toMatchObject({ quality: "good", value: 77 });
    expect(outside).toMatchObject({ quality: "bad", code: "device_error", value: null });
    expect(outside?.reason).toMatch(/illegal data address/);
    expect(far).toMatchObject({ quality: "bad", code: "device_error" });
  });

  it("times out on a unit the server ignores, and the connection goes on serving the others", async () => {
    // pymodbus drops requests for units it does not have (a gateway would answer exception 11).
    const started = Date.now();
    const [reading] = await plugin.read([`modbus:${HOST}:${PORT}:9/holding_register:0`]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(reading).toMatchObject({ quality: "bad", code: "timeout" });
    expect(reading?.reason).toMatch(/no answer within 1000 ms/);
    expect((await plugin.read([`${DEVICE}/holding_register:19`]))[0]).toMatchObject({
      quality: "good",
      value: 77,
    });
  });

  it("writes by FC 5, 6, 15 and 16 and reads the values back from the server", async () => {
    const outcomes = await plugin.write([
      { ref: `${DEVICE}/holding_register:0`, value: 4321 }, // FC 6, raw
      { ref: `${DEVICE}/holding_register:1`, value: 99.5 }, // FC 16: a float32 spans two registers
      { ref: `${DEVICE}/holding_register:7`, value: -1.2 }, // FC 6, scaled
      { ref: `${DEVICE}/coil:0`, value: false }, // FC 15 with coil 1: one run of two coils
      { ref: `${DEVICE}/coil:1`, value: true },
      { ref: `${DEVICE}/coil:2`, value: false }, // joins the same run
    ]);
    expect(outcomes).toEqual(outcomes.map(() => ({ ok: true })));
    const readings = await plugin.read([
      `${DEVICE}/holding_register:0`,
      `${DEVICE}/holding_register:1`,
      `${DEVICE}/holding_register:7`,
      `${DEVICE}/coil:0`,
      `${DEVICE}/coil:1`,
      `${DEVICE}/coil:2`,
    ]);
    expect(readings.map((r) => r.value)).toEqual([4321, 99.5, expect.closeTo(-1.2, 9), false, true, false]);
    const [lone] = await plugin.write([{ ref: `${DEVICE}/coil:0`, value: true }]); // FC 5
    expect(lone).toEqual({ ok: true });
    expect((await plugin.read([`${DEVICE}/coil:0`]))[0]?.value).toBe(true);
  });

  it("refuses writes it must not send, each with a code, and sends none of them", async () => {
    const before = plugin.health().errors;
    const outcomes = await plugin.write([
      { ref: `${DEVICE}/input_register:0`, value: 1 },
      { ref: `${DEVICE}/holding_register:3`, value: 1 }, // profile: not writable
      { ref: `${DEVICE}/holding_register:7`, value: 5000 }, // int16 * 0.1 holds -3276.8..3276.7
      { ref: `${DEVICE}/coil:3`, value: true }, // profile: not writable
      { ref: `${DEVICE}/holding_register:0`, value: "on" },
      { ref: "modbus:nonsense", value: 1 },
    ]);
    expect(outcomes.map((o) => o.code)).toEqual([
      "unsupported",
      "write_denied",
      "write_denied",
      "write_denied",
      "write_denied",
      "invalid_ref",
    ]);
    expect(outcomes[2]?.error).toMatch(/out of range for int16/);
    expect((await plugin.read([`${DEVICE}/holding_register:7`]))[0]?.value).toBeCloseTo(-1.2, 9);
    expect(plugin.health().errors).toBe(before + 1); // only the unparsable ref counts as an error
  });

  it("answers a relinquish ok and sends nothing: the register keeps the last value written", async () => {
    const [before] = await plugin.read([`${DEVICE}/holding_register:0`]);
    const [outcome] = await plugin.write([{ ref: `${DEVICE}/holding_register:0`, value: null }]);
    expect(outcome).toEqual({ ok: true });
    expect((await plugin.read([`${DEVICE}/holding_register:0`]))[0]?.value).toBe(before?.value);
  });

  it("names a write the server refuses", async () => {
    const [outcome] = await plugin.write([{ ref: `${DEVICE}/holding_register:50`, value: 1 }]);
    expect(outcome).toMatchObject({ ok: false, code: "write_denied" });
    expect(outcome?.error).toMatch(/illegal data address/);
  });

  it("browses the device's profile registers with their last values", async () => {
    await plugin.read([`${DEVICE}/holding_register:1`]);
    const roots = await plugin.browse();
    expect(roots).toEqual([
      expect.objectContaining({ id: `${HOST}:${PORT}:1`, name: "Test rig", kind: "device" }),
    ]);
    const points = await plugin.browse(roots[0]?.id);
    const abcd = points.find((p) => p.name === "abcd");
    expect(abcd).toMatchObject({
      ref: `${DEVICE}/holding_register:1`,
      units: "kW",
      writable: true,
      reading: expect.objectContaining({ quality: "good" }),
    });
    expect(points.find((p) => p.name === "alarm_a")?.ref).toBeUndefined();
  });

  it("reports a device that is not there as unreachable, then backs off instead of retrying at once", async () => {
    const down = plugin_({ timeout_ms: 500, reconnect_min_ms: 5000 });
    const ref = `modbus:${NOTHING_THERE.host}:${NOTHING_THERE.port}:1/holding_register:0`;
    const [first] = await down.read([ref]);
    expect(first).toMatchObject({ quality: "bad", code: "unreachable" });
    expect(first?.reason).toMatch(/cannot connect/);
    const started = Date.now();
    const [second] = await down.read([ref]);
    expect(Date.now() - started).toBeLessThan(100);
    expect(second).toMatchObject({ quality: "bad", code: "unreachable" });
    expect(second?.reason).toMatch(/is down .* next attempt in \d+ ms/);
    expect(down.health()).toMatchObject({ state: "down", connections: 0, errors: 2 });
    await down.shutdown();
    expect((await down.read([ref]))[0]).toMatchObject({ code: "busy" });
  });

  it("keeps health: connections, errors and the last message", async () => {
    const health = plugin.health();
    expect(health).toMatchObject({ protocol: "modbus", state: "ok", connections: 1 });
    expect(health.errors).toBeGreaterThan(0);
    expect(Date.now() - (health.last_message_at ?? 0)).toBeLessThan(10_000);
    expect(health.last_error).toMatch(/illegal data address|gateway/);
  });

  it("refuses a configuration naming an unknown profile, and a malformed profile file, by path", () => {
    expect(() => plugin_({ devices: [{ host: HOST, unit: 1, profile: "nope" }] })).toThrow(ModbusConfigError);
    try {
      plugin_({ devices: [{ host: HOST, unit: 1, profile: "nope" }] });
    } catch (err) {
      expect((err as ModbusConfigError).problems).toEqual([
        expect.objectContaining({
          path: "devices[0].profile",
          message: expect.stringMatching(/no profile "nope"/),
        }),
      ]);
    }
    const badDir = tempDir("modbus-bad-profile");
    writeFileSync(
      join(badDir, "broken.json"),
      JSON.stringify({ ...PROFILE, registers: [{ name: "x", table: "coil", address: 0, type: "float32" }] }),
    );
    try {
      plugin_({ profiles_dir: badDir });
      expect.unreachable("a malformed profile must not load");
    } catch (err) {
      expect(err).toBeInstanceOf(ModbusConfigError);
      expect((err as ModbusConfigError).code).toBe("invalid_profile");
      expect((err as ModbusConfigError).problems[0]?.path).toMatch(/broken\.json: registers\[0\]\.type$/);
    }
    expect(() => plugin_({ devices: [{ host: HOST, unit: 300 }] })).toThrow(/devices\[0\]\.unit/);
  });

  it("reconnects after the server restarts, not before its backoff has run out", async () => {
    const ref = `${DEVICE}/holding_register:19`;
    const rig = plugin_({
      devices: [{ host: HOST, port: PORT, unit: 1 }],
      reconnect_min_ms: 4000,
      reconnect_max_ms: 4000,
    });
    expect((await rig.read([ref]))[0]).toMatchObject({ quality: "good", value: 77 });
    await server.stop();
    const [lost] = await rig.read([ref]);
    expect(lost).toMatchObject({ quality: "bad", value: null });
    expect(["unreachable", "timeout"]).toContain(lost?.code);
    // A connect has now been refused (this read's or the one before), so the backoff runs from here.
    const [refused] = await rig.read([ref]);
    const backoffFrom = Date.now();
    expect(refused).toMatchObject({ quality: "bad", code: "unreachable" });
    expect((await rig.read([ref]))[0]?.reason).toMatch(/is down .* next attempt in \d+ ms/);
    expect(rig.health().state).toBe("down");
    server = await startServer();
    let reading = (await rig.read([ref]))[0];
    while (reading?.quality !== "good" && Date.now() - backoffFrom < 15_000) {
      await new Promise((r) => setTimeout(r, 100));
      reading = (await rig.read([ref]))[0];
    }
    expect(reading).toMatchObject({ quality: "good", value: 77 });
    expect(Date.now() - backoffFrom).toBeGreaterThanOrEqual(3900);
    expect(rig.health()).toMatchObject({ state: "ok", connections: 1 });
    await rig.shutdown();
  });
});
