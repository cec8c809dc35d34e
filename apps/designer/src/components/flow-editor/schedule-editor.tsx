"use client";

import {
  nextTransitions,
  SCHEDULE_DAYS,
  ScheduleConfigSchema,
  type ScheduleDay,
} from "@bms/nodes/definitions";
import { CalendarClock, Copy, Plus, Trash2, X } from "lucide-react";
import { useMemo, useRef, useState } from "react";
import { cn } from "../../lib/cn";
import {
  DAY_MINUTES,
  type GridPeriod,
  parsePeriodValue,
  placePeriod,
  shifted,
  snap,
  toHHMM,
  toMinutes,
} from "../../lib/schedule-grid";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

/** The config keys this editor owns; the inspector's generated form shows the others (default value). */
export const SCHEDULE_KEYS: readonly string[] = ["timezone", ...SCHEDULE_DAYS, "exceptions"];

const DAY_LABELS: Record<ScheduleDay, string> = {
  monday: "Mon",
  tuesday: "Tue",
  wednesday: "Wed",
  thursday: "Thu",
  friday: "Fri",
  saturday: "Sat",
  sunday: "Sun",
};
const HOUR_PX = 28;
const TRACK_PX = 24 * HOUR_PX;

interface Exception {
  name?: string;
  date: string;
  end_date?: string | null;
  periods?: GridPeriod[];
}

type Config = Record<string, unknown>;

function periodsOf(value: unknown): GridPeriod[] {
  return Array.isArray(value) ? (value as GridPeriod[]) : [];
}

function showValue(v: GridPeriod["value"]): string {
  return v === undefined ? "on" : v === true ? "on" : v === false ? "off" : String(v);
}

type Drag =
  | { mode: "create"; anchor: number; at: number }
  | { mode: "move"; index: number; grab: number; at: number }
  | { mode: "start" | "end"; index: number; at: number };

/**
 * One day's 24 hours: drag on empty time to add a period, drag a period to move it, drag its edges to
 * resize it. A drop is placed in the free time around where it began, so periods never overlap; the
 * change is committed once, on release (one undo step).
 */
function PeriodTrack({
  id,
  periods,
  selected,
  onSelect,
  onCommit,
}: {
  id: string;
  periods: GridPeriod[];
  selected: number | null;
  onSelect: (index: number | null) => void;
  onCommit: (periods: GridPeriod[]) => void;
}) {
  const track = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const minuteAt = (clientX: number) => {
    const box = track.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return ((clientX - box.left) / box.width) * DAY_MINUTES;
  };
  const draft = (d: Drag): { start: number; end: number; anchor: number; index?: number } | null => {
    if (d.mode === "create") return { start: d.anchor, end: snap(d.at), anchor: d.anchor };
    const p = periods[d.index];
    if (!p) return null;
    if (d.mode === "move") {
      const moved = shifted(p, snap(d.at - d.grab));
      return { ...moved, anchor: moved.start, index: d.index };
    }
    const s = toMinutes(p.start);
    const e = toMinutes(p.end);
    return d.mode === "start"
      ? { start: Math.min(snap(d.at), e - 15), end: e, anchor: e - 1, index: d.index }
      : { start: s, end: Math.max(snap(d.at), s + 15), anchor: s, index: d.index };
  };
  const preview = drag ? draft(drag) : null;

  const begin = (e: React.PointerEvent, next: Drag) => {
    e.stopPropagation();
    e.preventDefault();
    // Keeps the drag when the pointer leaves the track (absent in some test DOMs).
    track.current?.setPointerCapture?.(e.pointerId);
    setDrag(next);
  };

  return (
    <div
      ref={track}
      data-testid={`schedule-track-${id}`}
      className="relative h-7 cursor-crosshair rounded bg-slate-100"
      style={{ width: TRACK_PX }}
      onPointerDown={(e) => {
        const m = snap(minuteAt(e.clientX));
        onSelect(null);
        begin(e, { mode: "create", anchor: m, at: m });
      }}
      onPointerMove={(e) => {
        if (drag) setDrag({ ...drag, at: minuteAt(e.clientX) });
      }}
      onPointerUp={() => {
        const d = drag && draft(drag);
        setDrag(null);
        if (!d) return;
        const placed = placePeriod(periods, d, d.index);
        if (!placed) return;
        // A click on a period selects it without changing anything (no empty undo step).
        if (JSON.stringify(placed) !== JSON.stringify(periods)) onCommit(placed);
        const index = placed.findIndex((p) => toMinutes(p.start) >= Math.min(d.start, d.end) - 15);
        onSelect(index >= 0 ? index : null);
      }}
    >
      {Array.from({ length: 23 }, (_, h) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed hour lines
          key={h}
          className={cn("absolute inset-y-0 w-px", (h + 1) % 6 === 0 ? "bg-slate-300" : "bg-slate-200")}
          style={{ left: (h + 1) * HOUR_PX }}
        />
      ))}
      {periods.map((p, i) => {
        const hidden = preview?.index === i;
        const left = (toMinutes(p.start) / DAY_MINUTES) * TRACK_PX;
        const width = ((toMinutes(p.end) - toMinutes(p.start)) / DAY_MINUTES) * TRACK_PX;
        return (
          <div
            key={`${p.start}-${p.end}`}
            data-testid={`schedule-period-${id}-${i}`}
            data-start={p.start}
            data-end={p.end}
            title={`${p.start}–${p.end}: ${showValue(p.value)}`}
            className={cn(
              "absolute inset-y-0.5 flex cursor-grab items-center overflow-hidden rounded bg-sky-500 text-[10px] text-white",
              selected === i && "ring-2 ring-sky-800",
              hidden && "opacity-30",
            )}
            style={{ left, width }}
            onPointerDown={(e) =>
              begin(e, { mode: "move", index: i, grab: minuteAt(e.clientX), at: minuteAt(e.clientX) })
            }
          >
            <div
              data-testid={`schedule-period-${id}-${i}-start`}
              className="h-full w-1.5 shrink-0 cursor-ew-resize bg-sky-700"
              onPointerDown={(e) => begin(e, { mode: "start", index: i, at: minuteAt(e.clientX) })}
            />
            <span className="min-w-0 flex-1 truncate px-0.5">{width > 40 ? showValue(p.value) : ""}</span>
            <div
              data-testid={`schedule-period-${id}-${i}-end`}
              className="h-full w-1.5 shrink-0 cursor-ew-resize bg-sky-700"
              onPointerDown={(e) => begin(e, { mode: "end", index: i, at: minuteAt(e.clientX) })}
            />
          </div>
        );
      })}
      {preview ? (
        <div
          data-testid={`schedule-preview-${id}`}
          className="pointer-events-none absolute inset-y-0.5 rounded border-2 border-dashed border-sky-700 bg-sky-200/60 text-[10px]"
          style={{
            left: (Math.min(preview.start, preview.end) / DAY_MINUTES) * TRACK_PX,
            width: (Math.abs(preview.end - preview.start) / DAY_MINUTES) * TRACK_PX,
          }}
        >
          {toHHMM(Math.min(preview.start, preview.end))}–{toHHMM(Math.max(preview.start, preview.end))}
        </div>
      ) : null}
    </div>
  );
}

/** The first free hour from 08:00 (then from midnight), for adding a period from the keyboard. */
function firstFreeHour(periods: GridPeriod[]): { periods: GridPeriod[]; index: number } | null {
  for (let m = 8 * 60; m !== 8 * 60 - 30; m = (m + 30) % DAY_MINUTES) {
    if (m + 60 > DAY_MINUTES) continue;
    const placed = placePeriod(periods, { start: m, end: m + 60, anchor: m });
    if (placed?.some((p) => p.start === toHHMM(m) && p.end === toHHMM(m + 60))) {
      return { periods: placed, index: placed.findIndex((p) => p.start === toHHMM(m)) };
    }
  }
  return null;
}

/** Exact entry for the selected period: times, value, delete. */
function PeriodDetails({
  id,
  period,
  onChange,
  onDelete,
}: {
  id: string;
  period: GridPeriod;
  onChange: (period: GridPeriod) => void;
  onDelete: () => void;
}) {
  const [start, setStart] = useState(period.start);
  const [end, setEnd] = useState(period.end);
  const [value, setValue] = useState(showValue(period.value));
  const [error, setError] = useState<string | null>(null);
  const apply = () => {
    const v = parsePeriodValue(value);
    const okTime = (t: string) => /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/.test(t);
    if (!okTime(start) || !okTime(end)) return setError("times are HH:MM (24:00 for midnight)");
    if (toMinutes(start) >= toMinutes(end)) return setError("start must be before end");
    if (v === undefined) return setError("value: on, off or a number");
    setError(null);
    onChange({ start, end, value: v });
  };
  return (
    <div className="flex flex-wrap items-end gap-2 rounded border border-slate-200 bg-slate-50 p-2 text-xs">
      <label className="flex flex-col">
        Start
        <Input
          className="h-7 w-20"
          data-testid={`schedule-edit-${id}-start`}
          value={start}
          onChange={(e) => setStart(e.target.value)}
          onBlur={apply}
        />
      </label>
      <label className="flex flex-col">
        End
        <Input
          className="h-7 w-20"
          data-testid={`schedule-edit-${id}-end`}
          value={end}
          onChange={(e) => setEnd(e.target.value)}
          onBlur={apply}
        />
      </label>
      <label className="flex flex-col">
        Value
        <Input
          className="h-7 w-20"
          data-testid={`schedule-edit-${id}-value`}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onBlur={apply}
        />
      </label>
      <Button size="sm" variant="outline" data-testid={`schedule-edit-${id}-apply`} onClick={apply}>
        Apply
      </Button>
      <Button size="sm" variant="ghost" data-testid={`schedule-edit-${id}-delete`} onClick={onDelete}>
        <Trash2 /> Delete
      </Button>
      {error ? (
        <p className="w-full text-red-700" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Searchable IANA zone list from the browser's own time-zone database (the same one Node uses). */
function TimeZonePicker({ value, onChange }: { value: string; onChange: (zone: string) => void }) {
  const zones = useMemo(() => {
    const list = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    return list.includes("UTC") ? list : ["UTC", ...list];
  }, []);
  const [search, setSearch] = useState("");
  const term = search.trim().toLowerCase().replace(/\s+/g, "_");
  const shown = term ? zones.filter((z) => z.toLowerCase().includes(term)).slice(0, 40) : [];
  return (
    <div className="space-y-1">
      <div className="flex items-center gap-2 text-xs">
        <span className="font-medium text-slate-700">Time zone</span>
        <span className="rounded bg-slate-100 px-1.5 py-0.5 font-mono" data-testid="schedule-timezone">
          {value}
        </span>
      </div>
      <Input
        className="h-7"
        placeholder="Search a city or region, e.g. Paris"
        data-testid="schedule-timezone-search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {shown.length > 0 ? (
        <ul className="max-h-32 overflow-y-auto rounded border border-slate-200 bg-white text-xs">
          {shown.map((zone) => (
            <li key={zone}>
              <button
                type="button"
                aria-pressed={zone === value}
                data-testid={`tz-option-${zone}`}
                className="w-full px-2 py-0.5 text-left hover:bg-sky-50"
                onClick={() => {
                  onChange(zone);
                  setSearch("");
                }}
              >
                {zone}
              </button>
            </li>
          ))}
        </ul>
      ) : term ? (
        <p className="text-[11px] text-slate-500">No zone matches “{search}”.</p>
      ) : null}
    </div>
  );
}

/** The coming changes, computed by the node's own evaluation (packages/nodes core/schedule.ts). */
function NextTransitions({ config }: { config: Config }) {
  const key = JSON.stringify(config);
  const rows = useMemo(() => {
    const parsed = ScheduleConfigSchema.safeParse(JSON.parse(key));
    if (!parsed.success) return null;
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: parsed.data.timezone,
      weekday: "short",
      day: "2-digit",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    return nextTransitions(parsed.data, Date.now(), 5).map((t) => ({
      at: t.at,
      when: format.format(new Date(t.at)),
      value: String(t.value),
      exception: t.exception,
    }));
  }, [key]);
  return (
    <div className="space-y-1" data-testid="schedule-transitions">
      <div className="text-xs font-medium text-slate-700">Next changes</div>
      {rows === null ? (
        <p className="text-[11px] text-red-700">Fix the schedule's problems to see its next changes.</p>
      ) : rows.length === 0 ? (
        <p className="text-[11px] text-slate-500">The output does not change in the next 400 days.</p>
      ) : (
        <ol className="space-y-0.5 text-[11px]">
          {rows.map((r) => (
            <li
              key={r.at}
              data-testid="schedule-transition"
              data-at={new Date(r.at).toISOString()}
              data-value={r.value}
            >
              <span className="font-mono">{r.when}</span> → <b>{r.value}</b>
              {r.exception ? <span className="text-slate-500"> ({r.exception})</span> : null}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** The full week editor, shown over the canvas: the side panel is too narrow for 24 hours. */
export function WeekEditor({
  config,
  onChange,
  onClose,
}: {
  config: Config;
  onChange: (key: string, value: unknown) => void;
  onClose: () => void;
}) {
  const [selected, setSelected] = useState<{ row: string; index: number } | null>(null);
  const [copyFrom, setCopyFrom] = useState<ScheduleDay>("monday");
  const [copyTo, setCopyTo] = useState<ScheduleDay[]>([]);
  const exceptions = (Array.isArray(config.exceptions) ? config.exceptions : []) as Exception[];
  const setException = (i: number, patch: Partial<Exception>) =>
    onChange(
      "exceptions",
      exceptions.map((e, j) => (j === i ? { ...e, ...patch } : e)),
    );

  const row = (id: string, label: string, periods: GridPeriod[], commit: (p: GridPeriod[]) => void) => {
    const sel = selected?.row === id ? selected.index : null;
    const period = sel !== null ? periods[sel] : undefined;
    return (
      <div key={id} className="space-y-1">
        <div className="flex items-center gap-2">
          <span className="w-10 shrink-0 text-xs font-medium text-slate-700">{label}</span>
          <PeriodTrack
            id={id}
            periods={periods}
            selected={sel}
            onSelect={(index) => setSelected(index === null ? null : { row: id, index })}
            onCommit={commit}
          />
          <button
            type="button"
            className="rounded border border-slate-300 px-1 text-xs text-slate-600 hover:bg-slate-100"
            title="Add a period in the first free hour from 08:00 (then type its times), without the mouse"
            aria-label={`Add a period to ${label}`}
            data-testid={`schedule-add-${id}`}
            onClick={() => {
              const placed = firstFreeHour(periods);
              if (!placed) return;
              commit(placed.periods);
              setSelected({ row: id, index: placed.index });
            }}
          >
            +
          </button>
        </div>
        {period && sel !== null ? (
          <div className="pl-12">
            <PeriodDetails
              key={`${id}-${sel}-${period.start}-${period.end}-${String(period.value)}`}
              id={id}
              period={period}
              onChange={(next) => {
                const placed = placePeriod(
                  periods,
                  {
                    start: toMinutes(next.start),
                    end: toMinutes(next.end),
                    anchor: toMinutes(next.start),
                    ...(next.value !== undefined ? { value: next.value } : {}),
                  },
                  sel,
                  1,
                );
                if (placed) commit(placed);
              }}
              onDelete={() => {
                commit(periods.filter((_, i) => i !== sel));
                setSelected(null);
              }}
            />
          </div>
        ) : null}
      </div>
    );
  };

  return (
    <div
      className="fixed inset-0 z-50 flex items-start justify-center overflow-y-auto bg-slate-900/40 p-6"
      data-testid="schedule-dialog"
    >
      <div
        className="w-[860px] space-y-4 rounded-lg bg-white p-4 shadow-xl"
        role="dialog"
        aria-label="Weekly schedule"
      >
        <div className="flex items-center justify-between">
          <h2 className="flex items-center gap-2 text-sm font-semibold">
            <CalendarClock className="size-4" /> Weekly schedule
          </h2>
          <Button size="sm" variant="ghost" onClick={onClose} data-testid="schedule-close">
            <X /> Done
          </Button>
        </div>
        <p className="text-[11px] text-slate-600">
          Drag on a day to add a period, drag a period to move it, drag its ends to resize it (15-minute
          steps); click it to type exact times or its value. Each change is one undo step on the canvas.
        </p>
        <div className="space-y-1">
          <div className="flex pl-12 text-[10px] text-slate-500">
            {Array.from({ length: 9 }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: fixed hour labels
              <span key={i} style={{ width: i < 8 ? HOUR_PX * 3 : undefined }}>
                {String(i * 3).padStart(2, "0")}:00
              </span>
            ))}
          </div>
          {SCHEDULE_DAYS.map((day) =>
            row(day, DAY_LABELS[day], periodsOf(config[day]), (p) => onChange(day, p)),
          )}
        </div>
        <div className="flex flex-wrap items-center gap-2 rounded border border-slate-200 p-2 text-xs">
          <Copy className="size-3.5" /> Copy
          <select
            className="h-7 rounded border border-slate-300 px-1"
            data-testid="schedule-copy-from"
            value={copyFrom}
            onChange={(e) => setCopyFrom(e.target.value as ScheduleDay)}
          >
            {SCHEDULE_DAYS.map((d) => (
              <option key={d} value={d}>
                {DAY_LABELS[d]}
              </option>
            ))}
          </select>
          to
          {SCHEDULE_DAYS.filter((d) => d !== copyFrom).map((d) => (
            <label key={d} className="flex items-center gap-0.5">
              <input
                type="checkbox"
                data-testid={`schedule-copy-to-${d}`}
                checked={copyTo.includes(d)}
                onChange={(e) => setCopyTo(e.target.checked ? [...copyTo, d] : copyTo.filter((x) => x !== d))}
              />
              {DAY_LABELS[d]}
            </label>
          ))}
          <Button
            size="sm"
            variant="ghost"
            data-testid="schedule-copy-weekdays"
            onClick={() =>
              setCopyTo(
                ["monday", "tuesday", "wednesday", "thursday", "friday"].filter(
                  (d) => d !== copyFrom,
                ) as ScheduleDay[],
              )
            }
          >
            weekdays
          </Button>
          <Button
            size="sm"
            variant="outline"
            data-testid="schedule-copy-apply"
            disabled={copyTo.length === 0}
            onClick={() => {
              const source = periodsOf(config[copyFrom]);
              for (const day of copyTo)
                onChange(
                  day,
                  source.map((p) => ({ ...p })),
                );
              setCopyTo([]);
            }}
          >
            Copy
          </Button>
        </div>
        <div className="space-y-2">
          <div className="flex items-center justify-between">
            <span className="text-xs font-medium text-slate-700">
              Exceptions (holidays, events): checked first, in this order; no periods means closed all day
            </span>
            <Button
              size="sm"
              variant="outline"
              data-testid="schedule-exception-add"
              onClick={() =>
                onChange("exceptions", [
                  ...exceptions,
                  { name: "", date: new Date().toISOString().slice(0, 10), end_date: null, periods: [] },
                ])
              }
            >
              <Plus /> Exception
            </Button>
          </div>
          {exceptions
            .map((e, i) => ({ e, i, id: `exception-${i}` }))
            .map(({ e, i, id }) => (
              <div
                key={id}
                className="space-y-1 rounded border border-amber-200 bg-amber-50/50 p-2"
                data-testid={`schedule-exception-${i}`}
              >
                <div className="flex flex-wrap items-end gap-2 text-xs">
                  <label className="flex flex-col">
                    Name
                    <Input
                      className="h-7 w-40"
                      data-testid={`schedule-exception-${i}-name`}
                      value={e.name ?? ""}
                      maxLength={100}
                      onChange={(ev) => setException(i, { name: ev.target.value })}
                    />
                  </label>
                  <DateField
                    label="From"
                    testId={`schedule-exception-${i}-date`}
                    value={e.date}
                    onValid={(date) => setException(i, { date })}
                  />
                  <DateField
                    label="To (inclusive)"
                    testId={`schedule-exception-${i}-end`}
                    value={e.end_date ?? ""}
                    optional
                    onValid={(end) => setException(i, { end_date: end === "" ? null : end })}
                  />
                  <span className="text-[10px] text-slate-500">YYYY-MM-DD, or MM-DD for every year</span>
                  <Button
                    size="sm"
                    variant="ghost"
                    data-testid={`schedule-exception-${i}-remove`}
                    onClick={() =>
                      onChange(
                        "exceptions",
                        exceptions.filter((_, j) => j !== i),
                      )
                    }
                  >
                    <Trash2 /> Remove
                  </Button>
                </div>
                {row(`exception-${i}`, "Hours", periodsOf(e.periods), (p) => setException(i, { periods: p }))}
              </div>
            ))}
        </div>
        <NextTransitions config={config} />
      </div>
    </div>
  );
}

const DATE = /^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A date typed by hand; only a well-formed one is committed. */
function DateField({
  label,
  testId,
  value,
  optional = false,
  onValid,
}: {
  label: string;
  testId: string;
  value: string;
  optional?: boolean;
  onValid: (value: string) => void;
}) {
  const [text, setText] = useState(value);
  const bad = !(DATE.test(text) || (optional && text === ""));
  return (
    <label className="flex flex-col">
      {label}
      <Input
        className="h-7 w-32 font-mono"
        data-testid={testId}
        value={text}
        aria-invalid={bad || undefined}
        placeholder={optional ? "one day" : "2026-12-25"}
        onChange={(e) => {
          setText(e.target.value);
          const next = e.target.value.trim();
          if (DATE.test(next) || (optional && next === "")) onValid(next);
        }}
      />
    </label>
  );
}

/** In the side panel: a one-glance week and the editor button; the editor itself opens over the canvas. */
export function ScheduleEditor({
  config,
  onChange,
  problems,
}: {
  config: Config;
  onChange: (key: string, value: unknown) => void;
  problems: Record<string, string>;
}) {
  const [open, setOpen] = useState(false);
  const shown = SCHEDULE_KEYS.filter((k) => problems[k]);
  return (
    <div className="space-y-2" data-testid="schedule-editor">
      <TimeZonePicker
        value={typeof config.timezone === "string" ? config.timezone : "UTC"}
        onChange={(z) => onChange("timezone", z)}
      />
      <div className="space-y-0.5" data-testid="schedule-summary">
        {SCHEDULE_DAYS.map((day) => (
          <div key={day} className="flex items-center gap-1 text-[10px]">
            <span className="w-7 text-slate-600">{DAY_LABELS[day]}</span>
            <div className="relative h-2.5 flex-1 rounded bg-slate-100">
              {periodsOf(config[day]).map((p) => (
                <div
                  key={`${p.start}-${p.end}`}
                  className="absolute inset-y-0 rounded bg-sky-500"
                  style={{
                    left: `${(toMinutes(p.start) / DAY_MINUTES) * 100}%`,
                    width: `${((toMinutes(p.end) - toMinutes(p.start)) / DAY_MINUTES) * 100}%`,
                  }}
                />
              ))}
            </div>
          </div>
        ))}
      </div>
      <Button
        size="sm"
        variant="outline"
        className="w-full"
        data-testid="schedule-open"
        onClick={() => setOpen(true)}
      >
        <CalendarClock /> Edit week, copy days, exceptions…
      </Button>
      {shown.length > 0 ? (
        <ul className="text-[11px] text-red-700">
          {shown.map((k) => (
            <li key={k}>
              {k}: {problems[k]}
            </li>
          ))}
        </ul>
      ) : null}
      <NextTransitions config={config} />
      {open ? <WeekEditor config={config} onChange={onChange} onClose={() => setOpen(false)} /> : null}
    </div>
  );
}
