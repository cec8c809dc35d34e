import { expandSubflowInstances } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { lookupNode } from "../registry";
import { starterSubflows } from "../starters";
import { testFlow } from "../testing/harness";
import { compileFlow } from "./compile";
import { nodeCommands } from "./node-commands";

describe("nodeCommands", () => {
  it("reports a library instance's writes at the priority its inside commands them", () => {
    const host = testFlow([
      {
        id: "vav",
        type: "subflow",
        config: {
          library: {
            id: "vav-cooling-reheat",
            points: {
              zone_temp: "bacnet:3001/analogInput:1",
              occupancy: "bacnet:3001/binaryInput:1",
              damper: "bacnet:3001/analogOutput:1",
              reheat: "bacnet:3001/analogOutput:2",
            },
            parameters: { priority: 10 },
          },
        },
      },
      { id: "fan", type: "actuator_write", config: { point: "bacnet:2001/binaryOutput:1", priority: 8 } },
      { id: "on", type: "constant", config: { value: true } },
    ]);
    host.connections = [{ from_node: "on", from_output: "value", to_node: "fan", to_input: "value" }];
    const plan = compileFlow(expandSubflowInstances(host, starterSubflows()).flow, lookupNode);
    if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
    const commands = Object.fromEntries(plan.value.nodes.map((n) => [n.id, nodeCommands(n)]));
    expect(commands.vav).toEqual([
      { ref: "bacnet:3001/analogOutput:1.presentValue", priority: 10 },
      { ref: "bacnet:3001/analogOutput:2.presentValue", priority: 10 },
    ]);
    expect(commands.fan).toEqual([{ ref: "bacnet:2001/binaryOutput:1.presentValue", priority: 8 }]);
    expect(commands.on).toEqual([]);
  });
});
