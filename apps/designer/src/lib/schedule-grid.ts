/**
 * The week grid's arithmetic, free of React: minutes ↔ HH:MM, snapping, and placing a dragged period in
 * the free time of its day so periods never overlap (the node takes the first matching period, so an
 * overlap would hide part of one without saying so).
 */

export interface GridPeriod {
  start: string;
  end: string;
  value?: number | boolean;
}

export const DAY_MINUTES = 1440;

export function toMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export function toHHMM(minutes: number): string {
  const m = Math.max(0, Math.min(DAY_MINUTES, Math.round(minutes)));
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

export function snap(minutes: number, step = 15): number {
  return Math.max(0, Math.min(DAY_MINUTES, Math.round(minutes / step) * step));
}

export function sortPeriods<P extends GridPeriod>(periods: readonly P[]): P[] {
  return [...periods].sort((a, b) => toMinutes(a.start) - toMinutes(b.start));
}

/**
 * Puts `draft` (minutes) into `periods`, replacing the one at `replacing` if given: the draft is cut to
 * the free gap that holds its anchor (where the drag started, or the moved period's start), so it never
 * overlaps a neighbour. Returns the day's periods sorted, or null when no time is left there.
 */
export function placePeriod<P extends GridPeriod>(
  periods: readonly P[],
  draft: { start: number; end: number; anchor: number; value?: number | boolean },
  replacing?: number,
  minLength = 15,
): GridPeriod[] | null {
  const others = periods.filter((_, i) => i !== replacing);
  let lo = 0;
  let hi = DAY_MINUTES;
  for (const p of others) {
    const s = toMinutes(p.start);
    const e = toMinutes(p.end);
    if (draft.anchor >= s && draft.anchor < e) return null;
    if (e <= draft.anchor) lo = Math.max(lo, e);
    if (s > draft.anchor) hi = Math.min(hi, s);
  }
  const start = Math.max(lo, Math.min(draft.start, draft.end));
  const end = Math.min(hi, Math.max(draft.start, draft.end));
  if (end - start < minLength) return null;
  const kept = replacing === undefined ? undefined : periods[replacing];
  const value = draft.value ?? kept?.value;
  const placed: GridPeriod = {
    start: toHHMM(start),
    end: toHHMM(end),
    ...(value !== undefined ? { value } : {}),
  };
  return sortPeriods([...others, placed]);
}

/** A moved period keeps its length: shift by `delta` minutes within the day. */
export function shifted(period: GridPeriod, delta: number): { start: number; end: number } {
  const s = toMinutes(period.start);
  const e = toMinutes(period.end);
  const d = Math.max(-s, Math.min(DAY_MINUTES - e, delta));
  return { start: s + d, end: e + d };
}

/** Copies one day's periods onto other days (each gets its own copy). */
export function copyDay<D extends string>(
  week: Readonly<Record<D, readonly GridPeriod[]>>,
  from: D,
  to: readonly D[],
): Partial<Record<D, GridPeriod[]>> {
  const out: Partial<Record<D, GridPeriod[]>> = {};
  for (const day of to) if (day !== from) out[day] = week[from].map((p) => ({ ...p }));
  return out;
}

/** A period value typed by a person: true/false, on/off, or a number. */
export function parsePeriodValue(text: string): number | boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === "true" || t === "on" || t === "occupied") return true;
  if (t === "false" || t === "off" || t === "unoccupied") return false;
  if (t !== "" && Number.isFinite(Number(t))) return Number(t);
  return undefined;
}
