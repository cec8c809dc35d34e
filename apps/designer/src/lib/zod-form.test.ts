import { describeNode, nodeDescriptors } from "@bms/nodes/definitions";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  configProblems,
  defaultConfig,
  describeConfigFields,
  describeField,
  fieldHelp,
  formatDefault,
  parseFieldInput,
} from "./zod-form";

const schemaOf = (type: string) => {
  const d = describeNode(type);
  if (!d) throw new Error(`${type} is not in the node library`);
  return d.config;
};

describe("form fields generated from node config schemas", () => {
  it("reads kinds, defaults, ranges and required-ness from the schema", () => {
    const fields = Object.fromEntries(
      describeConfigFields(schemaOf("actuator_write")).map((f) => [f.key, f]),
    );
    expect(fields.point).toMatchObject({ kind: "point", required: true, hasDefault: false });
    expect(fields.priority).toMatchObject({
      kind: "integer",
      min: 1,
      max: 16,
      defaultValue: 16,
      required: false,
    });
    expect(fields.on_bad_input).toMatchObject({ kind: "enum", options: ["hold", "relinquish", "fallback"] });
    expect(fields.fallback).toMatchObject({ kind: "scalar", nullable: true, defaultValue: null });
    expect(fields.priority?.description).toBe("BACnet write priority");
  });

  it("takes units and widgets from schema meta", () => {
    const field = describeField("setpoint", z.number().min(5).max(35).default(21).meta({ unit: "°C" }));
    expect(field).toMatchObject({ kind: "number", unit: "°C", min: 5, max: 35 });
  });

  it("fills defaults and leaves required fields for the user", () => {
    expect(defaultConfig(schemaOf("threshold"))).toEqual({ operator: ">", value: 0, tolerance: 0 });
    const config = defaultConfig(schemaOf("sensor_read"));
    expect(config).not.toHaveProperty("point");
    expect(configProblems(schemaOf("sensor_read"), config)).toEqual({ point: "required" });
  });
});

describe("parsing what the user typed", () => {
  const fields = Object.fromEntries(describeConfigFields(schemaOf("actuator_write")).map((f) => [f.key, f]));
  const threshold = Object.fromEntries(describeConfigFields(schemaOf("threshold")).map((f) => [f.key, f]));

  it.each([
    ["priority", "8", { ok: true, value: 8 }],
    ["priority", "17", { ok: false }],
    ["priority", "2.5", { ok: false }],
    ["priority", "eight", { ok: false }],
    ["point", "bacnet:1001/binaryOutput:1", { ok: true, value: "bacnet:1001/binaryOutput:1.presentValue" }],
    ["point", "bacnet:100:BO3", { ok: true, value: "bacnet:100/binaryOutput:3.presentValue" }],
    ["point", "bacnet:5000000/binaryOutput:1", { ok: false }],
    ["fallback", "", { ok: true, value: null }],
    ["fallback", "true", { ok: true, value: true }],
    ["fallback", "25.5", { ok: true, value: 25.5 }],
    ["fallback", "warm", { ok: false }],
  ])("%s ← %j", (key, text, expected) => {
    const result = parseFieldInput(fields[key]!, text);
    expect(result).toMatchObject(expected);
  });

  it("keeps floats as floats and accepts a decimal comma", () => {
    expect(parseFieldInput(threshold.value!, "25.5")).toEqual({ ok: true, value: 25.5 });
    expect(parseFieldInput(threshold.value!, "25,5")).toEqual({ ok: true, value: 25.5 });
  });

  it("explains a rejected value in words", () => {
    const result = parseFieldInput(fields.point!, "bacnet:5000000/binaryOutput:1");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/device instance 5000000 is out of range/);
  });
});

describe("help text under a field", () => {
  const field = (type: string, key: string) => {
    const found = describeConfigFields(schemaOf(type)).find((f) => f.key === key);
    if (!found) throw new Error(`${type}.${key} missing`);
    return found;
  };

  it.each([
    // [node, field, help]
    ["actuator_write", "priority", /^.+ · range 1 … 16 · default 16$/],
    // An empty-string default says nothing: no "· default" dangling at the end.
    ["parameter", "unit", /^Shown next to the value, e\.g\. °C$/],
    // An object default: compact JSON or nothing, never "[object Object]"; here {} is nothing.
    ["subflow", "labels", /^Port labels, e\.g\. \{ in1: 'Zone temp', out1: 'Valve' \}$/],
  ])("%s.%s reads %s", (type, key, help) => {
    expect(fieldHelp(field(type, key))).toMatch(help);
  });

  it("formats defaults for people", () => {
    const scalar = { kind: "scalar" as const };
    expect(formatDefault(scalar, "")).toBeNull();
    expect(formatDefault(scalar, "  ")).toBeNull();
    expect(formatDefault(scalar, "Sub-flow")).toBe("Sub-flow");
    expect(formatDefault(scalar, null)).toBe("none");
    expect(formatDefault(scalar, 0)).toBe("0");
    expect(formatDefault({ kind: "boolean" }, true)).toBe("on");
    expect(formatDefault({ kind: "boolean" }, false)).toBe("off");
    expect(formatDefault({ kind: "json" }, [])).toBeNull();
    expect(formatDefault({ kind: "json" }, {})).toBeNull();
    expect(formatDefault({ kind: "json" }, { start: "07:00", end: "18:00" })).toBe(
      '{"start":"07:00","end":"18:00"}',
    );
    expect(formatDefault({ kind: "json" }, { text: "x".repeat(60) })).toBeNull();
  });

  it("never reads badly for any field of any node in the library", () => {
    const bad: string[] = [];
    for (const node of nodeDescriptors) {
      for (const f of describeConfigFields(node.config)) {
        const help = fieldHelp(f);
        if (/\[object Object\]|(^|· )default( ·|$)|^ ·|· $| · {2}·|default (undefined|NaN)/.test(help)) {
          bad.push(`${node.type}.${f.key}: "${help}"`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
