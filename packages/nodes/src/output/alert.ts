// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the description shows the alert template syntax, ${} included
import { z } from "zod";
import { cachedTemplate, renderTemplate } from "../core/template";
import { defineNode, type NodeContext, type NodeInputs, type NodeValue, type Scalar } from "../core/types";
import { asBoolean } from "../core/values";

type Phase = "normal" | "pending" | "active" | "acknowledged" | "returned";

interface AlertState {
  phase: Phase;
  /** When the condition turned on (on-delay) or off (off-delay), ms. */
  since: number | null;
  lastAckInput: boolean;
  /** The last value seen of the `alert_ack:<key>` parameter the supervisor's ack API sets. */
  ackToken: Scalar | null;
  message: string;
}

const TemplateSchema = z
  .string()
  .min(1)
  .max(500)
  .superRefine((text, ctx) => {
    const compiled = cachedTemplate(text);
    if (!compiled.ok) ctx.addIssue({ code: "custom", message: compiled.error });
  });

/** Rendered when the alarm becomes active; a part that cannot be evaluated shows as "?". */
function render(template: string, inputs: NodeInputs, ctx: NodeContext): string {
  const compiled = cachedTemplate(template);
  if (!compiled.ok) return template;
  const resolve = (name: string): NodeValue | undefined =>
    name === "value" ? inputs.value : name === "condition" ? inputs.condition : ctx.lookup(name);
  return renderTemplate(compiled.template, resolve).text;
}

export const alert = defineNode({
  type: "alert",
  version: 1,
  category: "output",
  label: "Alert",
  icon: "bell-ring",
  description:
    "Raises an alarm while `condition` is true for at least on_delay_s, with a message template " +
    "(`Temperature high: $temp`: `$value` is the value input, other names are node aliases; " +
    "`${round(temp, 1)}` takes an expression). It emits one event per transition, never one per scan: " +
    "active, acknowledged and cleared, all with the same dedup `key` (default: flow and node id), sent " +
    "by the supervisor to the event log and to webhook_url when set. auto_reset clears once the condition " +
    "has been false for off_delay_s; latched stays active after the condition returns to normal until " +
    "acknowledged. Acknowledge with a rising edge on `ack`, or through the supervisor's API, which sets " +
    "the runtime parameter `alert_ack:<key>` to a new value. A bad, null or NaN condition keeps the alarm " +
    "as it is (no new alarm and no clearing on an unknown), unless on_bad_condition is 'alarm' (a failed " +
    "sensor is itself an alarm). The message is rendered when the alarm becomes active.",
  inputs: [
    { name: "condition", type: "boolean", label: "Condition", required: true },
    { name: "value", type: "any", label: "Value" },
    { name: "ack", type: "boolean", label: "Acknowledge" },
  ],
  outputs: [
    { name: "active", type: "boolean", label: "Active" },
    { name: "state", type: "string", label: "State" },
    { name: "message", type: "string", label: "Message" },
  ],
  config: z.object({
    message: TemplateSchema.default("Alarm: $value").describe("Template, e.g. Temperature high: $temp"),
    priority: z.enum(["low", "medium", "high", "critical"]).default("medium"),
    on_delay_s: z.number().min(0).max(86_400).default(0).describe("Condition must last this long, s"),
    off_delay_s: z
      .number()
      .min(0)
      .max(86_400)
      .default(0)
      .describe("auto_reset: clear after this long normal, s"),
    mode: z.enum(["auto_reset", "latched"]).default("auto_reset"),
    key: z.string().max(200).default("").describe("Dedup key; empty: flow id/node id"),
    webhook_url: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null)
      .describe("Also POSTed here"),
    on_bad_condition: z.enum(["hold", "alarm"]).default("hold"),
  }),
  // Latched alarms and acknowledgements a person made.
  statePersistence: "on_change",
  initialState: (): AlertState => ({
    phase: "normal",
    since: null,
    lastAckInput: false,
    ackToken: null,
    message: "",
  }),
  execute(inputs, config, state, ctx) {
    const now = ctx.now;
    const key = config.key || `${ctx.flowId}/${ctx.nodeId}`;
    const emit = (kind: "active" | "acknowledged" | "cleared") =>
      ctx.emitAlert({
        key,
        state: kind,
        priority: config.priority,
        message: state.message,
        latched: config.mode === "latched",
        ...(config.webhook_url ? { webhookUrl: config.webhook_url } : {}),
      });

    // Acknowledgement: a rising edge on `ack`, or a new token from the API.
    const ackInput = inputs.ack?.quality !== "bad" && asBoolean(inputs.ack) === true;
    const token = ctx.parameter(`alert_ack:${key}`) ?? null;
    const acked = (ackInput && !state.lastAckInput) || (token !== null && token !== state.ackToken);
    state.lastAckInput = ackInput;
    state.ackToken = token;

    const raw = inputs.condition?.quality === "bad" ? undefined : asBoolean(inputs.condition);
    const condition = raw ?? (config.on_bad_condition === "alarm" ? true : undefined);

    if (condition !== undefined) {
      const inAlarm =
        state.phase === "active" || state.phase === "acknowledged" || state.phase === "returned";
      if (condition) {
        if (state.phase === "normal") {
          state.phase = "pending";
          state.since = now;
        }
        if (state.phase === "returned") state.phase = "active";
        if (inAlarm) state.since = null;
        if (state.phase === "pending" && now - state.since! >= config.on_delay_s * 1000) {
          state.phase = "active";
          state.since = null;
          state.message = render(config.message, inputs, ctx);
          emit("active");
        }
      } else if (state.phase === "pending") {
        state.phase = "normal";
        state.since = null;
      } else if (inAlarm && state.phase !== "returned") {
        state.since ??= now;
        if (now - state.since >= config.off_delay_s * 1000) {
          state.since = null;
          if (config.mode === "latched" && state.phase === "active") {
            state.phase = "returned";
          } else {
            state.phase = "normal";
            emit("cleared");
          }
        }
      }
    }
    if (acked) {
      if (state.phase === "active") {
        state.phase = "acknowledged";
        emit("acknowledged");
      } else if (state.phase === "returned") {
        state.phase = "normal";
        emit("cleared");
      }
    }

    const quality = raw === undefined ? ("uncertain" as const) : ("good" as const);
    const reason = raw === undefined ? (inputs.condition?.reason ?? "condition is not a boolean") : undefined;
    const at = (value: boolean | string): NodeValue => ({
      value,
      quality,
      timestamp: now,
      ...(reason ? { reason } : {}),
    });
    const active = state.phase === "active" || state.phase === "acknowledged" || state.phase === "returned";
    return { active: at(active), state: at(state.phase), message: at(active ? state.message : "") };
  },
  examples: [
    {
      title: "High zone temperature",
      config: { message: "Temperature high: $temp", priority: "high", on_delay_s: 300 },
      explanation: "Threshold > 26 to `condition`; alarms after 5 minutes above, clears when back below.",
    },
  ],
});
