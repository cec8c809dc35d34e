import { describe, expect, it } from "vitest";
import { routeText } from "./bacnet-route";
import {
  parseWhoHasAnswer,
  WHO_HAS_FORM_TIMEOUT_MS,
  type WhoHasBody,
  type WhoHasHit,
  whoHasRequest,
  whoHasRow,
  whoHasSearch,
} from "./who-has";

describe("who-has form: the request a query builds", () => {
  it.each([
    ["", undefined],
    ["   ", undefined],
    ["Zone Temp", { ok: true, body: { object_name: "Zone Temp", timeout_ms: WHO_HAS_FORM_TIMEOUT_MS } }],
    [
      " analogInput:1 ",
      {
        ok: true,
        body: { object_type: "analogInput", object_instance: 1, timeout_ms: WHO_HAS_FORM_TIMEOUT_MS },
      },
    ],
    // An unknown type name still goes to the supervisor, which refuses it by path (422).
    [
      "noSuchType:1",
      {
        ok: true,
        body: { object_type: "noSuchType", object_instance: 1, timeout_ms: WHO_HAS_FORM_TIMEOUT_MS },
      },
    ],
    [
      "AHU-1: supply",
      { ok: true, body: { object_name: "AHU-1: supply", timeout_ms: WHO_HAS_FORM_TIMEOUT_MS } },
    ],
    ["analogInput:4194304", { ok: false, message: "an object instance is at most 4194303" }],
    ["x".repeat(256), { ok: false, message: "an object name is at most 255 characters" }],
  ])("%j", (query, expected) => {
    expect(whoHasRequest(query)).toEqual(expected);
  });
});

const hit = (over: Partial<WhoHasHit>): WhoHasHit => ({
  device_id: 1001,
  object_type: "analogValue",
  object_instance: 3,
  object_name: "Zone Temp Setpoint",
  address: "127.0.0.1:47808",
  network: null,
  mac: null,
  check: "known",
  ...over,
});

describe("who-has form: answer rows", () => {
  it.each([
    [hit({}), "#1001 analogValue:3 · 127.0.0.1:47808", ""],
    [
      hit({ network: 2201, mac: [3, 0xab], check: "unknown" }),
      "#1001 analogValue:3 · 127.0.0.1:47808 → net 2201, MAC 03:ab",
      " · not discovered yet",
    ],
    [
      hit({ check: "mismatch" }),
      "#1001 analogValue:3 · 127.0.0.1:47808",
      " · answered from another address than the known device (not trusted)",
    ],
  ])("%#: where and note", (row, where, note) => {
    expect(whoHasRow(row)).toEqual({ key: "1001/analogValue:3", name: "Zone Temp Setpoint", where, note });
  });

  it("checks the answer's shape before it is shown", () => {
    expect(parseWhoHasAnswer({ found: [hit({})] })).toEqual({
      ok: true,
      answer: { found: [hit({})], truncated: false },
    });
    expect(parseWhoHasAnswer({ found: [{ ...hit({}), check: "trusted" }] })).toEqual({
      ok: false,
      message: "The supervisor's Who-Has answer has an unexpected shape.",
    });
    expect(parseWhoHasAnswer({ found: [{ ...hit({}), mac: [300] }] }).ok).toBe(false);
  });

  it("reads a routed device's address as the supervisor formats it (`ip:port net N mac ..`)", () => {
    expect(routeText({ address: "127.0.0.1:47808 net 5 mac 0a", network: 5, mac: [10] })).toBe(
      "127.0.0.1:47808 → net 5, MAC 0a",
    );
    expect(routeText({ address: null })).toBe("");
  });
});

describe("who-has form: one search", () => {
  const found = { found: [hit({})] };
  it.each([
    ["", { ok: true as const, body: found }, undefined, 0],
    [
      "analogInput:99999999",
      { ok: true as const, body: found },
      { answer: null, error: "an object instance is at most 4194303" },
      0,
    ],
    ["Zone", { ok: false as const, error: "403: admin only" }, { answer: null, error: "403: admin only" }, 1],
    [
      "Zone",
      { ok: true as const, body: { found: "all of them" } },
      { answer: null, error: "The supervisor's Who-Has answer has an unexpected shape." },
      1,
    ],
    ["Zone", { ok: true as const, body: found }, { answer: { ...found, truncated: false }, error: null }, 1],
  ])("%j → %j", async (query, reply, outcome, sends) => {
    const sent: WhoHasBody[] = [];
    const result = await whoHasSearch(query, async (body) => {
      sent.push(body);
      return reply;
    });
    expect(result).toEqual(outcome);
    expect(sent).toHaveLength(sends);
  });
});
