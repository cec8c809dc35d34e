"use client";

import { formatValue } from "@bms/bacnet/display";
import { type PriorityArrayResponse, PriorityArrayResponseSchema } from "@bms/schemas";
import { useEffect, useState } from "react";
import { cn } from "../../lib/cn";
import { runtimeCall } from "../../lib/designer-api";

const REFRESH_MS = 2000;

/** Who put a slot's value there: one of this supervisor's flows (by flow and node), or someone else. */
function writer(slot: PriorityArrayResponse["slots"][number]): string {
  if (slot.holder) {
    const flow = slot.holder.flow_name ?? slot.holder.flow_id ?? "a flow";
    const node = slot.holder.node_label ?? slot.holder.node_id ?? "a node";
    return `${flow} · ${node}`;
  }
  return slot.value === null ? "" : "Other writer";
}

/**
 * A commandable point's priority array, read through the supervisor every 2 s: all 16 slots, which one
 * is in control, the relinquish default, and which slots this supervisor's flows hold.
 */
export function PriorityPanel({ supervisorId, point }: { supervisorId: string; point: string }) {
  const [picture, setPicture] = useState<PriorityArrayResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const load = async () => {
      const result = await runtimeCall<unknown>(`points/priority?point=${encodeURIComponent(point)}`, {
        supervisor: supervisorId,
        signal: controller.signal,
      });
      if (controller.signal.aborted) return;
      if (!result.ok) {
        setError(result.error);
        return;
      }
      const parsed = PriorityArrayResponseSchema.safeParse(result.body);
      if (!parsed.success) {
        setError("The supervisor's priority array answer has an unexpected shape.");
        return;
      }
      setError(null);
      setPicture(parsed.data);
    };
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [supervisorId, point]);

  if (error) return <p className="mx-2 rounded bg-red-50 p-1 text-red-800">{error}</p>;
  if (!picture) return <p className="px-2 text-slate-500">Reading the priority array…</p>;
  const show = (v: unknown) => formatValue(v, picture);
  if (picture.quality === "bad") {
    return (
      <p className="mx-2 rounded bg-amber-50 p-1 text-amber-900" data-testid="priority-panel-reason">
        {picture.reason ?? "The device did not answer."}
      </p>
    );
  }
  return (
    <div className="mx-2 mb-1 rounded border border-slate-200 bg-white" data-testid="priority-panel">
      <div className="flex justify-between border-b border-slate-100 px-2 py-1">
        <span>
          Present <b data-testid="priority-present">{show(picture.present_value)}</b>
        </span>
        <span data-testid="priority-winner">
          {picture.winning_priority === null ? "Relinquish default" : `Priority ${picture.winning_priority}`}{" "}
          in control
        </span>
      </div>
      <ol className="divide-y divide-slate-50">
        {picture.slots.map((slot) => {
          const wins = slot.priority === picture.winning_priority;
          return (
            <li
              key={slot.priority}
              data-testid="priority-slot"
              data-priority={slot.priority}
              data-source={slot.source ?? "empty"}
              data-winner={wins}
              className={cn(
                "grid grid-cols-[1.5rem_4.5rem_1fr] items-center gap-1 px-2 leading-5",
                wins
                  ? "bg-emerald-50 font-semibold text-emerald-900"
                  : slot.value === null
                    ? "text-slate-400"
                    : "",
              )}
            >
              <span className="text-right font-mono">{slot.priority}</span>
              <span className="text-right font-mono" data-testid="slot-value">
                {slot.value === null ? "—" : show(slot.value)}
              </span>
              <span
                className={cn("break-words leading-4", slot.holder ? "text-sky-800" : "")}
                data-testid="slot-writer"
                title={
                  slot.holder
                    ? `node ${slot.holder.node_id ?? "?"} of flow ${slot.holder.flow_id ?? "?"}`
                    : undefined
                }
              >
                {writer(slot)}
              </span>
            </li>
          );
        })}
        <li
          className={cn(
            "grid grid-cols-[1.5rem_4.5rem_1fr] items-center gap-1 px-2 leading-5",
            picture.winning_priority === null
              ? "bg-emerald-50 font-semibold text-emerald-900"
              : "text-slate-600",
          )}
          data-testid="priority-default"
          data-winner={picture.winning_priority === null}
        >
          <span className="text-right">—</span>
          <span className="text-right font-mono">{show(picture.relinquish_default)}</span>
          <span>Relinquish default</span>
        </li>
      </ol>
    </div>
  );
}
