import { z } from "zod";
import type { PortDefinition } from "./types";

/**
 * Configurable port counts, designed once for every node that has a run of numbered ports ("+ input" in
 * the editor). A group is declared by one call that yields both its ports and the config field holding
 * its count, so the default lives in one place. Whether a port is present is answered by
 * `presentPorts` alone: the editor draws that list, the validator requires from it, and the runtime
 * only ever sees wired ports, which are always present.
 */
export interface PortGroupSpec {
  /** The config field holding the count. */
  count: string;
  /** One name per possible port, in order; the group's maximum is their number. */
  names: readonly string[];
  min: number;
  default: number;
  /** The port at `index` (label, type, …); `repeat` is added here. */
  port: (name: string, index: number) => Omit<PortDefinition, "name" | "repeat">;
  description: string;
}

export function portGroup(spec: PortGroupSpec): {
  ports: PortDefinition[];
  field: z.ZodDefault<z.ZodNumber>;
} {
  const max = spec.names.length;
  return {
    ports: spec.names.map((name, index) => ({
      ...spec.port(name, index),
      name,
      repeat: { count: spec.count, index, default: spec.default },
    })),
    field: z.number().int().min(spec.min).max(max).default(spec.default).describe(spec.description),
  };
}

/** The count a node's config gives a port group: the written value, or the group's default. */
export function groupCount(
  port: PortDefinition,
  config: Readonly<Record<string, unknown>> | undefined,
): number {
  if (!port.repeat) return Number.POSITIVE_INFINITY;
  const written = config?.[port.repeat.count];
  return typeof written === "number" && Number.isInteger(written) ? written : port.repeat.default;
}

/**
 * The ports a node has with this config: fixed ports, a group's first `count` ports, and any port that
 * is wired (a wire is never hidden). A required group needs one wire among its ports or a legacy port of
 * the node, so only its first port is marked required, and only while none is wired.
 */
export function presentPorts(
  ports: readonly PortDefinition[],
  config: Readonly<Record<string, unknown>> | undefined,
  wired: ReadonlySet<string> = new Set(),
): PortDefinition[] {
  const groupWired = new Set<string>();
  const legacyWired = ports.some((p) => p.legacy && wired.has(p.name));
  for (const p of ports) if (p.repeat && wired.has(p.name)) groupWired.add(p.repeat.count);
  const out: PortDefinition[] = [];
  for (const port of ports) {
    if (port.legacy) {
      if (wired.has(port.name)) out.push(port);
      continue;
    }
    if (!port.repeat) {
      out.push(port);
      continue;
    }
    if (port.repeat.index >= groupCount(port, config) && !wired.has(port.name)) continue;
    if (port.required && (port.repeat.index > 0 || groupWired.has(port.repeat.count) || legacyWired)) {
      const { required: _satisfied, ...optional } = port;
      out.push(optional);
    } else {
      out.push(port);
    }
  }
  return out;
}

export interface PortGroupInfo {
  /** The config field holding the count. */
  count: string;
  side: "input" | "output";
  max: number;
  default: number;
}

/** The port groups of a node type, for the editor's "+ input" buttons. */
export function portGroupsOf(
  inputs: readonly PortDefinition[],
  outputs: readonly PortDefinition[],
): PortGroupInfo[] {
  const groups = new Map<string, PortGroupInfo>();
  for (const [side, ports] of [
    ["input", inputs],
    ["output", outputs],
  ] as const) {
    for (const p of ports) {
      if (!p.repeat) continue;
      const g = groups.get(p.repeat.count);
      if (g) g.max = Math.max(g.max, p.repeat.index + 1);
      else
        groups.set(p.repeat.count, {
          count: p.repeat.count,
          side,
          max: p.repeat.index + 1,
          default: p.repeat.default,
        });
    }
  }
  return [...groups.values()];
}
