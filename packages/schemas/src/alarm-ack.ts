// zod/mini, not classic Zod: the supervisor dashboard's browser bundle checks its ack form with this
// module, and classic Zod would be ~450 KB of it (see who-has.ts).
import * as z from "zod/mini";

/** The longest name a shared panel may give as the person acknowledging. */
export const ALARM_ACK_MAX_BY = 100;
/** The longest operator comment kept with an acknowledgement (after trimming). */
export const ALARM_ACK_MAX_COMMENT = 500;

/**
 * The body of `POST /api/alerts/:key/ack`, one definition for the supervisor's route, the Designer's
 * proxy (which keeps the comment in its own audit record only when it passes), the Designer's form and
 * the dashboard's. `by` names the person at the panel when the caller is a shared tablet; `comment` is
 * the operator's why ("called the tenant, window open"), trimmed, kept on the alarm row, in the audit
 * record and in the event log; never sent to a device.
 */
export const AlarmAckBodySchema = z._default(
  z.object({
    by: z.optional(z.string().check(z.maxLength(ALARM_ACK_MAX_BY))),
    comment: z.optional(z.string().check(z.trim(), z.maxLength(ALARM_ACK_MAX_COMMENT))),
  }),
  {},
);
export type AlarmAckBody = z.infer<typeof AlarmAckBodySchema>;

/**
 * The body a form sends for what the operator typed: no comment when only blanks; otherwise the
 * checked body, or one readable line per problem (the form keeps the text so nothing typed is lost).
 */
export function alarmAckBody(fields: {
  by?: string;
  comment?: string;
}): { ok: true; body: AlarmAckBody } | { ok: false; message: string } {
  const input = {
    ...(fields.by ? { by: fields.by } : {}),
    ...(fields.comment?.trim() ? { comment: fields.comment } : {}),
  };
  const checked = AlarmAckBodySchema.safeParse(input);
  if (checked.success) return { ok: true, body: checked.data };
  // zod/mini carries no English messages of its own: the limits are said here, once for both forms.
  const message = checked.error.issues
    .map((issue) =>
      issue.path[0] === "comment"
        ? `the comment is at most ${ALARM_ACK_MAX_COMMENT} characters`
        : issue.path[0] === "by"
          ? `the name is at most ${ALARM_ACK_MAX_BY} characters`
          : issue.message,
    )
    .join("; ");
  return { ok: false, message };
}
