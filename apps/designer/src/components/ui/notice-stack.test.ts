import { describe, expect, it } from "vitest";
import { MAX_NOTICES, NOTICE_TIMEOUT_MS, type Notice, pushNotice } from "./notice-stack";

const notice = (id: number, kind: string, tone: Notice["tone"]): Notice => ({
  id,
  kind,
  tone,
  content: kind,
});

describe("notice stack", () => {
  it("replaces a notice of the same kind instead of stacking it", () => {
    const stack = pushNotice([notice(1, "save", "success")], notice(2, "save", "success"));
    expect(stack.map((n) => n.id)).toEqual([2]);
  });

  it("keeps at most three, dropping the oldest non-error first", () => {
    let stack: Notice[] = [];
    stack = pushNotice(stack, notice(1, "deploy-failed", "error"));
    stack = pushNotice(stack, notice(2, "save", "success"));
    stack = pushNotice(stack, notice(3, "start", "info"));
    stack = pushNotice(stack, notice(4, "deploy", "success"));
    expect(stack).toHaveLength(MAX_NOTICES);
    expect(stack.map((n) => n.id)).toEqual([1, 3, 4]);
  });

  it("drops the oldest error only when every notice is an error", () => {
    let stack: Notice[] = [];
    for (const id of [1, 2, 3, 4]) stack = pushNotice(stack, notice(id, `e${id}`, "error"));
    expect(stack.map((n) => n.id)).toEqual([2, 3, 4]);
  });

  it("times out every tone but errors", () => {
    expect(NOTICE_TIMEOUT_MS.error).toBeNull();
    for (const tone of ["success", "info", "warning"] as const) {
      expect(NOTICE_TIMEOUT_MS[tone]).toBeGreaterThan(0);
    }
  });
});
