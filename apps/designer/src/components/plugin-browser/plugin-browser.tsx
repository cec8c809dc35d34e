"use client";

import {
  normalizePointRef,
  type PluginBrowseEntry,
  PluginBrowseListingSchema,
  PointValueSchema,
} from "@bms/schemas";
import { ChevronDown, ChevronRight, RefreshCw } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { z } from "zod";
import { runtimeCall } from "../../lib/designer-api";
import { useEditorStore } from "../../store/editor-store-provider";
import { POINT_MIME } from "../flow-editor/flow-canvas";
import { Button } from "../ui/button";

type BrowseEntry = PluginBrowseEntry;

/** The roots are stored under this key; every other level under its parent's id. */
const ROOT = "";
const LIVE_MS = 2000;

export interface PluginBrowserProps {
  supervisorId: string;
  /** `modbus`, `mqtt`, `http`: the registry's protocol key. */
  protocol: string;
  /** What a root is for this protocol, in the empty-state sentence ("Modbus devices"). */
  rootsNoun: string;
  /**
   * Whether dragging a writable point's row makes an Actuator Write (its handle then a Sensor Read), as
   * for BACnet commandable objects and Modbus writable registers. Off for MQTT: every topic can be
   * published to, but most seen on a broker are sensors, so the row reads and a `write` handle writes.
   */
  writeByDefault: boolean;
}

function canonical(ref: string): string {
  try {
    return normalizePointRef(ref);
  } catch {
    return ref;
  }
}

function show(value: unknown): string {
  if (value === undefined) return "";
  // Six significant digits, without the trailing zeros toPrecision pads with (14.5, not 14.5000).
  if (typeof value === "number") return String(Number(value.toPrecision(6)));
  if (typeof value === "string") return value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(value);
}

function PointRow({
  entry,
  protocol,
  writeByDefault,
}: {
  entry: BrowseEntry;
  protocol: string;
  writeByDefault: boolean;
}) {
  const ref = entry.ref ?? "";
  const live = useEditorStore((s) => (ref ? s.pointValues[canonical(ref)] : undefined));
  const value = live ? live.value : entry.reading?.value;
  const quality = live ? live.quality : entry.reading?.quality;
  const reason = live ? live.reason : entry.reading?.reason;
  const writable = entry.writable === true && ref !== "";
  // As on the BACnet tab: a writable point's row drops one node kind and its small handle the other.
  const rowWrites = writable && writeByDefault;
  const handle = writable ? (writeByDefault ? "read" : "write") : null;
  const drag = (asWrite: boolean) => (event: React.DragEvent) => {
    event.dataTransfer.setData(
      POINT_MIME,
      JSON.stringify({ point: ref, name: entry.name, commandable: asWrite }),
    );
    event.dataTransfer.effectAllowed = "copy";
  };
  return (
    <li data-testid={`${protocol}-point`} data-ref={ref}>
      <div
        draggable={ref !== ""}
        onDragStart={ref ? drag(rowWrites) : undefined}
        title={
          ref
            ? `${ref}\nDrag onto the canvas: ${rowWrites ? "Actuator Write (writable)" : "Sensor Read"}`
            : "No ref of its own (a bitfield's bits are read through their word)"
        }
        className="flex cursor-grab items-center gap-2 rounded px-2 py-1 hover:bg-sky-50"
      >
        <div className="min-w-0 flex-1">
          <div className="truncate font-medium text-slate-800">{entry.name}</div>
          <div className="truncate font-mono text-[10px] text-slate-500">{entry.description ?? ref}</div>
        </div>
        <span
          className={`font-mono text-[11px] ${quality === "bad" ? "text-red-700" : quality === "uncertain" ? "text-amber-700" : "text-slate-900"}`}
          data-testid={`${protocol}-point-value`}
          data-quality={quality ?? ""}
          title={reason}
        >
          {quality === "bad" && value === undefined ? "bad" : show(value)}
          {entry.units && value !== undefined ? ` ${entry.units}` : ""}
        </span>
        {handle ? (
          <span
            draggable
            onDragStart={(e) => {
              e.stopPropagation();
              drag(handle === "write")(e);
            }}
            className="rounded border border-slate-300 px-1 text-[10px] text-slate-600"
            title={`Drag this to ${handle} the point instead`}
            data-testid={`${protocol}-point-${handle}-handle`}
          >
            {handle}
          </span>
        ) : null}
      </div>
    </li>
  );
}

/**
 * Any plugin's browse tree through the supervisor (`GET /api/plugins/:protocol/browse`): devices and
 * profile registers for Modbus, the topic tree seen so far for MQTT, endpoints and their JSON leaves for
 * HTTP. Open levels are browsed again every 2 s (new topics appear) and their points read live.
 */
export function PluginBrowser({ supervisorId, protocol, rootsNoun, writeByDefault }: PluginBrowserProps) {
  const [levels, setLevels] = useState<Record<string, BrowseEntry[]>>({});
  const [open, setOpen] = useState<string[]>([ROOT]);
  const [error, setError] = useState<string | null>(null);
  const setPointValues = useEditorStore((s) => s.setPointValues);

  const browse = useCallback(
    async (id: string, signal?: AbortSignal) => {
      const query = id === ROOT ? "" : `?id=${encodeURIComponent(id)}`;
      const result = await runtimeCall<unknown>(`plugins/${protocol}/browse${query}`, {
        supervisor: supervisorId,
        background: true,
        ...(signal ? { signal } : {}),
      });
      if (signal?.aborted) return [];
      if (!result.ok) {
        setError(result.error);
        return [];
      }
      const parsed = PluginBrowseListingSchema.safeParse(result.body);
      if (!parsed.success) {
        setError(`The supervisor's ${protocol} browse answer has an unexpected shape.`);
        return [];
      }
      setError(null);
      setLevels((l) => ({ ...l, [id]: parsed.data.entries }));
      return parsed.data.entries;
    },
    [protocol, supervisorId],
  );

  // Every open level, again and again: structure (MQTT topics come and go) and live values.
  useEffect(() => {
    const controller = new AbortController();
    const tick = async () => {
      const all = await Promise.all(open.map((id) => browse(id, controller.signal)));
      const points = [
        ...new Set(all.flat().flatMap((e) => (e.kind === "point" && e.ref ? [e.ref] : []))),
      ].slice(0, 500);
      if (points.length === 0 || controller.signal.aborted) return;
      const result = await runtimeCall<{ values?: unknown }>("points/read", {
        supervisor: supervisorId,
        method: "POST",
        body: { points },
        signal: controller.signal,
        background: true,
      });
      if (!result.ok || !Array.isArray(result.body.values) || controller.signal.aborted) return;
      const parsed = z.array(PointValueSchema).safeParse(result.body.values);
      if (parsed.success) setPointValues(parsed.data.map((v) => ({ ...v, point: canonical(v.point) })));
    };
    void tick();
    const timer = setInterval(tick, LIVE_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [open, browse, supervisorId, setPointValues]);

  const toggle = (id: string) =>
    setOpen((o) => (o.includes(id) ? o.filter((x) => x !== id && !x.startsWith(`${id}/`)) : [...o, id]));

  const renderLevel = (id: string, depth: number): React.ReactNode => {
    const entries = levels[id];
    if (!entries) return <p className="px-2 text-slate-500">Loading…</p>;
    return (
      <ul className={depth > 0 ? "ml-2 border-l border-slate-100" : "space-y-1"}>
        {entries.map((entry) =>
          entry.kind === "point" ? (
            <PointRow key={entry.id} entry={entry} protocol={protocol} writeByDefault={writeByDefault} />
          ) : (
            <li key={entry.id} data-testid={`${protocol}-${entry.kind}`} data-entry={entry.id}>
              <button
                type="button"
                onClick={() => toggle(entry.id)}
                className="flex w-full items-center gap-1.5 px-2 py-1 text-left hover:bg-slate-50"
                data-testid={`${protocol}-toggle`}
                title={entry.description}
              >
                {open.includes(entry.id) ? (
                  <ChevronDown className="size-3.5" />
                ) : (
                  <ChevronRight className="size-3.5" />
                )}
                <span className="min-w-0 flex-1 truncate">
                  <span className="font-semibold">{entry.name}</span>
                  {entry.description ? (
                    <span className="ml-1 font-mono text-[10px] text-slate-500">{entry.description}</span>
                  ) : null}
                </span>
              </button>
              {open.includes(entry.id) ? renderLevel(entry.id, depth + 1) : null}
            </li>
          ),
        )}
      </ul>
    );
  };

  return (
    <div className="space-y-2 p-3 text-xs" data-testid={`${protocol}-browser`}>
      <div className="flex items-center gap-2">
        <Button size="icon" variant="ghost" title="Reload" onClick={() => void browse(ROOT)}>
          <RefreshCw />
        </Button>
        <span className="text-slate-500">Live every {LIVE_MS / 1000} s</span>
      </div>
      {error ? (
        <p className="rounded bg-red-50 p-2 text-red-800" data-testid={`${protocol}-error`}>
          {error}
        </p>
      ) : null}
      {levels[ROOT]?.length === 0 ? (
        <p className="text-slate-500">No {rootsNoun} yet: configure them in the supervisor's plugins file.</p>
      ) : null}
      {renderLevel(ROOT, 0)}
      <p className="text-[10px] text-slate-500">
        {writeByDefault
          ? "Drag a point onto the canvas: writable points become an Actuator Write (their read handle a Sensor Read), others a Sensor Read."
          : "Drag a point onto the canvas for a Sensor Read; drag its write handle for an Actuator Write."}
      </p>
    </div>
  );
}
