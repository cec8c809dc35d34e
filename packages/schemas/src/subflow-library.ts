import { z } from "zod";
import type { ValidationProblem } from "./common";
import { ConnectionSchema, type FlowConfigurationInput, NodeConfigurationSchema } from "./flow";

/**
 * A project's subflow library: a sequence ("VAV reheat loop") defined once, with named points and
 * parameters, and instantiated many times. An instance is a `subflow` node whose config carries
 * `library: {id, version, points, parameters}` instead of its own inside; `expandSubflowInstances` fills
 * the inside from the definition, substituting `{{point:key}}` and `{{param:key}}` placeholders.
 *
 * Expansion happens in the Designer before a package is built, so the supervisor runs ordinary sub-flow
 * nodes and needs no library of its own; editing a definition therefore changes every instance at the
 * next deploy, and the per-flow diff shows which instances changed.
 */

const KEY = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "must start with a lower-case letter and hold only a-z, 0-9 and _")
  .max(48);

/** A placeholder is a whole config value, so a parameter keeps its type (a number stays a number). */
const PLACEHOLDER = /^\{\{(point|param):([a-z][a-z0-9_]*)\}\}$/;

export const SubflowParameterSchema = z.object({
  key: KEY,
  label: z.string().min(1).max(60),
  type: z.enum(["number", "boolean", "string"]).default("number"),
  default: z.union([z.number(), z.boolean(), z.string()]),
  units: z.string().max(20).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  description: z.string().max(300).optional(),
});
export type SubflowParameter = z.infer<typeof SubflowParameterSchema>;

export const SubflowPointSchema = z.object({
  key: KEY,
  label: z.string().min(1).max(60),
  /** Whether the inside reads the point, commands it, or both. */
  direction: z.enum(["read", "write", "read_write"]),
  units: z.string().max(20).optional(),
  description: z.string().max(300).optional(),
  /** An instance may leave an optional point unbound; nodes using it are then left out of that instance. */
  optional: z.boolean().default(false),
});
export type SubflowPoint = z.infer<typeof SubflowPointSchema>;

const PORT_NAME = z.enum([
  "in1",
  "in2",
  "in3",
  "in4",
  "in5",
  "in6",
  "in7",
  "in8",
  "out1",
  "out2",
  "out3",
  "out4",
  "out5",
  "out6",
  "out7",
  "out8",
]);

export const SubflowDefinitionSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "must hold only a-z, 0-9 and -")
      .max(64),
    name: z.string().min(1).max(100),
    /** Bumped on every saved edit; instances record the version they were last expanded from. */
    version: z.number().int().min(1).default(1),
    description: z.string().max(2000).default(""),
    /** Where the palette files it ("HVAC", "Plant" ...). */
    category: z.string().max(40).default("Project library"),
    input_count: z.number().int().min(0).max(8).default(0),
    output_count: z.number().int().min(0).max(8).default(0),
    labels: z.partialRecord(PORT_NAME, z.string().max(40)).default({}),
    points: z.array(SubflowPointSchema).max(64).default([]),
    parameters: z.array(SubflowParameterSchema).max(64).default([]),
    flow: z.object({
      nodes: z.array(NodeConfigurationSchema).max(500),
      connections: z.array(ConnectionSchema).max(2000).default([]),
    }),
  })
  .superRefine((def, ctx) => {
    const keys = new Set<string>();
    for (const [list, name] of [
      [def.points, "points"],
      [def.parameters, "parameters"],
    ] as const) {
      list.forEach((entry, i) => {
        if (keys.has(entry.key))
          ctx.addIssue({ code: "custom", path: [name, i, "key"], message: `"${entry.key}" is used twice` });
        keys.add(entry.key);
      });
    }
    def.parameters.forEach((p, i) => {
      if (p.type === "number" && typeof p.default !== "number")
        ctx.addIssue({ code: "custom", path: ["parameters", i, "default"], message: "must be a number" });
    });
    // Every placeholder inside must name a declared point or parameter.
    const declared = {
      point: new Set(def.points.map((p) => p.key)),
      param: new Set(def.parameters.map((p) => p.key)),
    };
    def.flow.nodes.forEach((node, n) => {
      walkPlaceholders(node.config, ["flow", "nodes", n, "config"], (kind, key, path) => {
        if (!declared[kind].has(key))
          ctx.addIssue({
            code: "custom",
            path,
            message: `{{${kind}:${key}}} is not declared in this subflow's ${kind === "point" ? "points" : "parameters"}`,
          });
      });
    });
  });
export type SubflowDefinition = z.infer<typeof SubflowDefinitionSchema>;
export type SubflowDefinitionInput = z.input<typeof SubflowDefinitionSchema>;

export const SubflowLibrarySchema = z
  .array(SubflowDefinitionSchema)
  .max(200)
  .superRefine((defs, ctx) => {
    const seen = new Set<string>();
    defs.forEach((d, i) => {
      if (seen.has(d.id))
        ctx.addIssue({ code: "custom", path: [i, "id"], message: `"${d.id}" is defined twice` });
      seen.add(d.id);
    });
  });

/** What an instance node (`type: "subflow"`) carries in `config.library`. */
export const SubflowInstanceSchema = z.object({
  id: z.string().min(1).max(64),
  /** The definition version this instance was last expanded from (informational: expansion uses the current one). */
  version: z.number().int().min(1).optional(),
  /** Point key → point reference. */
  points: z.record(z.string(), z.string()).default({}),
  /** Parameter key → value; missing keys take the definition's default. */
  parameters: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).default({}),
});
export type SubflowInstance = z.infer<typeof SubflowInstanceSchema>;

function walkPlaceholders(
  value: unknown,
  path: PropertyKey[],
  visit: (kind: "point" | "param", key: string, path: PropertyKey[]) => void,
): void {
  if (typeof value === "string") {
    const m = PLACEHOLDER.exec(value);
    if (m) visit(m[1] as "point" | "param", m[2] as string, path);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walkPlaceholders(v, [...path, i], visit);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) walkPlaceholders(v, [...path, k], visit);
  }
}

function substitute(value: unknown, lookup: (kind: "point" | "param", key: string) => unknown): unknown {
  if (typeof value === "string") {
    const m = PLACEHOLDER.exec(value);
    return m ? lookup(m[1] as "point" | "param", m[2] as string) : value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, lookup));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, lookup)]));
  return value;
}

/** The label an integrator sees on the canvas, for messages. */
function nodeName(node: { id: string; label?: string | undefined }): string {
  return node.label ? `"${node.label}"` : `node ${node.id}`;
}

/**
 * The inside of one instance: the definition's nodes with the instance's points and parameters put in.
 * Nodes that use an unbound optional point are left out, with the connections that touched them.
 */
export function instantiateSubflow(
  def: SubflowDefinition,
  instance: SubflowInstance,
  where: { path: string; nodeLabel: string },
): { flow: SubflowDefinition["flow"]; problems: ValidationProblem[] } {
  const problems: ValidationProblem[] = [];
  for (const p of def.points) {
    const ref = instance.points[p.key];
    if ((ref === undefined || ref === "") && !p.optional)
      problems.push({
        path: `${where.path}.config.library.points.${p.key}`,
        message: `${where.nodeLabel}: point "${p.label}" of ${def.name} is not bound`,
        code: "unbound_point",
      });
  }
  const params = new Map<string, unknown>();
  for (const p of def.parameters) {
    const given = instance.parameters[p.key];
    const value = given ?? p.default;
    const at = `${where.path}.config.library.parameters.${p.key}`;
    if (typeof value !== (p.type === "number" ? "number" : p.type))
      problems.push({
        path: at,
        message: `${where.nodeLabel}: "${p.label}" must be a ${p.type}`,
        code: "bad_parameter",
      });
    else if (
      typeof value === "number" &&
      ((p.min !== undefined && value < p.min) || (p.max !== undefined && value > p.max))
    )
      problems.push({
        path: at,
        message: `${where.nodeLabel}: "${p.label}" must be between ${p.min ?? "-∞"} and ${p.max ?? "∞"}${p.units ? ` ${p.units}` : ""}`,
        code: "bad_parameter",
      });
    params.set(p.key, value);
  }
  for (const key of Object.keys(instance.points))
    if (!def.points.some((p) => p.key === key))
      problems.push({
        path: `${where.path}.config.library.points.${key}`,
        message: `${where.nodeLabel}: ${def.name} has no point "${key}"`,
        code: "unknown_point",
      });

  const dropped = new Set<string>();
  const nodes = def.flow.nodes.flatMap((node) => {
    let unbound = false;
    walkPlaceholders(node.config, [], (kind, key) => {
      if (kind === "point" && !instance.points[key]) unbound = true;
    });
    if (unbound) {
      dropped.add(node.id);
      return [];
    }
    return [
      {
        ...node,
        config: substitute(node.config, (kind, key) =>
          kind === "point" ? instance.points[key] : params.get(key),
        ) as Record<string, unknown>,
      },
    ];
  });
  const connections = def.flow.connections.filter(
    (c) => !dropped.has(c.from_node) && !dropped.has(c.to_node),
  );
  return { flow: { nodes, connections }, problems };
}

/**
 * Every instance in `flow` expanded from `library`: the node keeps its id, label, position and wires; its
 * config gets the definition's ports, labels and inside. Pure; the input is not changed.
 * `flowPath` prefixes problem paths (`flows[1]`).
 */
export function expandSubflowInstances(
  flow: FlowConfigurationInput,
  library: readonly SubflowDefinition[],
  flowPath = "",
): {
  flow: FlowConfigurationInput;
  problems: ValidationProblem[];
  instances: { nodeId: string; definitionId: string }[];
} {
  const byId = new Map(library.map((d) => [d.id, d]));
  const problems: ValidationProblem[] = [];
  const instances: { nodeId: string; definitionId: string }[] = [];
  const nodes = (flow.nodes ?? []).map((node, i) => {
    const raw = node.config?.library;
    if (node.type !== "subflow" || raw === undefined) return node;
    const path = `${flowPath ? `${flowPath}.` : ""}nodes[${i}]`;
    const parsed = SubflowInstanceSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push({ path: `${path}.config.library`, message: `${nodeName(node)}: not a subflow instance` });
      return node;
    }
    const def = byId.get(parsed.data.id);
    if (!def) {
      problems.push({
        path: `${path}.config.library.id`,
        message: `${nodeName(node)}: the library has no subflow "${parsed.data.id}"`,
        code: "unknown_subflow",
      });
      return node;
    }
    instances.push({ nodeId: node.id, definitionId: def.id });
    const inside = instantiateSubflow(def, parsed.data, { path, nodeLabel: nodeName(node) });
    problems.push(...inside.problems);
    return {
      ...node,
      config: {
        ...node.config,
        name: (node.config?.name as string | undefined) ?? def.name,
        input_count: def.input_count,
        output_count: def.output_count,
        labels: def.labels,
        library: { ...parsed.data, version: def.version },
        flow: inside.flow,
      },
    };
  });
  return { flow: { ...flow, nodes }, problems, instances };
}
