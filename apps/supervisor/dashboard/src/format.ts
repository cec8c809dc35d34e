import type { Trigger } from "@bms/schemas";

/** How the dashboard writes times, sizes and values for an operator. */

/** One age wording for every view, shared with the Designer's alarm view. */
export { timeAgo as ago } from "@bms/schemas/alarm-display";

export function duration(seconds: number): string {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value >= 100 || i === 0 ? Math.round(value) : value.toFixed(1)} ${units[i]}`;
}

export function dateTime(at: string | number | null | undefined): string {
  if (at === null || at === undefined) return "–";
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return "–";
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function timeOfDay(at: string | number): string {
  return new Date(at).toLocaleTimeString(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** A number with as many decimals as a building value needs; booleans as On/Off. */
export function value(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "boolean") return v ? "On" : "Off";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    const abs = Math.abs(v);
    const digits = abs >= 1000 || Number.isInteger(v) ? 0 : abs >= 100 ? 1 : 2;
    return v.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return `[${v.length} items]`;
  return JSON.stringify(v);
}

/** A point's value: a binary object's 0/1 reads as Off/On, as on the controller's own display. */
export function pointValue(ref: string, v: unknown): string {
  if (/^bacnet:\d+\/binary[A-Za-z]+:\d+(\.presentValue)?$/.test(ref) && (v === 0 || v === 1)) {
    return v === 1 ? "On" : "Off";
  }
  return value(v);
}

/** A point reference without the default property, as the Designer shows it. */
export function shortRef(ref: string): string {
  return ref.replace(/\.presentValue$/, "");
}

/** A flow's trigger in words: "every 5 s", "schedule 0 7 * * 1-5 (Europe/Paris)", "on change". */
export function triggerText(trigger: Trigger | null | undefined): string {
  if (!trigger) return "–";
  if (trigger.type === "interval") return `every ${trigger.interval_ms / 1000} s`;
  if (trigger.type === "cron") return `schedule ${trigger.expression} (${trigger.timezone})`;
  return "on change";
}
