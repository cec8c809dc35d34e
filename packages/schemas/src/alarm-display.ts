/**
 * How an alarm reads for an operator: its state in words, its priority's colour and rank, where it
 * came from and when. One place, so the supervisor's dashboard and the Designer's alarm view say the
 * same of the same alarm. Free of zod and of any other import: the dashboard bundle takes it as it is.
 * The decoded event values of a device alarm are the supervisor's (`@bms/bacnet` `describeEventValues`,
 * joined into `message` and kept in `event.text`): both views print them as they come.
 */

export type AlarmState = "active" | "acknowledged" | "cleared";
/** The colour families both UIs have: red, amber, grey, blue. */
export type AlarmTone = "bad" | "warn" | "idle" | "info";

/** What `GET /api/alerts` answers per alarm (the fields these helpers read). */
export interface AlarmRecord {
  key: string;
  node_id: string;
  state: AlarmState;
  priority: string;
  message: string;
  latched: boolean;
  raised_at: string;
  acked_at: string | null;
  acked_by: string | null;
  /** The comment given with the acknowledgement (user text: both views print it as text, escaped). */
  ack_comment?: string | null;
  count: number;
  flow_id?: string | null;
  /** The name of the flow that raised it, while that flow is deployed. */
  flow_name?: string | null;
  /** A device alarm's event values, decoded by the supervisor. */
  event?: { event_type: string; text: string | null; device_message: string; values_problem: string | null };
}

export const ALARM_STATE_WORDS: Record<AlarmState, { word: string; tone: AlarmTone }> = {
  active: { word: "In alarm", tone: "bad" },
  acknowledged: { word: "Acknowledged", tone: "warn" },
  cleared: { word: "Cleared", tone: "idle" },
};

/** The alarm table's four priorities, most urgent first. */
export const ALARM_PRIORITIES = ["critical", "high", "medium", "low"] as const;

export function alarmPriorityTone(priority: string): AlarmTone {
  return priority === "critical" || priority === "high" ? "bad" : priority === "medium" ? "warn" : "info";
}

/** 0 for critical … 3 for low; a priority the table does not know sorts last. */
export function alarmPriorityRank(priority: string): number {
  const rank = (ALARM_PRIORITIES as readonly string[]).indexOf(priority);
  return rank < 0 ? ALARM_PRIORITIES.length : rank;
}

/** Most urgent first, then newest first: the order an operator works through them. */
export function byUrgency(a: AlarmRecord, b: AlarmRecord): number {
  return (
    alarmPriorityRank(a.priority) - alarmPriorityRank(b.priority) || b.raised_at.localeCompare(a.raised_at)
  );
}

/** Latched alarms stay active until someone acknowledges, even after the condition clears. */
export function awaitsAck(alarm: Pick<AlarmRecord, "state">): boolean {
  return alarm.state === "active";
}

/** `5 s ago`, `3 min ago`, `2 h 5 min ago`, `3 days ago`; "never" for no time. */
export function timeAgo(at: string | number | null | undefined, now = Date.now()): string {
  if (at === null || at === undefined) return "never";
  const t = typeof at === "number" ? at : Date.parse(at);
  if (Number.isNaN(t)) return "unknown";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min ago`;
  return `${Math.floor(h / 24)} days ago`;
}

const DEVICE_KEY = /^bacnet:(\d+)\/([A-Za-z]+):(\d+)$/;
const DEVICE_NODE = /^bacnet-device:(\d+)$/;

/**
 * Where an alarm comes from: a controller's own object (a device alarm, keyed `bacnet:<device>/<type>:<n>`)
 * or a flow's alert node.
 */
export type AlarmSource =
  | { kind: "device"; device: number; object: string | null }
  | { kind: "node"; node: string; flow: string | null; flowName: string | null };

export function alarmSource(
  alarm: Pick<AlarmRecord, "key" | "node_id" | "flow_id" | "flow_name">,
): AlarmSource {
  const device = DEVICE_NODE.exec(alarm.node_id);
  if (device) {
    const object = DEVICE_KEY.exec(alarm.key);
    return { kind: "device", device: Number(device[1]), object: object ? `${object[2]}:${object[3]}` : null };
  }
  return {
    kind: "node",
    node: alarm.node_id,
    flow: alarm.flow_id ?? null,
    flowName: alarm.flow_name ?? null,
  };
}

/** "device 1201, analogInput:3", "CHW plant › node pumps", or "node zone-alarm" (flow not known). */
export function alarmSourceText(
  alarm: Pick<AlarmRecord, "key" | "node_id" | "flow_id" | "flow_name">,
): string {
  const source = alarmSource(alarm);
  if (source.kind === "device") return `device ${source.device}${source.object ? `, ${source.object}` : ""}`;
  return source.flowName ? `${source.flowName} › node ${source.node}` : `node ${source.node}`;
}

/**
 * The line under an alarm's message: when it was raised and by what, how often, latched, and who
 * acknowledged it when. `showTime` adds the wall-clock time before the age (the banner, the Designer).
 */
export function alarmDetail(alarm: AlarmRecord, now: number, showTime = false): string {
  const raised = showTime ? `${new Date(alarm.raised_at).toLocaleString()}, ` : "";
  return [
    `raised ${raised}${timeAgo(alarm.raised_at, now)} by ${alarmSourceText(alarm)}`,
    alarm.count > 1 ? `${alarm.count} times` : "",
    alarm.latched ? "latched" : "",
    alarm.acked_by ? `acknowledged by ${alarm.acked_by} ${timeAgo(alarm.acked_at, now)}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

/**
 * The acknowledgement's note, `who: comment` ("operator" when the record names no one), or null without a
 * comment. Plain text: both views put it in the page as a text node, so a comment holding markup shows as
 * the characters typed.
 */
export function ackNote(alarm: Pick<AlarmRecord, "acked_by" | "ack_comment">): string | null {
  return alarm.ack_comment ? `${alarm.acked_by ?? "operator"}: ${alarm.ack_comment}` : null;
}
