import { describe, expect, it } from "vitest";
import { inputWarning } from "./node-health";

const ports = [
  { name: "pv", label: "Measurement" },
  { name: "sp", label: "Setpoint" },
];

describe("inputWarning", () => {
  it.each([
    ["no inputs reported", undefined, null],
    ["every input good", { pv: { value: 21, quality: "good" }, sp: { value: 22, quality: "good" } }, null],
    ["bare values (no quality)", { pv: 21 }, null],
    [
      "a bad input with its reason, by the port's label",
      {
        pv: { value: null, quality: "bad", reason: "device 1001 offline" },
        sp: { value: 22, quality: "good" },
      },
      { port: "pv", quality: "bad", text: "Measurement: device 1001 offline" },
    ],
    [
      "an uncertain input without a reason",
      { pv: { value: 21, quality: "good" }, sp: { value: 22, quality: "uncertain" } },
      { port: "sp", quality: "uncertain", text: "Setpoint: uncertain quality" },
    ],
    [
      "the first bad port in the node's order, not the object's",
      { sp: { value: null, quality: "bad", reason: "b" }, pv: { value: null, quality: "bad", reason: "a" } },
      { port: "pv", quality: "bad", text: "Measurement: a" },
    ],
    [
      "a port the node does not declare, by its name",
      { extra: { value: null, quality: "bad", reason: "timeout" } },
      { port: "extra", quality: "bad", text: "extra: timeout" },
    ],
  ])("%s", (_what, inputs, expected) => {
    expect(inputWarning(inputs as Record<string, unknown> | undefined, ports)).toEqual(expected);
  });
});
