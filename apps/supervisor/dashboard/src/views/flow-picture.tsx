import { formatValue, type ValueLabels } from "@bms/bacnet/display";
import type { FlowConfiguration } from "@bms/schemas";
import { type InputWarning, inputWarning } from "@bms/schemas/node-health";
import { useRef } from "preact/hooks";
import type { NodeExecutionStatus, NodePorts, NodeTypeInfo, PortInfo } from "../api/types";
import { nodeTone } from "../components/status";
import { shortRef, value } from "../format";
import { usePanZoom } from "./pan-zoom";

/**
 * The Designer's node width, header and row height (flow-node-view.tsx), so a flow looks alike in
 * both places. Unlike the Designer, every port has a row of its own (inputs first, then outputs):
 * a value drawn on a row is that port's value and cannot be read as the neighbour's on the other side.
 */
const NODE_WIDTH = 220;
const HEADER = 44;
const PORT_ROW = 22;
const PAD = 40;
/** Each line of a bad-input reason printed under the ports. */
const REASON_LINE = 14;
const REASON_CHARS = 34;
/** Kept free between two nodes that the taller rows would otherwise make overlap. */
const NODE_GAP = 12;

const PORT_COLORS: Record<string, string> = {
  number: "#2563eb",
  boolean: "#16a34a",
  string: "#9333ea",
  list: "#ea580c",
  any: "#64748b",
};

const STATUS_STROKE: Record<string, string> = {
  ok: "#16a34a",
  bad: "#dc2626",
  warn: "#d97706",
  info: "#2563eb",
  idle: "#94a3b8",
};

type FlowNode = FlowConfiguration["nodes"][number];

interface Placed {
  node: FlowNode;
  type: NodeTypeInfo | undefined;
  x: number;
  y: number;
  height: number;
  /** An input that is not good: the node is drawn in its warning state with the reason printed. */
  warning: InputWarning | null;
  reasonLines: string[];
}

/** Row of an input port: the inputs come first. */
function inputRow(_p: Placed, index: number): number {
  return index;
}

/** Row of an output port: below every input. */
function outputRow(p: Placed, index: number): number {
  return (p.type?.inputs.length ?? 0) + index;
}

/** The centre line of a row, relative to the node's top. */
function rowY(row: number): number {
  return HEADER + 4 + row * PORT_ROW + 8;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What an integrator checks at a glance under the title, as the Designer shows it. */
function summary(config: Record<string, unknown>): string {
  if (typeof config.point === "string") return config.point.replace(/\.presentValue$/, "");
  if (typeof config.operator === "string" && typeof config.value === "number")
    return `${config.operator} ${config.value}`;
  if (typeof config.expression === "string") return config.expression;
  return "";
}

/**
 * A port's last value: `{value, quality}` as the engine reports it, or a bare value. With the point's
 * labels (units, state texts), the value is written as the controller shows it: "21.4 °C", "Occupied".
 */
function portValue(raw: unknown, labels?: ValueLabels): { text: string; quality: string } | undefined {
  if (raw === undefined) return undefined;
  const text = (v: unknown) => (labels ? formatValue(v, labels) : value(v));
  if (raw && typeof raw === "object" && "value" in raw) {
    const v = raw as { value: unknown; quality?: string };
    return { text: text(v.value), quality: v.quality ?? "good" };
  }
  return { text: text(raw), quality: "good" };
}

/**
 * The labels of the point a node reads or commands (a sensor read's output, an actuator write's input,
 * both named "value"); other ports carry computed values whose units the flow does not declare.
 */
function pointLabelsOf(
  node: { config?: Record<string, unknown> },
  port: string,
  labels: ReadonlyMap<string, ValueLabels> | undefined,
): ValueLabels | undefined {
  const ref = node.config?.point;
  if (!labels || port !== "value" || typeof ref !== "string") return undefined;
  return labels.get(shortRef(ref));
}

/** Text widths in the SVG's 11 px and 10 px monospace-ish fonts; close enough to keep chips apart. */
function labelWidth(port: PortInfo): number {
  return (port.label ?? port.name).length * 7.2;
}

/**
 * A port's last value in a chip on the port's own row (amber when not good): right after an input's
 * name, or just left of an output's name. Shortened to the room on the row; the node's details show
 * it whole.
 */
function ValueChip(props: {
  shown: { text: string; quality: string };
  left: number;
  right: number;
  align: "start" | "end";
  y: number;
  testId: string;
  input?: boolean;
}) {
  const room = Math.floor((props.right - props.left - 10) / 6.4);
  const text = clip(props.shown.text, Math.min(12, Math.max(room, 2)));
  const width = text.length * 6.4 + 10;
  const x = props.align === "end" ? props.right - width : props.left;
  const good = props.shown.quality === "good";
  return (
    <g data-testid={props.testId} data-value={props.shown.text} data-quality={props.shown.quality}>
      <title>{props.shown.text}</title>
      <rect
        x={x}
        y={props.y - 9}
        width={width}
        height={17}
        rx={3}
        class={`value-chip${props.input ? " value-chip-in" : ""}${good ? "" : " value-chip-bad"}`}
      />
      <text x={x + width / 2} y={props.y + 4} class="value-text" text-anchor="middle">
        {text}
      </text>
    </g>
  );
}

/** Words onto at most two lines of the node's width; the tooltip and the details have the rest. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= REASON_CHARS) line = next;
    else {
      if (line) lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.length > 2 ? [lines[0]!, clip(lines.slice(1).join(" "), REASON_CHARS)] : lines;
}

function place(
  flow: FlowConfiguration,
  nodeTypes: Record<string, NodeTypeInfo>,
  nodePorts: NodePorts | undefined,
  statuses: Map<string, NodeExecutionStatus>,
): Placed[] {
  const placed = flow.nodes.map((node, i) => {
    // A node draws the ports it has with its config (a configurable input count), as in the Designer.
    const full = nodeTypes[node.type];
    const ports = nodePorts?.[node.id];
    const type =
      full && ports
        ? {
            ...full,
            inputs: full.inputs.filter((p) => ports.inputs.includes(p.name)),
            outputs: full.outputs.filter((p) => ports.outputs.includes(p.name)),
          }
        : full;
    const rows = Math.max((type?.inputs.length ?? 0) + (type?.outputs.length ?? 0), 1);
    // A flow written by hand may have no positions: lay those nodes out left to right.
    const at = node.position ?? { x: i * (NODE_WIDTH + 60), y: 0 };
    const warning = inputWarning(statuses.get(node.id)?.input_values, type?.inputs);
    const reasonLines = warning ? wrap(`⚠ ${warning.text}`) : [];
    const reasonHeight = reasonLines.length > 0 ? reasonLines.length * REASON_LINE + 6 : 0;
    return {
      node,
      type,
      x: at.x,
      y: at.y,
      height: HEADER + rows * PORT_ROW + 8 + reasonHeight,
      warning,
      reasonLines,
    };
  });
  // One row per port makes nodes taller than the Designer drew them: push a node down below any
  // node above it in the same column that it would now overlap, keeping the Designer's order.
  const byTop = [...placed].sort((a, b) => a.y - b.y || a.x - b.x);
  for (const [i, p] of byTop.entries()) {
    for (const above of byTop.slice(0, i)) {
      const sameColumn = above.x < p.x + NODE_WIDTH && p.x < above.x + NODE_WIDTH;
      if (sameColumn && above.y + above.height + NODE_GAP > p.y) p.y = above.y + above.height + NODE_GAP;
    }
  }
  return placed;
}

/**
 * A read-only picture of the deployed flow: the nodes where the Designer put them, edges from output
 * port to input port, each node outlined in its last-scan state with the values on its outputs.
 * It opens fitted to the box; the wheel or a pinch zooms, a drag pans, and "Fit" shows it whole again.
 */
export function FlowPicture(props: {
  /** The flow to draw (one of the site's), with the node types and ports the supervisor reported. */
  flow: FlowConfiguration;
  nodeTypes: Record<string, NodeTypeInfo>;
  nodePorts: NodePorts | undefined;
  statuses: Map<string, NodeExecutionStatus>;
  selected: string | null;
  onSelect(nodeId: string): void;
  /** Units and state texts by point ref (without `.presentValue`), from the point catalog. */
  pointLabels?: ReadonlyMap<string, ValueLabels>;
}) {
  const placed = place(props.flow, props.nodeTypes, props.nodePorts, props.statuses);
  const svg = useRef<SVGSVGElement>(null);
  const minX = Math.min(...placed.map((p) => p.x)) - PAD;
  const minY = Math.min(...placed.map((p) => p.y)) - PAD;
  const maxX = Math.max(...placed.map((p) => p.x + NODE_WIDTH)) + PAD;
  const maxY = Math.max(...placed.map((p) => p.y + p.height)) + PAD;
  const width = maxX - minX;
  const height = maxY - minY;
  const zoom = usePanZoom(svg, { x: minX, y: minY, w: width, h: height });
  if (placed.length === 0) return <p class="muted">The deployed flow has no nodes.</p>;
  return (
    <div class="picture">
      <div class="picture-tools toolbar">
        <fieldset class="segmented zoom-buttons" aria-label="Zoom">
          <button type="button" onClick={zoom.zoomOut} aria-label="Zoom out" data-testid="picture-zoom-out">
            −
          </button>
          <span class="zoom-level" data-testid="picture-zoom">
            {Math.round(zoom.zoomPercent)} %
          </span>
          <button type="button" onClick={zoom.zoomIn} aria-label="Zoom in" data-testid="picture-zoom-in">
            +
          </button>
        </fieldset>
        <button
          type="button"
          class="btn btn-plain"
          onClick={zoom.fit}
          disabled={zoom.fitted}
          data-testid="picture-fit"
          title="Show the whole flow"
        >
          Fit
        </button>
        <span class="muted small">Drag to move · wheel or pinch to zoom · tap a node for its values</span>
      </div>
      <svg
        ref={svg}
        class="flow-picture"
        viewBox={`${zoom.view.x} ${zoom.view.y} ${zoom.view.w} ${zoom.view.h}`}
        // A small flow is not blown up to the page width: at most a little larger than the Designer
        // draws it. A large one keeps half the screen's height to zoom into rather than a thin strip.
        style={{
          aspectRatio: `${width} / ${height}`,
          maxHeight: "70vh",
          minHeight: `min(${Math.round(height * 1.2)}px, max(320px, 50vh))`,
          maxWidth: `${Math.round(width * 1.2)}px`,
        }}
        role="img"
        aria-label={`Flow ${props.flow.metadata.flow_name}: ${placed.length} nodes`}
        data-testid="flow-picture"
        data-zoom={Math.round(zoom.zoomPercent)}
        {...zoom.handlers}
      >
        <FlowDrawing placed={placed} {...props} />
      </svg>
    </div>
  );
}

/** The edges and nodes, in the flow's own coordinates. */
function FlowDrawing(props: {
  placed: Placed[];
  flow: FlowConfiguration;
  statuses: Map<string, NodeExecutionStatus>;
  selected: string | null;
  onSelect(nodeId: string): void;
  pointLabels?: ReadonlyMap<string, ValueLabels>;
}) {
  const { placed } = props;
  const byId = new Map(placed.map((p) => [p.node.id, p]));
  const edges = props.flow.connections.flatMap((c, i) => {
    const from = byId.get(c.from_node);
    const to = byId.get(c.to_node);
    if (!from || !to) return [];
    const out = Math.max(0, from.type?.outputs.findIndex((p) => p.name === c.from_output) ?? 0);
    const inp = Math.max(0, to.type?.inputs.findIndex((p) => p.name === c.to_input) ?? 0);
    const x1 = from.x + NODE_WIDTH;
    const y1 = from.y + rowY(outputRow(from, out));
    const x2 = to.x;
    const y2 = to.y + rowY(inputRow(to, inp));
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    const fromNode = props.flow.nodes.find((n) => n.id === c.from_node);
    const carried = portValue(
      props.statuses.get(c.from_node)?.output_values?.[c.from_output],
      fromNode ? pointLabelsOf(fromNode, c.from_output, props.pointLabels) : undefined,
    );
    return [
      <path
        key={c.id ?? `e${i}`}
        d={`M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`}
        class={carried && carried.quality !== "good" ? "edge edge-bad" : "edge"}
        data-testid={`exec-edge-${c.from_node}-${c.to_node}`}
      />,
    ];
  });

  return (
    <>
      {edges}
      {placed.map((p) => {
        const status = props.statuses.get(p.node.id);
        // A node that ran on a bad input did run, but its answer is not to be trusted: say so.
        const shownStatus =
          p.warning && status && status.status !== "error" && status.status !== "stopped"
            ? "warning"
            : (status?.status ?? "idle");
        const tone = shownStatus === "warning" ? "warn" : nodeTone(status?.status);
        const portsBottom =
          p.height - (p.reasonLines.length > 0 ? p.reasonLines.length * REASON_LINE + 6 : 0);
        const title = p.node.label ?? p.type?.label ?? p.node.type;
        const sub = summary(p.node.config);
        const selected = props.selected === p.node.id;
        return (
          <g
            key={p.node.id}
            class={status?.status === "stopped" ? "exec-node exec-node-stopped" : "exec-node"}
            transform={`translate(${p.x} ${p.y})`}
            data-testid={`exec-node-${p.node.id}`}
            data-status={shownStatus}
            onClick={() => props.onSelect(p.node.id)}
          >
            <title>
              {status?.error_message ?? p.warning?.text ?? `${title}: ${status?.status ?? "not run yet"}`}
            </title>
            <rect
              width={NODE_WIDTH}
              height={p.height}
              rx={8}
              class="node-box"
              stroke={selected ? "#0284c7" : STATUS_STROKE[tone]}
              stroke-width={selected ? 3 : 2}
            />
            <line x1={0} x2={NODE_WIDTH} y1={HEADER} y2={HEADER} class="node-rule" />
            <text x={10} y={19} class="node-title">
              {clip(title, 18)}
            </text>
            <text x={10} y={36} class="node-sub">
              {clip(sub ? `${p.node.id} · ${sub}` : p.node.id, 36)}
            </text>
            <rect x={NODE_WIDTH - 74} y={6} width={66} height={18} rx={4} class={`badge badge-${tone}`} />
            <text
              x={NODE_WIDTH - 41}
              y={19}
              class={`badge-text badge-text-${tone}`}
              text-anchor="middle"
              data-testid={`exec-status-${p.node.id}`}
            >
              {shownStatus}
            </text>
            {p.reasonLines.length > 0 ? (
              <g data-testid={`exec-reason-${p.node.id}`} data-reason={p.warning?.text}>
                <line x1={0} x2={NODE_WIDTH} y1={portsBottom} y2={portsBottom} class="node-rule" />
                {p.reasonLines.map((line, i) => (
                  <text key={line} x={10} y={portsBottom + 14 + i * REASON_LINE} class="node-reason">
                    {line}
                  </text>
                ))}
              </g>
            ) : null}
            {(p.type?.inputs ?? []).map((port: PortInfo, i) => {
              const row = inputRow(p, i);
              const y = rowY(row);
              const shown = portValue(
                status?.input_values?.[port.name],
                pointLabelsOf(p.node, port.name, props.pointLabels),
              );
              return (
                <g
                  key={`in-${port.name}`}
                  data-testid={`exec-port-${p.node.id}-in-${port.name}`}
                  data-row={row}
                >
                  <circle cx={0} cy={y} r={5} fill={PORT_COLORS[port.type] ?? "#64748b"} />
                  <text x={10} y={y + 4} class="port-label">
                    {port.label ?? port.name}
                  </text>
                  {shown ? (
                    <ValueChip
                      shown={shown}
                      left={10 + labelWidth(port) + 6}
                      right={NODE_WIDTH - 10}
                      align="start"
                      y={y}
                      input
                      testId={`exec-input-${p.node.id}-${port.name}`}
                    />
                  ) : null}
                </g>
              );
            })}
            {(p.type?.outputs ?? []).map((port: PortInfo, i) => {
              const row = outputRow(p, i);
              const y = rowY(row);
              const shown = portValue(
                status?.output_values?.[port.name],
                pointLabelsOf(p.node, port.name, props.pointLabels),
              );
              return (
                <g
                  key={`out-${port.name}`}
                  data-testid={`exec-port-${p.node.id}-out-${port.name}`}
                  data-row={row}
                >
                  {i === 0 && row > 0 ? (
                    <line
                      x1={0}
                      x2={NODE_WIDTH}
                      y1={y - PORT_ROW / 2}
                      y2={y - PORT_ROW / 2}
                      class="node-rule"
                    />
                  ) : null}
                  <circle cx={NODE_WIDTH} cy={y} r={5} fill={PORT_COLORS[port.type] ?? "#64748b"} />
                  <text x={NODE_WIDTH - 10} y={y + 4} class="port-label" text-anchor="end">
                    {port.label ?? port.name}
                  </text>
                  {shown ? (
                    <ValueChip
                      shown={shown}
                      left={10}
                      right={NODE_WIDTH - 20 - labelWidth(port)}
                      align="end"
                      y={y}
                      testId={`exec-value-${p.node.id}-${port.name}`}
                    />
                  ) : null}
                </g>
              );
            })}
          </g>
        );
      })}
    </>
  );
}
