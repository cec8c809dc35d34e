import { describe, expect, it } from "vitest";
import type { PointWrite } from "../protocols/point-io";
import { type CommandStore, type PointWriter, WriteManager } from "./write-manager";

/** Records what would go on the wire; `failing` points answer with an error. */
function recordingWriter(failing = new Set<string>()) {
  const sent: { point: string; value: unknown; priority: number }[] = [];
  const writer: PointWriter = {
    async write(writes) {
      return writes.map((w) => {
        sent.push({ point: w.ref, value: w.value, priority: w.priority ?? 16 });
        return failing.has(w.ref) ? { ok: false, code: "timeout", error: "timeout" } : { ok: true };
      });
    },
  };
  return { writer, sent };
}

function memoryStore(): CommandStore & { rows: Map<string, unknown> } {
  const rows = new Map<string, unknown>();
  return {
    rows,
    saveCommand: (ref, priority, value) => rows.set(`${ref}@${priority}`, value),
    deleteCommand: (ref, priority) => rows.delete(`${ref}@${priority}`),
    commands: () =>
      [...rows.keys()].map((k) => ({ ref: k.split("@")[0]!, priority: Number(k.split("@")[1]) })),
  };
}

const BO = "bacnet:1/binaryOutput:1.presentValue";
const AO = "bacnet:1/analogOutput:2.presentValue";
const write = (point: string, value: number | boolean | null, heartbeatMs = 0, priority = 8) => ({
  point,
  value,
  priority,
  heartbeatMs,
  nodeId: "n",
});

describe("WriteManager", () => {
  it("passes an actuator_write's MQTT publish options (QoS, retain) to the plugin, and none when unset", async () => {
    const seen: PointWrite[] = [];
    const writer: PointWriter = {
      async write(writes) {
        seen.push(...writes);
        return writes.map(() => ({ ok: true }));
      },
    };
    const m = new WriteManager(writer, memoryStore());
    await m.apply([{ ...write("mqtt:site/ahu1/setpoint", 21), qos: 2, retain: true }, write(BO, true)], 0);
    expect(seen).toEqual([
      { ref: "mqtt:site/ahu1/setpoint", value: 21, priority: 8, qos: 2, retain: true },
      { ref: BO, value: true, priority: 8 },
    ]);
  });

  it("writes on change only, plus the heartbeat", async () => {
    const { writer, sent } = recordingWriter();
    const m = new WriteManager(writer, memoryStore());
    await m.apply([write(BO, true, 10_000)], 0);
    await m.apply([write(BO, true, 10_000)], 1000);
    await m.apply([write(BO, true, 10_000)], 9999);
    expect(sent).toHaveLength(1);
    await m.apply([write(BO, true, 10_000)], 10_000);
    expect(sent).toHaveLength(2);
    await m.apply([write(BO, false, 10_000)], 10_500);
    expect(sent.map((s) => s.value)).toEqual([true, true, false]);
  });

  it("sends one command per point and priority per scan: the last one wins", async () => {
    const { writer, sent } = recordingWriter();
    const m = new WriteManager(writer, memoryStore());
    await m.apply([write(AO, 10), write(AO, 20), write(AO, 30, 0, 10)], 0);
    expect(sent).toEqual([
      { point: AO, value: 20, priority: 8 },
      { point: AO, value: 30, priority: 10 },
    ]);
  });

  it("retries a failed write next scan and does not record it as commanded", async () => {
    const failing = new Set([BO]);
    const { writer, sent } = recordingWriter(failing);
    const store = memoryStore();
    const m = new WriteManager(writer, store);
    const [outcome] = await m.apply([write(BO, true)], 0);
    expect(outcome).toMatchObject({ ok: false, error: "timeout" });
    expect(store.rows.size).toBe(0);
    failing.clear();
    await m.apply([write(BO, true)], 1000);
    expect(sent).toHaveLength(2);
    expect(store.rows.get(`${BO}@8`)).toBe(true);
  });

  it("relinquishes exactly what it commanded, keeping what the next flow commands", async () => {
    const { writer, sent } = recordingWriter();
    const store = memoryStore();
    const m = new WriteManager(writer, store);
    await m.apply([write(BO, true), write(AO, 42, 0, 10)], 0);
    const outcomes = await m.relinquish(new Set([`${AO}@10`]));
    expect(outcomes).toEqual([{ point: BO, value: null, priority: 8, ok: true }]);
    expect(sent.at(-1)).toEqual({ point: BO, value: null, priority: 8 });
    expect(m.commandedPoints()).toEqual([{ ref: AO, priority: 10 }]);
    expect([...store.rows.keys()]).toEqual([`${AO}@10`]);
  });

  it("remembers commanded points across a restart, so a later stop relinquishes them", async () => {
    const store = memoryStore();
    await new WriteManager(recordingWriter().writer, store).apply([write(BO, true)], 0);
    const { writer, sent } = recordingWriter();
    const restarted = new WriteManager(writer, store);
    await restarted.relinquish();
    expect(sent).toEqual([{ point: BO, value: null, priority: 8 }]);
  });

  it("records which flow and node hold each command, for the priority-array view", async () => {
    const holders = new Map<string, unknown>();
    const store = memoryStore();
    const m = new WriteManager(recordingWriter().writer, {
      ...store,
      saveCommand: (ref, priority, value, at, holder) => {
        store.saveCommand(ref, priority, value, at, holder);
        holders.set(`${ref}@${priority}`, holder);
      },
    });
    await m.apply([{ ...write(AO, 42, 0, 8), nodeId: "reheat_write" }], 0, "flow-1");
    expect(holders.get(`${AO}@8`)).toEqual({ flowId: "flow-1", nodeId: "reheat_write" });
  });
});

describe("WriteManager with several flows", () => {
  it("relinquishes only the commands of the flow that stops, and keeps what another flow takes over", async () => {
    const { writer, sent } = recordingWriter();
    const wm = new WriteManager(writer, memoryStore());
    await wm.apply([write(BO, true, 0, 8)], 1000, "ahu");
    await wm.apply([write(BO, true, 0, 9), write(AO, 40, 0, 9)], 1000, "plant");
    sent.length = 0;
    await wm.relinquish(new Set([`${AO}@9`]), 2000, "plant");
    expect(sent).toEqual([{ point: BO, value: null, priority: 9 }]);
    expect(wm.holder(BO, 8)).toEqual({ flowId: "ahu", nodeId: "n" });
    expect(wm.holder(BO, 9)).toBeUndefined();
    expect(wm.holder(AO, 9)?.flowId).toBe("plant");
  });

  it("knows the owning flow of commands stored before a restart", async () => {
    const store = memoryStore();
    const rows = [{ ref: BO, priority: 8, flowId: "ahu", nodeId: "fan" }];
    const wm = new WriteManager(recordingWriter().writer, { ...store, commands: () => rows });
    expect(wm.holder(BO, 8)).toEqual({ flowId: "ahu", nodeId: "fan" });
  });
});
