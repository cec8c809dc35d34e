import { z } from "zod";
import {
  DateTimeSchema,
  formatPath,
  IdentifierSchema,
  SemverSchema,
  type Validated,
  type ValidationProblem,
  zodProblems,
} from "./common";

export const OnFailureSchema = z.enum(["stop", "continue", "alert"]);
export type OnFailure = z.infer<typeof OnFailureSchema>;

export const TriggerSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("interval"),
    /** Scan period. 100 ms is the floor: faster than that a BACnet network cannot follow. */
    interval_ms: z.number().int().min(100).max(86_400_000).default(1000),
  }),
  z.object({
    type: z.literal("cron"),
    expression: z.string().min(1).max(120),
    timezone: z.string().min(1).max(64).default("UTC"),
  }),
  z.object({
    type: z.literal("on_change"),
    /** Points whose change (COV or a polled change) starts a scan; empty means every input point. */
    points: z.array(z.string()).default([]),
    /** Changes closer together than this are coalesced into one scan. */
    debounce_ms: z.number().int().min(0).max(60_000).default(100),
    /** A scan runs at least this often even without changes, so timers and heartbeats advance. */
    max_interval_ms: z.number().int().min(1000).max(86_400_000).default(60_000),
  }),
]);
export type Trigger = z.infer<typeof TriggerSchema>;

export const ErrorHandlingSchema = z.object({
  retry_count: z.number().int().min(0).max(10).default(0),
  timeout_ms: z.number().int().min(1).max(600_000).default(5000),
  on_failure: OnFailureSchema.default("continue"),
});
export type ErrorHandling = z.infer<typeof ErrorHandlingSchema>;

export const RuntimeOptionsSchema = z.object({
  timeout_ms: z.number().int().min(1).max(600_000).optional(),
  retry_count: z.number().int().min(0).max(10).optional(),
  on_failure: OnFailureSchema.optional(),
});

export const PositionSchema = z.object({ x: z.number(), y: z.number() });

export const NodeConfigurationSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, "must hold only letters, digits, _ and -"),
  type: z.string().min(1).max(64),
  /** The node definition version the config was written for. */
  version: z.number().int().min(1).default(1),
  /** A name that expressions and templates can refer to; unique within the flow. */
  alias: IdentifierSchema.optional(),
  label: z.string().max(100).optional(),
  position: PositionSchema.optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  runtime_options: RuntimeOptionsSchema.default({}),
});
export type NodeConfiguration = z.infer<typeof NodeConfigurationSchema>;

export const ConnectionSchema = z.object({
  id: z.string().max(128).optional(),
  from_node: z.string().min(1),
  from_output: z.string().min(1),
  to_node: z.string().min(1),
  to_input: z.string().min(1),
});
export type Connection = z.infer<typeof ConnectionSchema>;

export const FlowMetadataSchema = z.object({
  flow_id: z.uuid(),
  flow_name: z.string().min(1).max(100),
  version: SemverSchema,
  generated_at: DateTimeSchema,
  description: z.string().max(2000).optional(),
});

export const ExecutionSchema = z.object({
  trigger: TriggerSchema.default({ type: "interval", interval_ms: 1000 }),
  error_handling: ErrorHandlingSchema.default({ retry_count: 0, timeout_ms: 5000, on_failure: "continue" }),
});

/** Structure only: what can be checked without knowing the node types. */
export const FlowConfigurationStructureSchema = z.object({
  metadata: FlowMetadataSchema,
  execution: ExecutionSchema.default({
    trigger: { type: "interval", interval_ms: 1000 },
    error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" },
  }),
  nodes: z.array(NodeConfigurationSchema).max(5000),
  connections: z.array(ConnectionSchema).max(20000),
});
export type FlowConfiguration = z.infer<typeof FlowConfigurationStructureSchema>;
export type FlowConfigurationInput = z.input<typeof FlowConfigurationStructureSchema>;

/**
 * What validation needs to know of each node type. `packages/nodes` builds this from its registry;
 * keeping it an interface here lets the schemas package stay free of the node library.
 */
export interface NodeTypeInfo {
  /** The type's name as the palette shows it ("PID Controller"): messages name nodes this way. */
  label?: string;
  inputs: readonly { name: string; label?: string; required?: boolean }[];
  outputs: readonly { name: string; label?: string }[];
  /** A node that reads last scan's value of its input (delay, feedback) and so may close a loop. */
  breaksCycles?: boolean;
  /** Ports that take several connections (an N-input AND, say); others take one. */
  multiInputs?: readonly string[];
  /**
   * The inputs a node has with this config and these wired ports, when that differs from `inputs`
   * (a configurable number of inputs): the required check reads this list.
   */
  inputsFor?(
    config: Record<string, unknown>,
    wired: ReadonlySet<string>,
  ): readonly { name: string; label?: string; required?: boolean }[];
  config: z.ZodType;
}
export type NodeCatalog = (type: string) => NodeTypeInfo | undefined;

/** Problem kinds a caller may tell apart (the Designer groups by them); the message is for people. */
export type FlowProblemCode =
  | "duplicate_id"
  | "duplicate_alias"
  | "unknown_type"
  | "config"
  | "unknown_node"
  | "unknown_port"
  | "input_taken"
  | "required_input"
  | "cycle";

/** A node as the canvas draws it: its label, or its type's label with the id shown beneath it. */
export function nodeDisplayName(
  node: Pick<NodeConfiguration, "id" | "label" | "type">,
  info?: Pick<NodeTypeInfo, "label">,
): string {
  const label = node.label?.trim();
  if (label) return label;
  return `${info?.label ?? node.type} (${node.id})`;
}

function portDisplayName(
  ports: readonly { name: string; label?: string }[] | undefined,
  name: string,
): string {
  return ports?.find((p) => p.name === name)?.label ?? name;
}

/** `min_on_s` → "Min on s", as the Designer's form labels fields. */
export function fieldDisplayName(key: string): string {
  const words = key.replace(/_/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A config issue in words: "Cooling PID: Kp: Too big: expected number to be <=1000000". */
function configProblem(name: string, issue: z.core.$ZodIssue, i: number): ValidationProblem {
  const [key, ...rest] = issue.path;
  const field =
    key === undefined
      ? ""
      : `${fieldDisplayName(String(key))}${rest.map((k) => (typeof k === "number" ? ` ${k + 1}` : ` ${fieldDisplayName(String(k)).toLowerCase()}`)).join("")}: `;
  const message = /received undefined$/.test(issue.message) ? "required" : issue.message;
  return {
    path: formatPath(["nodes", i, "config", ...issue.path]),
    message: `${name}: ${field}${message}`,
    code: "config",
  };
}

/** Tarjan's strongly connected components, iterative so 5000-node flows cannot overflow the stack. */
function stronglyConnectedComponents(ids: readonly string[], edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = edges.get(frame.id) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        const selfLoop = (edges.get(frame.id) ?? []).includes(frame.id);
        if (component.length > 1 || selfLoop) components.push(component.reverse());
      }
    }
  }
  return components;
}

/** Orders a cycle's members along its edges so the message reads A → B → C → A. */
function cyclePath(component: string[], edges: Map<string, string[]>): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const path = [start];
  const seen = new Set([start]);
  let current = start;
  for (;;) {
    const next = (edges.get(current) ?? []).find((t) => members.has(t) && (!seen.has(t) || t === start));
    if (next === undefined || next === start) break;
    path.push(next);
    seen.add(next);
    current = next;
  }
  path.push(start);
  return path;
}

/**
 * Checks what needs the node catalog: types, configs, ports, aliases and cycles. Messages name nodes and
 * ports as the canvas draws them ("Cooling PID: Measurement is not connected"); paths stay machine paths.
 */
export function checkFlowSemantics(flow: FlowConfiguration, catalog: NodeCatalog): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const nodeIndex = new Map<string, number>();
  const aliasIndex = new Map<string, number>();
  const problem = (path: readonly PropertyKey[], code: FlowProblemCode, message: string) =>
    problems.push({ path: formatPath(path), message, code });
  const nameOf = (node: NodeConfiguration) => nodeDisplayName(node, catalog(node.type));

  flow.nodes.forEach((node, i) => {
    if (nodeIndex.has(node.id)) {
      problem(
        ["nodes", i, "id"],
        "duplicate_id",
        `${nameOf(node)}: another node already has the id "${node.id}"`,
      );
    } else {
      nodeIndex.set(node.id, i);
    }
    if (node.alias !== undefined) {
      const first = aliasIndex.get(node.alias);
      if (first !== undefined) {
        problem(
          ["nodes", i, "alias"],
          "duplicate_alias",
          `${nameOf(node)}: alias "${node.alias}" is already used by ${nameOf(flow.nodes[first]!)}`,
        );
      } else {
        aliasIndex.set(node.alias, i);
      }
    }
    const info = catalog(node.type);
    if (!info) {
      problem(
        ["nodes", i, "type"],
        "unknown_type",
        `${nameOf(node)}: this Designer has no node type "${node.type}"`,
      );
      return;
    }
    const parsed = info.config.safeParse(node.config);
    if (!parsed.success)
      for (const issue of parsed.error.issues) problems.push(configProblem(nameOf(node), issue, i));
  });

  const edges = new Map<string, string[]>();
  const inputUse = new Map<string, number>();
  flow.connections.forEach((c, i) => {
    const fromIndex = nodeIndex.get(c.from_node);
    const toIndex = nodeIndex.get(c.to_node);
    if (fromIndex === undefined) {
      problem(
        ["connections", i, "from_node"],
        "unknown_node",
        `a connection starts at node "${c.from_node}", which is not in the flow`,
      );
    }
    if (toIndex === undefined) {
      problem(
        ["connections", i, "to_node"],
        "unknown_node",
        `a connection ends at node "${c.to_node}", which is not in the flow`,
      );
    }
    if (fromIndex === undefined || toIndex === undefined) return;
    const fromNode = flow.nodes[fromIndex]!;
    const toNode = flow.nodes[toIndex]!;
    const fromInfo = catalog(fromNode.type);
    const toInfo = catalog(toNode.type);
    if (fromInfo && !fromInfo.outputs.some((p) => p.name === c.from_output)) {
      problem(
        ["connections", i, "from_output"],
        "unknown_port",
        `${nameOf(fromNode)} has no output "${c.from_output}"`,
      );
    }
    if (toInfo && !toInfo.inputs.some((p) => p.name === c.to_input)) {
      problem(
        ["connections", i, "to_input"],
        "unknown_port",
        `${nameOf(toNode)} has no input "${c.to_input}"`,
      );
    }
    if (toInfo && !toInfo.multiInputs?.includes(c.to_input)) {
      const key = `${c.to_node}\u0000${c.to_input}`;
      const first = inputUse.get(key);
      if (first !== undefined) {
        const from = flow.connections[first]!;
        const other = flow.nodes[nodeIndex.get(from.from_node) ?? -1];
        problem(
          ["connections", i, "to_input"],
          "input_taken",
          `${nameOf(toNode)}: ${portDisplayName(toInfo.inputs, c.to_input)} already has a connection${other ? ` from ${nameOf(other)}` : ""}; an input takes one`,
        );
      } else {
        inputUse.set(key, i);
      }
    }
    // An edge into a cycle-breaking node carries last scan's value, so it does not close a loop.
    if (toInfo?.breaksCycles) return;
    const targets = edges.get(c.from_node);
    if (targets) targets.push(c.to_node);
    else edges.set(c.from_node, [c.to_node]);
  });

  // The wired inputs of every node in one pass over the connections (a filter per node was
  // nodes x connections: 5 million steps, ~85 ms in the browser, for 2,000 nodes and 2,500 wires).
  const wiredInputs = new Map<string, Set<string>>();
  for (const c of flow.connections) {
    const wired = wiredInputs.get(c.to_node);
    if (wired) wired.add(c.to_input);
    else wiredInputs.set(c.to_node, new Set([c.to_input]));
  }
  const unwired: ReadonlySet<string> = new Set();
  flow.nodes.forEach((node, i) => {
    const info = catalog(node.type);
    if (!info) return;
    const wired = wiredInputs.get(node.id) ?? unwired;
    const inputs = info.inputsFor ? info.inputsFor(node.config, wired) : info.inputs;
    for (const port of inputs) {
      if (!port.required || wired.has(port.name)) continue;
      problem(["nodes", i], "required_input", `${nameOf(node)}: ${port.label ?? port.name} is not connected`);
    }
  });

  for (const component of stronglyConnectedComponents([...nodeIndex.keys()], edges)) {
    const path = cyclePath(component, edges);
    const first = flow.connections.findIndex((c) => c.from_node === path[0] && c.to_node === path[1]);
    const names = path.map((id) => nameOf(flow.nodes[nodeIndex.get(id)!]!));
    problem(
      first >= 0 ? ["connections", first] : ["connections"],
      "cycle",
      `cycle ${names.join(" → ")}: close a feedback loop through a delay or feedback node`,
    );
  }
  return problems;
}

/** Full validation: structure, then everything the catalog allows to check. */
export function validateFlowConfiguration(
  input: unknown,
  catalog: NodeCatalog,
): Validated<FlowConfiguration> {
  const parsed = FlowConfigurationStructureSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodProblems(parsed.error) };
  const problems = checkFlowSemantics(parsed.data, catalog);
  if (problems.length > 0) return { ok: false, errors: problems };
  return { ok: true, value: parsed.data };
}
