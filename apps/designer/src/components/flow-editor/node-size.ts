import { type NodeHandle, Position } from "@xyflow/react";
import { describeNode, type PortDefinition, presentPorts } from "../../lib/node-catalog";
import type { BmsNode } from "../../store/flow-graph";
import { wiredPortsKey } from "../../store/wired-ports";

/*
 * The geometry of a flow node (flow-node-view.tsx draws with these numbers). From them the canvas knows
 * each node's size and handle positions before the browser lays it out, so React Flow can draw 2,000
 * nodes' wires on the first frame and its measuring pass finds nothing changed: no 2,000 "dimensions"
 * changes through the store and no second render of every node on opening a large flow.
 */
export const NODE_WIDTH = 220;
/** The header (icon, title, id line): its min-height, border included. A wrapped title makes it taller. */
export const NODE_HEADER_HEIGHT = 44;
export const PORT_ROW = 22;
/** Top padding of the port area, and its extra height below the last row. */
export const PORT_AREA_PAD = 4;
export const HANDLE_SIZE = 10;
const BORDER = 1;
/**
 * A longer title may wrap (the title has ~166 px at 12 px semibold): such a node is left to React Flow
 * to measure rather than guessed.
 */
const TITLE_FITS_CHARS = 18;

/** The ports a node draws: the configured ones plus any wired one, with a sub-flow's own port names. */
export function nodePorts(
  data: BmsNode["data"],
  wiredKey: string,
): { inputs: PortDefinition[]; outputs: PortDefinition[] } {
  const descriptor = describeNode(data.type);
  const wired = wiredKey ? wiredKey.split("|") : [];
  const side = (prefix: string) =>
    new Set(wired.filter((w) => w.startsWith(prefix)).map((w) => w.slice(prefix.length)));
  const labels = (data.config.labels ?? {}) as Record<string, unknown>;
  const named = (ports: PortDefinition[]) =>
    ports.map((p) =>
      typeof labels[p.name] === "string" && labels[p.name] ? { ...p, label: String(labels[p.name]) } : p,
    );
  return {
    inputs: named(presentPorts(descriptor?.inputs ?? [], data.config, side("in:"))),
    outputs: named(presentPorts(descriptor?.outputs ?? [], data.config, side("out:"))),
  };
}

/** The top of a port's handle inside the port area (the handle is centred on it by React Flow's CSS). */
export const handleTop = (row: number) => PORT_AREA_PAD + row * PORT_ROW + 8;

/** The port area's height for a number of rows (at least one). */
export const portAreaHeight = (rows: number) => Math.max(rows, 1) * PORT_ROW + 2 * PORT_AREA_PAD;

/** The title a node shows. */
export function nodeTitle(data: BmsNode["data"]): string {
  return data.label || describeNode(data.type)?.label || data.type;
}

/**
 * A node's size and handles as drawn without a run shown (no live, pin, warning or test rows), or null
 * when they cannot be known without layout (a title that may wrap). Positions are relative to the node's
 * top-left corner, as React Flow's own measurement gives them.
 */
export function knownGeometry(
  data: BmsNode["data"],
  wiredKey: string,
): { width: number; height: number; handles: NodeHandle[] } | null {
  if (nodeTitle(data).length > TITLE_FITS_CHARS) return null;
  const { inputs, outputs } = nodePorts(data, wiredKey);
  const rows = Math.max(inputs.length, outputs.length, 1);
  const areaTop = BORDER + NODE_HEADER_HEIGHT;
  const half = HANDLE_SIZE / 2;
  const handle = (type: "source" | "target", id: string, row: number): NodeHandle => ({
    id,
    type,
    position: type === "target" ? Position.Left : Position.Right,
    x: type === "target" ? BORDER - half : NODE_WIDTH - BORDER - half,
    y: areaTop + handleTop(row) - half,
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
  });
  return {
    width: NODE_WIDTH,
    height: areaTop + portAreaHeight(rows) + BORDER,
    handles: [
      ...inputs.map((p, i) => handle("target", p.name, i)),
      ...outputs.map((p, i) => handle("source", p.name, i)),
    ],
  };
}

const sized = new WeakMap<BmsNode, { wiredKey: string; node: BmsNode }>();

/**
 * The node as handed to React Flow: with `measured` and `handles` when its geometry is known and React
 * Flow has not measured it otherwise (a taller node, showing a run's values, keeps React Flow's own
 * measurement). One object per store node and wiring, so React Flow's identity checks still hold.
 */
export function withKnownGeometry(node: BmsNode, edges: Parameters<typeof wiredPortsKey>[0]): BmsNode {
  const wiredKey = wiredPortsKey(edges, node.id);
  const cached = sized.get(node);
  if (cached && cached.wiredKey === wiredKey) return cached.node;
  const geometry = knownGeometry(node.data, wiredKey);
  const measuredElse =
    node.measured?.width !== undefined &&
    (node.measured.width !== geometry?.width || node.measured.height !== geometry?.height);
  const result =
    geometry && !measuredElse
      ? {
          ...node,
          measured: { width: geometry.width, height: geometry.height },
          handles: geometry.handles,
        }
      : node;
  sized.set(node, { wiredKey, node: result });
  return result;
}
