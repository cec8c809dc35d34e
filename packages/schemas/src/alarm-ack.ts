import { z } from "zod";

/** The longest name a shared panel may give as the person acknowledging. */
export const ALARM_ACK_MAX_BY = 100;
/** The longest operator comment kept with an acknowledgement (after trimming). */
export const ALARM_ACK_MAX_COMMENT = 500;

/**
 * The body of `POST /api/alerts/:key/ack`, one definition for the supervisor's route, the Designer's
 * proxy (which keeps the comment in its own audit record only when it passes) and the Designer's form.
 * `by` names the person at the panel when the caller is a shared tablet; `comment` is the operator's
 * why ("called the tenant, window open"), trimmed, for the audit record and the event log only.
 */
export const AlarmAckBodySchema = z
  .object({
    by: z.string().max(ALARM_ACK_MAX_BY).optional(),
    comment: z.string().trim().max(ALARM_ACK_MAX_COMMENT).optional(),
  })
  .default({});
export type AlarmAckBody = z.infer<typeof AlarmAckBodySchema>;
