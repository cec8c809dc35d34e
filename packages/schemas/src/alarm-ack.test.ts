import { describe, expect, it } from "vitest";
import { ALARM_ACK_MAX_BY, ALARM_ACK_MAX_COMMENT, AlarmAckBodySchema, alarmAckBody } from "./alarm-ack";

describe("AlarmAckBodySchema: one check of an acknowledgement's body for route, proxy and form", () => {
  it("takes no body, and trims the comment as it is kept", () => {
    expect(AlarmAckBodySchema.parse(undefined)).toEqual({});
    expect(AlarmAckBodySchema.parse({ by: "Ana", comment: "  called the tenant \n" })).toEqual({
      by: "Ana",
      comment: "called the tenant",
    });
  });

  it("measures the limit after trimming: 500 characters padded with spaces pass, 501 do not", () => {
    const full = "x".repeat(ALARM_ACK_MAX_COMMENT);
    expect(AlarmAckBodySchema.parse({ comment: `   ${full}   ` }).comment).toBe(full);
    const over = AlarmAckBodySchema.safeParse({ comment: `${full}x` });
    expect(over.success).toBe(false);
    expect(over.error?.issues.map((i) => i.path.join("."))).toEqual(["comment"]);
  });

  it("refuses a long name or a comment that is not text, naming the field", () => {
    const by = AlarmAckBodySchema.safeParse({ by: "b".repeat(ALARM_ACK_MAX_BY + 1) });
    expect(by.error?.issues.map((i) => i.path.join("."))).toEqual(["by"]);
    const comment = AlarmAckBodySchema.safeParse({ comment: 42 });
    expect(comment.error?.issues.map((i) => i.path.join("."))).toEqual(["comment"]);
    expect(AlarmAckBodySchema.safeParse({ by: "b".repeat(ALARM_ACK_MAX_BY) }).success).toBe(true);
  });
});

describe("alarmAckBody: what both ack forms send for what was typed", () => {
  it("sends no comment for blanks, and the trimmed comment otherwise", () => {
    expect(alarmAckBody({ comment: "  \n " })).toEqual({ ok: true, body: {} });
    expect(alarmAckBody({ by: "Ana", comment: " window open " })).toEqual({
      ok: true,
      body: { by: "Ana", comment: "window open" },
    });
  });

  it("says the limit in words when the comment or the name is too long", () => {
    expect(alarmAckBody({ comment: "x".repeat(ALARM_ACK_MAX_COMMENT + 1) })).toEqual({
      ok: false,
      message: `the comment is at most ${ALARM_ACK_MAX_COMMENT} characters`,
    });
    expect(alarmAckBody({ by: "b".repeat(ALARM_ACK_MAX_BY + 1) })).toEqual({
      ok: false,
      message: `the name is at most ${ALARM_ACK_MAX_BY} characters`,
    });
  });
});
