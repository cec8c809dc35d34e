import { Cron } from "croner";
import { z } from "zod";
import { isValidTimeZone } from "../core/local-time";
import { defineNode } from "../core/types";

/** Cron objects parsed once per (pattern, timezone); without a callback croner starts no timer. */
const crons = new Map<string, Cron>();
function cronFor(schedule: string, timezone: string): Cron {
  const key = `${timezone}\u0000${schedule}`;
  let cron = crons.get(key);
  if (!cron) {
    if (crons.size > 500) crons.clear();
    cron = new Cron(schedule, { timezone });
    crons.set(key, cron);
  }
  return cron;
}

export const trigger = defineNode({
  type: "trigger",
  version: 1,
  category: "input",
  label: "Trigger",
  icon: "clock",
  description:
    "Exposes when and why this scan runs: `now` (scan time, ms since epoch), `trigger` (interval, cron, " +
    "on_change or manual) and `scan` (count since the flow started). With a cron `schedule` (5 or 6 " +
    "fields, in `timezone`), `due` is true for one scan each time a scheduled instant has passed since the " +
    "node last ran, so a 1 s control flow can do something every 5 minutes; `next_run` is the next " +
    "scheduled instant (ms since epoch). Missed instants during an outage give one `due`, not a burst. " +
    "Without a schedule `due` is true every scan. The flow's own trigger is set on the flow, not here.",
  inputs: [],
  outputs: [
    { name: "due", type: "boolean", label: "Due" },
    { name: "now", type: "number", label: "Now (ms)" },
    { name: "trigger", type: "string", label: "Trigger" },
    { name: "scan", type: "number", label: "Scan" },
    { name: "next_run", type: "number", label: "Next run (ms)" },
  ],
  config: z
    .object({
      schedule: z
        .string()
        .max(120)
        .default("")
        .describe("Cron expression, e.g. */5 * * * *; empty: every scan"),
      timezone: z.string().max(64).default("UTC").describe("IANA time zone of the schedule"),
      due_on_start: z.boolean().default(true).describe("Be due on the first scan after a (re)start"),
    })
    .superRefine((c, ctx) => {
      if (!isValidTimeZone(c.timezone)) {
        ctx.addIssue({ code: "custom", path: ["timezone"], message: `unknown time zone ${c.timezone}` });
        return;
      }
      if (c.schedule.trim() === "") return;
      try {
        cronFor(c.schedule, c.timezone);
      } catch (e) {
        ctx.addIssue({
          code: "custom",
          path: ["schedule"],
          message: e instanceof Error ? e.message : String(e),
        });
      }
    }),
  // One-shot memory: a lost last run would fire a schedule again.
  statePersistence: "on_change",
  initialState: (): { last: number | null } => ({ last: null }),
  execute(_inputs, config, state, ctx) {
    const at = (value: number | boolean | string) => ({
      value,
      quality: "good" as const,
      timestamp: ctx.now,
    });
    let due = true;
    let next: number | null = null;
    if (config.schedule.trim() !== "") {
      const cron = cronFor(config.schedule, config.timezone);
      const since = state.last === null ? null : cron.nextRun(new Date(state.last));
      due = since === null ? config.due_on_start && state.last === null : since.getTime() <= ctx.now;
      next = cron.nextRun(new Date(ctx.now))?.getTime() ?? null;
    }
    // `last` moves only when the schedule is served (or on the first scan): "an instant passed since the
    // last due" is the same test as "since the last scan", and the state then changes once per instant,
    // not every scan, so this on-change state is written once per instant (none without a schedule).
    if (config.schedule.trim() !== "" && (due || state.last === null)) state.last = ctx.now;
    return {
      due: at(due),
      now: at(ctx.now),
      trigger: at(ctx.trigger),
      scan: at(ctx.scan),
      next_run:
        next === null ? { value: null, quality: "bad", timestamp: ctx.now, reason: "no schedule" } : at(next),
    };
  },
  examples: [
    {
      title: "Every five minutes",
      config: { schedule: "*/5 * * * *" },
      explanation: "`due` pulses once every 5 minutes, e.g. to log or to rotate a lead pump check.",
    },
  ],
});
