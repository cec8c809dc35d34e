import {
  type FlowConfiguration,
  formatPath,
  type NodeConfiguration,
  type Validated,
  type ValidationProblem,
  validateFlowConfiguration,
  zodProblems,
} from "@bms/schemas";
import type { AnyNodeDefinition } from "../core/types";
import { type NodeRegistryLookup, nodeCatalog } from "./catalog";

export interface CompiledInput {
  port: string;
  /** The port's position in the definition's inputs (where a positional executor finds it). */
  index: number;
  multiple: boolean;
  /**
   * Each connection into this port: the plan index of the node it comes from, that node's output port,
   * and the value slot that output is kept in (see FlowPlan.slotCount).
   */
  sources: { node: number; output: string; slot: number }[];
}

export interface CompiledNode {
  index: number;
  id: string;
  type: string;
  alias: string | undefined;
  definition: AnyNodeDefinition;
  /** The config after parsing: defaults applied, point references canonical. */
  config: unknown;
  /** Stable text of the config as written, to tell an unchanged node on redeploy. */
  configKey: string;
  inputs: CompiledInput[];
  /**
   * The first of this node's value slots: output port k is kept in slot `outputBase + k`. A node with no
   * output port still has one slot, which the engine marks when the node has run.
   */
  outputBase: number;
  /** Reads last scan's outputs (breaks a feedback loop). */
  delayed: boolean;
  hasEnable: boolean;
  runtime: NodeConfiguration["runtime_options"];
  reads: readonly string[];
  writes: readonly string[];
}

/** What a deploy compiles once; a scan only walks it. */
export interface FlowPlan {
  flow: FlowConfiguration;
  /** In evaluation order. */
  nodes: CompiledNode[];
  byId: Map<string, CompiledNode>;
  /**
   * How many value slots a scan keeps: one per (node, output port), assigned in evaluation order, so a
   * scan's outputs are one flat array and gathering an input is one array load.
   */
  slotCount: number;
  reads: string[];
  writes: string[];
}

/** One shared empty list for what most nodes lack (a sensor read has no inputs and no writes). */
const NONE: never[] = Object.freeze([]) as unknown as never[];

const NO_RUNTIME_OPTIONS: NodeConfiguration["runtime_options"] = Object.freeze({});

function isEmpty(object: object | undefined): boolean {
  if (object === undefined) return false;
  for (const _ in object) return false;
  return true;
}

function connectedOrNone(inputs: CompiledInput[]): CompiledInput[] {
  const connected = inputs.filter((input) => input.sources.length > 0);
  return connected.length === 0 ? NONE : connected;
}

function stableKey(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * Validates a flow and orders it for evaluation (Kahn's algorithm, ties broken by the order the nodes
 * were written in, so the same flow always runs the same way). Edges into a cycle-breaking node do not
 * constrain the order: that node reads last scan's values.
 */
export function compileFlow(input: unknown, registry: NodeRegistryLookup): Validated<FlowPlan> {
  const validated = validateFlowConfiguration(input, nodeCatalog(registry));
  if (!validated.ok) return validated;
  const flow = validated.value;
  const problems: ValidationProblem[] = [];

  const written = flow.nodes.map((node, i) => {
    const definition = registry(node.type)!;
    const parsed = definition.config.safeParse(node.config);
    if (!parsed.success) problems.push(...zodProblems(parsed.error, ["nodes", i, "config"]));
    return { node, definition, config: parsed.success ? parsed.data : undefined };
  });
  if (problems.length > 0) return { ok: false, errors: problems };

  const position = new Map(flow.nodes.map((n, i) => [n.id, i]));
  const indegree = new Array<number>(flow.nodes.length).fill(0);
  const downstream: number[][] = flow.nodes.map(() => []);
  for (const c of flow.connections) {
    const from = position.get(c.from_node)!;
    const to = position.get(c.to_node)!;
    if (written[to]!.definition.breaksCycles) continue;
    indegree[to]!++;
    downstream[from]!.push(to);
  }
  // The ready set is kept sorted by written position; flows are small enough that a sorted insert wins.
  const ready = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  const order: number[] = [];
  while (ready.length > 0) {
    const next = ready.shift()!;
    order.push(next);
    for (const to of downstream[next]!) {
      if (--indegree[to]! === 0) {
        let at = ready.findIndex((r) => r > to);
        if (at < 0) at = ready.length;
        ready.splice(at, 0, to);
      }
    }
  }
  if (order.length !== flow.nodes.length) {
    // validateFlowConfiguration reports cycles by name; this guards against a catalog that disagrees.
    return { ok: false, errors: [{ path: formatPath(["connections"]), message: "the flow has a cycle" }] };
  }

  const planIndex = new Map<number, number>(order.map((writtenIndex, i) => [writtenIndex, i]));
  const outputBase: number[] = [];
  let slotCount = 0;
  for (const writtenIndex of order) {
    outputBase.push(slotCount);
    slotCount += Math.max(1, written[writtenIndex]!.definition.outputs.length);
  }
  const slotOf = (fromNode: string, output: string): number => {
    const from = planIndex.get(position.get(fromNode)!)!;
    const port = written[order[from]!]!.definition.outputs.findIndex((p) => p.name === output);
    // validateFlowConfiguration refuses a connection from an output the node does not have.
    if (port < 0) throw new Error(`node ${fromNode} has no output ${output}`);
    return outputBase[from]! + port;
  };
  const nodes: CompiledNode[] = order.map((writtenIndex, i) => {
    const { node, definition, config } = written[writtenIndex]!;
    const inputs: CompiledInput[] = definition.inputs.map((port, index) => ({
      port: port.name,
      index,
      multiple: port.multiple === true,
      sources: flow.connections
        .filter((c) => c.to_node === node.id && c.to_input === port.name)
        .map((c) => ({
          node: planIndex.get(position.get(c.from_node)!)!,
          output: c.from_output,
          slot: slotOf(c.from_node, c.from_output),
        })),
    }));
    const points = definition.points?.(config) ?? {};
    // Most nodes set no runtime options: they share one empty object instead of the schema's default each.
    if (isEmpty(node.runtime_options)) node.runtime_options = NO_RUNTIME_OPTIONS;
    return {
      index: i,
      id: node.id,
      // The definition's string, shared by every node of the type (not one copy per node from the JSON).
      type: definition.type,
      alias: node.alias,
      definition,
      config,
      configKey: stableKey(node.config),
      inputs: connectedOrNone(inputs),
      outputBase: outputBase[i]!,
      delayed: definition.breaksCycles === true,
      hasEnable: inputs.some((input) => input.port === "enable" && input.sources.length > 0),
      runtime: node.runtime_options,
      reads: points.reads ?? NONE,
      writes: points.writes ?? NONE,
    };
  });

  return {
    ok: true,
    value: {
      flow,
      nodes,
      byId: new Map(nodes.map((n) => [n.id, n])),
      slotCount,
      reads: [...new Set(nodes.flatMap((n) => n.reads))],
      writes: [...new Set(nodes.flatMap((n) => n.writes))],
    },
  };
}
