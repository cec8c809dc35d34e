import type { DebugOverlay, PinMark } from "../../store/debug-overlay";

/**
 * The supervisor's answer to GET /api/debug/flows/:id (apps/supervisor/src/routes/debug), as the
 * debugger panel reads it.
 */
export interface NodeValueView {
  value: unknown;
  quality?: string;
}

export interface PinView {
  id: string;
  target: { kind: "input"; node: string; port: string } | { kind: "point"; ref: string };
  label: string;
  value: unknown;
  quality: string;
  set_by: string;
  expires_at: string;
}

export interface PausedView {
  node_id: string;
  scan: number;
  reason: "breakpoint" | "step";
  since: string;
  auto_resume_at: string;
  writes_held: string;
  writes_in_force: {
    point: string;
    priority: number;
    value: unknown;
    node_id: string;
    sent_at: string | null;
  }[];
  nodes: {
    id: string;
    type: string;
    phase: "evaluated" | "paused" | "pending";
    inputs: Record<string, NodeValueView> | null;
    outputs: Record<string, NodeValueView> | null;
    state: unknown;
  }[];
}

export interface WouldCommand {
  point: string;
  value: unknown;
  priority: number;
  node_id: string;
  at: string;
}

export interface DebugStateView {
  flow_id: string;
  status: string;
  breakpoints: string[];
  max_pause_s: number;
  pins: PinView[];
  paused: PausedView | null;
  dry_run: { since: string; by: string; would_command: WouldCommand[]; suppressed: WouldCommand[] } | null;
}

const shown = (v: unknown) => (v === null ? "null" : typeof v === "string" ? JSON.stringify(v) : String(v));

/**
 * What the canvas draws from a debug state: a pin on a node input marks that node; a pin on a point
 * read marks every node of the open flow that reads the point (`readers`: point ref → node ids).
 */
export function overlayOf(state: DebugStateView, readers: ReadonlyMap<string, string[]>): DebugOverlay {
  const pins: Record<string, PinMark[]> = {};
  const add = (node: string, mark: PinMark) => {
    pins[node] = [...(pins[node] ?? []), mark];
  };
  for (const p of state.pins) {
    const base = { id: p.id, expiresAt: p.expires_at };
    if (p.target.kind === "input")
      add(p.target.node, { ...base, port: p.target.port, text: `${p.target.port} = ${shown(p.value)}` });
    else
      for (const node of readers.get(p.target.ref) ?? [])
        add(node, { ...base, point: p.target.ref, text: `point = ${shown(p.value)}` });
  }
  return { breakpoints: state.breakpoints, pausedNode: state.paused?.node_id ?? null, pins };
}
