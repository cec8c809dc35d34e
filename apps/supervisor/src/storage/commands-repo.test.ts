import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { CommandsRepo } from "./commands-repo";
import { openDatabase } from "./database";

const VALVE = "bacnet:3001/analogOutput:2.presentValue";

describe("CommandsRepo", () => {
  it("keeps who holds each priority of a point, and survives reopening the file", () => {
    const dir = tempDir("commands");
    const commands = new CommandsRepo(openDatabase(dir));
    commands.saveCommand(VALVE, 8, 35, 1000, { flowId: "flow-1", nodeId: "reheat" });
    commands.saveCommand(VALVE, 16, 0, 1000);
    commands.saveCommand("bacnet:3001/analogOutput:1.presentValue", 8, 40, 1000, {
      flowId: "flow-1",
      nodeId: "damper",
    });
    commands.saveCommand(VALVE, 8, 36, 2000, { flowId: "flow-2", nodeId: "reheat_2" });

    const reopened = new CommandsRepo(openDatabase(dir));
    expect(reopened.forPoint(VALVE)).toEqual([
      { ref: VALVE, priority: 8, value: 36, writtenAt: 2000, flowId: "flow-2", nodeId: "reheat_2" },
      { ref: VALVE, priority: 16, value: 0, writtenAt: 1000, flowId: null, nodeId: null },
    ]);
    reopened.deleteCommand(VALVE, 8);
    expect(reopened.forPoint(VALVE).map((c) => c.priority)).toEqual([16]);
    expect(reopened.commands()).toHaveLength(2);
  });
});
