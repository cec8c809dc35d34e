"use client";

import { Pause, Pin, Play, SkipForward, StepForward } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { showValue } from "../../lib/format-value";
import { describeNode } from "../../lib/node-catalog";
import { useEditorStore } from "../../store/editor-store-provider";
import { Button } from "../ui/button";
import type { DebugStateView, NodeValueView, PausedView } from "./debug-state";
import { parsePinValue } from "./pin-value";
import type { useFlowDebugger } from "./use-flow-debugger";

type Debugger = ReturnType<typeof useFlowDebugger>;

const PIN_MINUTES = [1, 5, 15, 60, 240] as const;

function values(record: Record<string, NodeValueView> | null | undefined): string {
  if (!record) return "—";
  const parts = Object.entries(record).map(([k, v]) => `${k}=${showValue(v).text}`);
  return parts.length ? parts.join(" ") : "—";
}

function stateText(state: unknown): string {
  if (state === null || state === undefined) return "—";
  const text = JSON.stringify(state);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** Seconds left before the supervisor resumes a paused flow by itself, ticking in the browser. */
function useCountdown(until: string | undefined): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!until) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [until]);
  return until ? Math.max(0, Math.ceil((Date.parse(until) - now) / 1000)) : null;
}

function PausedSection({ paused, onResume }: { paused: PausedView; onResume: (mode: string) => void }) {
  const left = useCountdown(paused.auto_resume_at);
  return (
    <div className="space-y-1 border-b border-amber-200 bg-amber-50 px-3 py-2" data-testid="debug-paused">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-semibold text-amber-900">
          <Pause className="inline size-3" /> Paused before{" "}
          <span className="font-mono">{paused.node_id}</span> (scan {paused.scan}, {paused.reason})
        </span>
        <span className="text-amber-800" data-testid="debug-countdown" data-seconds={left ?? ""}>
          resumes by itself in {left} s
        </span>
        <Button size="sm" variant="outline" onClick={() => onResume("node")} data-testid="debug-step-node">
          <StepForward /> Step node
        </Button>
        <Button size="sm" variant="outline" onClick={() => onResume("scan")} data-testid="debug-step-scan">
          <SkipForward /> Step scan
        </Button>
        <Button size="sm" variant="primary" onClick={() => onResume("continue")} data-testid="debug-continue">
          <Play /> Continue
        </Button>
      </div>
      <p className="text-amber-900" data-testid="debug-writes-note">
        Writes made before the pause were already sent and stay in force on the devices
        {paused.writes_in_force.length > 0
          ? `: ${paused.writes_in_force.map((w) => `${w.point} = ${showValue(w.value).text} @ ${w.priority}`).join(", ")}`
          : " (none yet)"}
        . Every write of the paused scan is held until the scan completes.
      </p>
      <table className="w-full" data-testid="debug-nodes">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="pr-2">node</th>
            <th className="pr-2">phase</th>
            <th className="pr-2">inputs</th>
            <th className="pr-2">outputs</th>
            <th>state</th>
          </tr>
        </thead>
        <tbody>
          {paused.nodes.map((n) => (
            <tr
              key={n.id}
              data-testid={`debug-node-${n.id}`}
              data-phase={n.phase}
              className={n.phase === "paused" ? "bg-amber-100 font-semibold" : ""}
            >
              <td className="pr-2 font-mono">{n.id}</td>
              <td className="pr-2">{n.phase}</td>
              <td className="pr-2 font-mono" data-testid={`debug-inputs-${n.id}`}>
                {values(n.inputs)}
              </td>
              <td className="pr-2 font-mono" data-testid={`debug-outputs-${n.id}`}>
                {values(n.outputs)}
              </td>
              <td className="font-mono text-slate-600">{stateText(n.state)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PinForm({ debug, onMessage }: { debug: Debugger; onMessage: (m: string | null) => void }) {
  const nodes = useEditorStore((s) => s.nodes);
  const targets = useMemo(() => {
    const inputs = nodes.flatMap((n) =>
      (describeNode(n.data.type)?.inputs ?? []).map((p) => ({
        key: `input:${n.id}:${p.name}`,
        label: `input ${n.id}.${p.name}`,
        body: { node: n.id, port: p.name },
      })),
    );
    const points = [
      ...new Set(
        nodes.flatMap((n) =>
          n.data.type === "sensor_read" && typeof n.data.config.point === "string"
            ? [n.data.config.point]
            : [],
        ),
      ),
    ].map((point) => ({ key: `point:${point}`, label: `point ${point}`, body: { point } }));
    return [...points, ...inputs];
  }, [nodes]);
  const [target, setTarget] = useState("");
  const [value, setValue] = useState("");
  const [minutes, setMinutes] = useState<number>(15);
  const chosen = targets.find((t) => t.key === target) ?? targets[0];
  const pin = async () => {
    if (!chosen) return;
    const parsed = parsePinValue(value);
    if (!parsed.ok) return onMessage(parsed.message);
    const error = await debug.change("POST", "/pins", {
      ...chosen.body,
      value: parsed.value,
      expires_in_s: minutes * 60,
    });
    onMessage(error ?? `Pinned ${chosen.label} = ${value.trim()} for ${minutes} min.`);
  };
  return (
    <div className="flex flex-wrap items-center gap-1">
      <Pin className="size-3 text-violet-700" />
      <select
        className="h-7 max-w-[260px] rounded border border-slate-300 px-1"
        value={chosen?.key ?? ""}
        onChange={(e) => setTarget(e.target.value)}
        data-testid="debug-pin-target"
        aria-label="What to pin"
      >
        {targets.map((t) => (
          <option key={t.key} value={t.key}>
            {t.label}
          </option>
        ))}
      </select>
      <input
        className="h-7 w-20 rounded border border-slate-300 px-1"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder="value"
        aria-label="Pinned value"
        data-testid="debug-pin-value"
      />
      <select
        className="h-7 rounded border border-slate-300 px-1"
        value={minutes}
        onChange={(e) => setMinutes(Number(e.target.value))}
        aria-label="Pin expires after"
        data-testid="debug-pin-minutes"
      >
        {PIN_MINUTES.map((m) => (
          <option key={m} value={m}>
            for {m} min
          </option>
        ))}
      </select>
      <Button size="sm" variant="outline" onClick={pin} data-testid="debug-pin-add" disabled={!chosen}>
        Pin
      </Button>
    </div>
  );
}

function DryRunSection({ dryRun }: { dryRun: NonNullable<DebugStateView["dry_run"]> }) {
  return (
    <div className="border-t border-slate-100 px-3 py-1" data-testid="debug-dry-run">
      <div className="font-semibold text-slate-700">
        Dry run since {new Date(dryRun.since).toLocaleTimeString()} (by {dryRun.by}): writes are not sent. The
        flow would command:
      </div>
      {dryRun.would_command.length === 0 ? (
        <div className="text-slate-500">nothing yet</div>
      ) : (
        <table>
          <tbody>
            {dryRun.would_command.map((w) => (
              <tr key={`${w.point}@${w.priority}`} data-testid={`debug-would-${w.node_id}`}>
                <td className="pr-3 font-mono">{w.point}</td>
                <td className="pr-3 font-mono" data-testid={`debug-would-value-${w.node_id}`}>
                  {showValue(w.value).text}
                </td>
                <td className="pr-3">priority {w.priority}</td>
                <td className="text-slate-500">from {w.node_id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * The live debugger of the open flow (issue 16): breakpoints on the selected node, the pause with every
 * node's inputs, outputs and state, stepping, pins with expiry, and dry run. Changes need an operator;
 * a viewer sees the state and is refused with the supervisor's reason.
 */
export function DebuggerPanel({ debug }: { debug: Debugger }) {
  const selected = useEditorStore((s) =>
    s.nodes
      .filter((n) => n.selected)
      .map((n) => n.id)
      .join(","),
  );
  const [message, setMessage] = useState<string | null>(null);
  const state = debug.state;
  const breakpoints = state?.breakpoints ?? [];
  const setBreakpoints = async (nodes: string[]) => {
    setMessage(await debug.change("PUT", "/breakpoints", { nodes, max_pause_s: state?.max_pause_s ?? 60 }));
  };
  const toggleSelected = () => {
    const ids = selected ? selected.split(",") : [];
    if (ids.length === 0) return setMessage("Select a node on the canvas first.");
    const set = new Set(breakpoints);
    const adding = ids.some((id) => !set.has(id));
    for (const id of ids) adding ? set.add(id) : set.delete(id);
    void setBreakpoints([...set]);
  };
  const resume = async (mode: string) => setMessage(await debug.change("POST", "/resume", { mode }));

  return (
    <div className="flex h-full flex-col text-xs" data-testid="debugger-panel">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-100 px-3 py-1.5">
        <Button size="sm" variant="outline" onClick={toggleSelected} data-testid="debug-breakpoint-toggle">
          Toggle breakpoint on selection
        </Button>
        <span data-testid="debug-breakpoints">
          Breakpoints:{" "}
          {breakpoints.length === 0
            ? "none"
            : breakpoints.map((b) => (
                <button
                  key={b}
                  type="button"
                  className="mr-1 rounded bg-red-50 px-1 font-mono text-red-800 hover:bg-red-100"
                  title="Remove this breakpoint"
                  onClick={() => setBreakpoints(breakpoints.filter((x) => x !== b))}
                >
                  ● {b} ×
                </button>
              ))}
        </span>
        {breakpoints.length > 0 ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setBreakpoints([])}
            data-testid="debug-clear-breakpoints"
          >
            Clear all
          </Button>
        ) : null}
        <label className="flex items-center gap-1">
          <input
            type="checkbox"
            checked={Boolean(state?.dry_run)}
            disabled={!state}
            onChange={async (e) =>
              setMessage(await debug.change("PUT", "/dry-run", { enabled: e.target.checked }))
            }
            data-testid="debug-dry-run-toggle"
          />
          Dry run (writes not sent)
        </label>
        <span className="text-slate-500">
          {state ? `flow ${state.status} · max pause ${state.max_pause_s} s` : (debug.error ?? "connecting…")}
        </span>
        {message ? (
          <span className="text-slate-700" data-testid="debug-message">
            {message}
          </span>
        ) : null}
      </div>
      <div className="min-h-0 flex-1 overflow-auto">
        {state?.paused ? <PausedSection paused={state.paused} onResume={resume} /> : null}
        <div className="space-y-1 px-3 py-1.5">
          <PinForm debug={debug} onMessage={setMessage} />
          {state?.pins.map((p) => (
            <div key={p.id} className="flex items-center gap-2" data-testid={`debug-pin-${p.id}`}>
              <span className="font-mono text-violet-900">
                <Pin className="inline size-3" /> {p.label} = {showValue(p.value).text} ({p.quality})
              </span>
              <span className="text-slate-500">
                by {p.set_by}, until {new Date(p.expires_at).toLocaleTimeString()}
              </span>
              <button
                type="button"
                className="text-red-700 underline"
                onClick={async () => setMessage(await debug.change("DELETE", `/pins/${p.id}`))}
                data-testid={`debug-unpin-${p.id}`}
              >
                remove
              </button>
            </div>
          ))}
        </div>
        {state?.dry_run ? <DryRunSection dryRun={state.dry_run} /> : null}
      </div>
    </div>
  );
}
