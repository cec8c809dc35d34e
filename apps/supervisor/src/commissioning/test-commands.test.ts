import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { key, type PointWriter, WriteManager } from "../engine/write-manager";
import { CommandsRepo } from "../storage/commands-repo";
import { openDatabase } from "../storage/database";
import { relinquishLeftovers, runOf, testHolder } from "./test-commands";

/**
 * A write test's command survives a kill -9 in runtime.db (a real SQLite file, opened again as the next
 * start opens it) and the next start relinquishes it through the write manager; the wire is a recording
 * writer (the BACnet path runs against the simulator in test/integration/commissioning-crash.test.ts).
 */
const VALVE = "bacnet:3001/analogOutput:2";
const DAMPER = "bacnet:3001/analogOutput:3";
const FAN = "bacnet:3001/binaryOutput:1";

function recordingWriter(refusing = new Set<string>()) {
  const sent: { ref: string; value: unknown; priority: number | undefined }[] = [];
  const writer: PointWriter = {
    async write(writes) {
      return writes.map((w) => {
        sent.push({ ref: w.ref, value: w.value, priority: w.priority });
        return refusing.has(w.ref) ? { ok: false, code: "timeout", error: "no answer" } : { ok: true };
      });
    },
  };
  return { writer, sent };
}

describe("commissioning write tests left on a device by a killed supervisor", () => {
  it("relinquishes them at the next start, leaves a flow's slot alone, keeps a refused one on the list", async () => {
    const dir = tempDir("test-commands");
    const before = openDatabase(dir);
    const first = new WriteManager(recordingWriter().writer, new CommandsRepo(before));
    // A flow's own command, and three write tests recorded before their writes (the process then died).
    await first.apply([{ point: FAN, value: true, priority: 8, heartbeatMs: 0, nodeId: "fan" }], 1, "ahu");
    first.reserve(VALVE, 7, 62, testHolder("cr-20261202-120000-abcdef"));
    first.reserve(DAMPER, 9, 40, testHolder("cr-20261202-120000-abcdef"));
    first.reserve(FAN, 10, false, testHolder("cr-20261202-120000-abcdef"));
    before.close();

    const db = openDatabase(dir);
    const { writer, sent } = recordingWriter(new Set([DAMPER]));
    const writes = new WriteManager(writer, new CommandsRepo(db));
    // A flow deployed now commands the fan at priority 10: that slot is the flow's, never NULLed.
    const flowCommands = new Set([key(FAN, 8), key(FAN, 10)]);
    const results = await relinquishLeftovers(writes, flowCommands, 2);

    expect(sent).toEqual([
      { ref: VALVE, value: null, priority: 7 },
      { ref: DAMPER, value: null, priority: 9 },
    ]);
    expect(results).toEqual([
      { run: "cr-20261202-120000-abcdef", point: FAN, priority: 10, outcome: "left_to_flow" },
      { run: "cr-20261202-120000-abcdef", point: VALVE, priority: 7, outcome: "relinquished" },
      {
        run: "cr-20261202-120000-abcdef",
        point: DAMPER,
        priority: 9,
        outcome: "refused",
        error: "no answer",
      },
    ]);
    // The flow's command is untouched; the refused relinquish stays on the list (and in runtime.db) for
    // the write manager's next stop and the next start.
    const rows = new CommandsRepo(db).commands();
    expect(rows.map((r) => key(r.ref, r.priority)).sort()).toEqual([key(DAMPER, 9), key(FAN, 8)].sort());
    expect(runOf(writes.holder(DAMPER, 9))).toBe("cr-20261202-120000-abcdef");
    expect(writes.holder(FAN, 8)).toEqual({ flowId: "ahu", nodeId: "fan" });

    const retry = recordingWriter();
    const again = await relinquishLeftovers(
      new WriteManager(retry.writer, new CommandsRepo(db)),
      new Set(),
      3,
    );
    expect(again.map((l) => [l.point, l.outcome])).toEqual([[DAMPER, "relinquished"]]);
    expect(new CommandsRepo(db).commands().map((r) => key(r.ref, r.priority))).toEqual([key(FAN, 8)]);
    db.close();
  });

  it("tells a write test's holder from a flow's and from a row without one", () => {
    expect(runOf(testHolder("cr-1"))).toBe("cr-1");
    expect(runOf({ flowId: "ahu", nodeId: "commissioning cr-1" })).toBeUndefined();
    expect(runOf({ flowId: null, nodeId: null })).toBeUndefined();
    expect(runOf(undefined)).toBeUndefined();
  });
});
