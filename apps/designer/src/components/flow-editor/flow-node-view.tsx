"use client";

import { inputWarning } from "@bms/schemas/node-health";
import { Handle, type NodeProps, Position } from "@xyflow/react";
import { Pause, Pin } from "lucide-react";
import { memo, useContext, useMemo } from "react";
import { useShallow } from "zustand/react/shallow";
import { cn } from "../../lib/cn";
import { showPointValue, showValue } from "../../lib/format-value";
import { describeNode } from "../../lib/node-catalog";
import { useEditorStore } from "../../store/editor-store-provider";
import type { BmsNode } from "../../store/flow-graph";
import { wiredPortsKey } from "../../store/wired-ports";
import { CanvasDetail } from "./level-of-detail";
import { NodeIcon } from "./node-icon";
import {
  HANDLE_SIZE,
  handleTop,
  NODE_HEADER_HEIGHT,
  NODE_WIDTH,
  nodePorts,
  nodeTitle,
  PORT_AREA_PAD,
  PORT_ROW,
  portAreaHeight,
} from "./node-size";
import { DIFF_STYLES, PORT_COLORS, QUALITY_BADGE, STATUS_STYLES } from "./port-style";

/** The one-line summary under the title: what an integrator checks at a glance. */
function configSummary(config: Record<string, unknown>): string | null {
  if (typeof config.point === "string") return config.point.replace(/\.presentValue$/, "");
  if (typeof config.operator === "string" && typeof config.value === "number") {
    return `${config.operator} ${config.value}`;
  }
  if (typeof config.expression === "string") return config.expression;
  return null;
}

function FullNodeView({ id, data, selected }: NodeProps<BmsNode>) {
  const descriptor = describeNode(data.type);
  const point = typeof data.config.point === "string" ? data.config.point : undefined;
  // One subscription per node (not one per field): every store update runs each node's selector, and at
  // 2,000 nodes four of them cost as much as the frame. While comparing versions the live overlay would
  // describe a different graph: hidden. The wired ports come from an index shared by all nodes.
  // The live debugger's marks and the last test run's verdicts (runtime overlay, not the document) ride on
  // the same subscription.
  const [status, diff, live, wiredKey, breakpoint, pausedHere, pins, testMark] = useEditorStore(
    useShallow((s) => [
      s.comparison ? undefined : s.runtime[id],
      s.comparison?.highlight[id],
      point ? s.pointValues[point] : undefined,
      wiredPortsKey(s.edges, id),
      s.debugOverlay?.breakpoints.includes(id) ?? false,
      s.debugOverlay?.pausedNode === id,
      s.debugOverlay?.pins[id],
      s.testMarks[id],
    ]),
  );
  // A point node's "value" port carries that point's value: show it with the point's units and texts.
  const shownOnPort = (port: string, raw: unknown) =>
    point && port === "value" ? showPointValue(raw, live) : showValue(raw);
  // A configurable port count (Select, Math, AND …) draws only the configured ports, plus any wired one.
  const { inputs, outputs } = useMemo(() => nodePorts(data, wiredKey), [data, wiredKey]);
  const rows = Math.max(inputs.length, outputs.length, 1);
  const summary = configSummary(data.config);
  const stopped = status?.status === "stopped";
  // A node that ran on an input that is not good did run, but its answer is not to be trusted: it is
  // drawn in its warning state with the reason printed on it (a tooltip alone goes unseen).
  const warning =
    status && !stopped && status.status !== "error" ? inputWarning(status.input_values, inputs) : null;
  const shownStatus = warning ? "warning" : status?.status;
  const statusStyle = shownStatus ? (STATUS_STYLES[shownStatus] ?? STATUS_STYLES.idle) : undefined;
  // A stopped flow has no current values: none is drawn, even if an older supervisor still sends some.
  const runValues = stopped ? undefined : status;

  return (
    <div
      data-testid={`flow-node-${id}`}
      data-node-type={data.type}
      data-status={shownStatus ?? ""}
      data-diff={diff ?? ""}
      data-breakpoint={breakpoint ? "true" : undefined}
      data-paused={pausedHere ? "true" : undefined}
      style={{ width: NODE_WIDTH }}
      className={cn(
        "rounded-lg border text-xs shadow-sm",
        stopped ? "bg-slate-50 opacity-60 grayscale" : "bg-white",
        selected ? "border-sky-500 ring-2 ring-sky-300" : "border-slate-300",
        !selected && statusStyle ? `ring-2 ${statusStyle.ring}` : "",
        pausedHere ? "ring-4 ring-amber-400" : "",
        diff ? DIFF_STYLES[diff] : "",
        !descriptor && "border-red-500",
      )}
    >
      {/* The title has the header's whole width and wraps: a live badge never cuts it off. */}
      <div
        className="flex items-start gap-2 border-b border-slate-100 px-2 py-1.5"
        style={{ minHeight: NODE_HEADER_HEIGHT }}
      >
        <div className="relative flex size-7 shrink-0 items-center justify-center rounded bg-slate-100 text-slate-700">
          <NodeIcon name={descriptor?.icon ?? "box"} className="size-4" />
          {breakpoint ? (
            <span
              data-testid={`node-breakpoint-${id}`}
              title="Breakpoint: scans pause before this node"
              className="absolute -left-1.5 -top-1.5 size-3 rounded-full border border-white bg-red-600"
            />
          ) : null}
        </div>
        <div className="min-w-0 flex-1">
          <div
            className="break-words font-semibold leading-tight text-slate-900"
            data-testid={`node-title-${id}`}
          >
            {nodeTitle(data)}
          </div>
          <div className="flex items-center gap-1 text-[10px] text-slate-500">
            <span className="min-w-0 flex-1 truncate">
              {id}
              {summary ? ` · ${summary}` : ""}
            </span>
            {shownStatus ? (
              <span
                data-testid={`node-status-${id}`}
                className={cn("shrink-0 rounded px-1 font-medium", statusStyle?.label)}
              >
                {shownStatus}
              </span>
            ) : null}
          </div>
        </div>
      </div>
      {/* Handles live in the port area, so a taller header (a wrapped title) moves them with their rows. */}
      <div className="relative" style={{ height: portAreaHeight(rows) }}>
        {inputs.map((port, i) => {
          const read = runValues?.input_values?.[port.name];
          const value = read !== undefined ? shownOnPort(port.name, read) : undefined;
          return (
            <div
              key={port.name}
              className="absolute left-2 flex items-center gap-1"
              style={{ top: PORT_AREA_PAD + i * PORT_ROW }}
            >
              <span
                className={cn("text-[11px]", port.required ? "font-medium text-slate-800" : "text-slate-600")}
              >
                {port.label ?? port.name}
                {port.required ? "*" : ""}
              </span>
              {value ? (
                <span
                  data-testid={`node-input-value-${id}-${port.name}`}
                  className={cn(
                    "max-w-[64px] truncate rounded px-1 font-mono text-[10px]",
                    QUALITY_BADGE[value.quality ?? "good"] ?? QUALITY_BADGE.good,
                  )}
                  title={value.quality ? `quality: ${value.quality}` : undefined}
                >
                  {value.text}
                </span>
              ) : (
                <span className="text-[9px] text-slate-400">{port.type}</span>
              )}
            </div>
          );
        })}
        {outputs.map((port, i) => {
          const shown = runValues?.output_values?.[port.name];
          const value = shown !== undefined ? shownOnPort(port.name, shown) : undefined;
          return (
            <div
              key={port.name}
              className="absolute right-2 flex items-center gap-1"
              style={{ top: PORT_AREA_PAD + i * PORT_ROW }}
            >
              {value ? (
                <span
                  data-testid={`node-value-${id}-${port.name}`}
                  className={cn(
                    "max-w-[72px] truncate rounded px-1 font-mono text-[10px]",
                    QUALITY_BADGE[value.quality ?? "good"] ?? QUALITY_BADGE.good,
                  )}
                  title={value.quality ? `quality: ${value.quality}` : undefined}
                >
                  {value.text}
                </span>
              ) : null}
              <span className="text-[11px] text-slate-600">{port.label ?? port.name}</span>
            </div>
          );
        })}
        {inputs.map((port, i) => (
          <Handle
            key={`in-${port.name}`}
            id={port.name}
            type="target"
            position={Position.Left}
            data-testid={`handle-${id}-in-${port.name}`}
            data-port-type={port.type}
            title={`${port.name}: ${port.type}${port.required ? " (required)" : ""}`}
            style={{
              top: handleTop(i),
              background: PORT_COLORS[port.type],
              width: HANDLE_SIZE,
              height: HANDLE_SIZE,
            }}
          />
        ))}
        {outputs.map((port, i) => (
          <Handle
            key={`out-${port.name}`}
            id={port.name}
            type="source"
            position={Position.Right}
            data-testid={`handle-${id}-out-${port.name}`}
            data-port-type={port.type}
            title={`${port.name}: ${port.type}`}
            style={{
              top: handleTop(i),
              background: PORT_COLORS[port.type],
              width: HANDLE_SIZE,
              height: HANDLE_SIZE,
            }}
          />
        ))}
      </div>
      {pausedHere ? (
        <div
          data-testid={`node-paused-${id}`}
          className="border-t border-amber-300 bg-amber-100 px-2 py-1 text-[10px] font-semibold text-amber-900"
        >
          <Pause className="inline size-3" /> Paused before this node
        </div>
      ) : null}
      {pins?.map((pin) => (
        <div
          key={pin.id}
          data-testid={`node-pin-${id}`}
          data-port={pin.port ?? ""}
          className="break-words border-t border-violet-200 bg-violet-50 px-2 py-1 font-mono text-[10px] text-violet-900"
          title={`Pinned until ${new Date(pin.expiresAt).toLocaleString()}`}
        >
          <Pin className="inline size-3" /> {pin.text} · until {new Date(pin.expiresAt).toLocaleTimeString()}
        </div>
      ))}
      {testMark ? (
        <div
          data-testid={`node-test-${id}`}
          data-result={testMark.failed > 0 ? "failed" : "passed"}
          className={cn(
            "border-t px-2 py-1 text-[10px] font-medium",
            testMark.failed > 0
              ? "border-red-200 bg-red-50 text-red-800"
              : "border-emerald-200 bg-emerald-50 text-emerald-800",
          )}
        >
          {testMark.failed > 0
            ? `✗ ${testMark.failed} expectation${testMark.failed > 1 ? "s" : ""} failed`
            : `✓ ${testMark.passed} expectation${testMark.passed > 1 ? "s" : ""} passed`}
        </div>
      ) : null}
      {live ? (
        <div
          data-testid={`node-live-${id}`}
          className="break-words border-t border-slate-100 px-2 py-1 font-mono text-[10px] text-slate-600"
          title={live.reason}
        >
          live: {showPointValue(live.value, live).text}
          {live.quality !== "good" ? ` (${live.quality}${live.reason ? `: ${live.reason}` : ""})` : ""}
        </div>
      ) : null}
      {warning ? (
        <div
          data-testid={`node-warning-${id}`}
          data-port={warning.port}
          className="break-words border-t border-amber-200 bg-amber-50 px-2 py-1 text-[10px] font-medium text-amber-900"
        >
          ⚠ {warning.text}
        </div>
      ) : null}
      {status?.error_message ? (
        <div
          data-testid={`node-error-${id}`}
          className="border-t border-red-100 bg-red-50 px-2 py-1 text-[10px] text-red-800"
        >
          {status.error_message}
        </div>
      ) : null}
    </div>
  );
}

/**
 * A node of a large flow zoomed far out (level-of-detail.ts): one element, its title and its colours
 * (selection, status, comparison), no ports or fields. It keeps the full node's size (React Flow's
 * measured size, known before layout for most nodes: node-size.ts), so no wire end moves and React Flow
 * measures nothing when the level changes.
 */
function FarNodeView({ id, data, selected, width, height }: NodeProps<BmsNode>) {
  const [status, diff, pausedHere] = useEditorStore(
    useShallow((s) => [
      s.comparison ? undefined : s.runtime[id]?.status,
      s.comparison?.highlight[id],
      s.debugOverlay?.pausedNode === id,
    ]),
  );
  const statusStyle = status ? (STATUS_STYLES[status] ?? STATUS_STYLES.idle) : undefined;
  return (
    <div
      data-testid={`flow-node-${id}`}
      data-node-type={data.type}
      data-status={status ?? ""}
      data-diff={diff ?? ""}
      data-detail="far"
      title={nodeTitle(data)}
      style={{ width: width || NODE_WIDTH, height: height || undefined }}
      className={cn(
        "overflow-hidden rounded-lg border px-3 py-2 text-2xl font-semibold leading-tight text-slate-700",
        status === "stopped" ? "bg-slate-100" : "bg-white",
        selected ? "border-sky-500 ring-4 ring-sky-300" : "border-slate-400",
        !selected && statusStyle ? `ring-4 ${statusStyle.ring}` : "",
        pausedHere ? "ring-8 ring-amber-400" : "",
        diff ? DIFF_STYLES[diff] : "",
      )}
    >
      {nodeTitle(data)}
    </div>
  );
}

function FlowNodeViewInner(props: NodeProps<BmsNode>) {
  return useContext(CanvasDetail) === "far" ? <FarNodeView {...props} /> : <FullNodeView {...props} />;
}

export const FlowNodeView = memo(FlowNodeViewInner);
