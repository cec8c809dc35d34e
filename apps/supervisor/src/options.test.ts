import { describe, expect, it } from "vitest";
import { MAX_STATE_SAVE_INTERVAL_S, stateSaveIntervalS } from "./options";

describe("--state-save-interval", () => {
  it.each([
    ["10", 10],
    ["0", 0],
    ["2.5", 2.5],
    [String(MAX_STATE_SAVE_INTERVAL_S), MAX_STATE_SAVE_INTERVAL_S],
  ])("accepts %s seconds", (text, seconds) => {
    expect(stateSaveIntervalS(text)).toBe(seconds);
  });

  it.each(["", " ", "-1", "ten", "3601", "Infinity", "NaN"])(
    "refuses %j with the range in the message",
    (text) => {
      expect(() => stateSaveIntervalS(text)).toThrow(
        `--state-save-interval must be a number of seconds from 0 (every scan) to 3600, got "${text}"`,
      );
    },
  );
});
