/** Renders docs/nodes.md from the node definitions: one source for the editor, the engine and the docs. */

import type { PortDefinition } from "../core/types";
import { NODE_CATEGORIES, type NodeDescriptor, nodeDescriptors } from "../definitions";
import { type JsonSchema, nodeConfigSchemas } from "./config-schemas";

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((x) => JSON.stringify(x)).join(" \\| ");
  if ("const" in schema) return JSON.stringify(schema.const);
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return union.map(typeOf).join(" \\| ");
  if (schema.type === "array") {
    const items = schema.items as JsonSchema | undefined;
    return `list of ${items ? typeOf(items) : "any"}`;
  }
  if (Array.isArray(schema.type)) return schema.type.join(" \\| ");
  if (typeof schema.type === "string")
    return schema.format ? `${schema.type} (${String(schema.format)})` : schema.type;
  return "any";
}

function limits(schema: JsonSchema): string {
  const parts: string[] = [];
  if (typeof schema.minimum === "number") parts.push(`≥ ${schema.minimum}`);
  if (typeof schema.exclusiveMinimum === "number") parts.push(`> ${schema.exclusiveMinimum}`);
  if (typeof schema.maximum === "number") parts.push(`≤ ${schema.maximum}`);
  if (typeof schema.exclusiveMaximum === "number") parts.push(`< ${schema.exclusiveMaximum}`);
  if (typeof schema.maxLength === "number") parts.push(`≤ ${schema.maxLength} chars`);
  if (typeof schema.maxItems === "number") parts.push(`≤ ${schema.maxItems} items`);
  if (typeof schema.pattern === "string") parts.push(`pattern \`${schema.pattern}\``);
  for (const option of (schema.anyOf as JsonSchema[] | undefined) ?? []) {
    const inner = limits(option);
    if (inner) parts.push(inner);
  }
  return parts.join(", ");
}

function configTable(schema: JsonSchema): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const names = Object.keys(properties);
  if (names.length === 0) return ["No configuration.", ""];
  const rows = [
    "| Field | Type | Default | Limits | Description |",
    "| --- | --- | --- | --- | --- |",
    ...names.map((name) => {
      const p = properties[name]!;
      const fallback =
        "default" in p ? `\`${JSON.stringify(p.default)}\`` : required.has(name) ? "required" : "";
      return `| \`${name}\` | ${typeOf(p)} | ${cell(fallback)} | ${cell(limits(p))} | ${cell(String(p.description ?? ""))} |`;
    }),
  ];
  return [...rows, ""];
}

function portTable(ports: readonly PortDefinition[], inputs: boolean): string[] {
  if (ports.length === 0) return [inputs ? "Inputs: none." : "Outputs: none.", ""];
  return [
    `| ${inputs ? "Input" : "Output"} | Type | ${inputs ? "Wiring | " : ""}Description |`,
    `| --- | --- | ${inputs ? "--- | " : ""}--- |`,
    ...ports.map((p) => {
      const wiring = [p.required ? "required" : "optional", p.multiple ? "any number of wires" : ""].filter(
        Boolean,
      );
      return `| \`${p.name}\` | ${p.type} | ${inputs ? `${wiring.join(", ")} | ` : ""}${cell(p.description ?? p.label ?? "")} |`;
    }),
    "",
  ];
}

function section(d: NodeDescriptor, schema: JsonSchema): string[] {
  const flags = [
    d.breaksCycles ? "reads last scan's inputs, so it may close a feedback loop" : "",
    d.inputs.some((p) => p.name === "enable")
      ? "an `enable` input that is false skips it and holds its outputs"
      : "",
  ].filter(Boolean);
  const lines = [
    `### ${d.label} — \`${d.type}\``,
    "",
    `Version ${d.version} · icon \`${d.icon}\`${flags.length ? ` · ${flags.join("; ")}` : ""}`,
    "",
    d.description,
    "",
    ...portTable(d.inputs, true),
    ...portTable(d.outputs, false),
    "**Config**",
    "",
    ...configTable(schema),
  ];
  for (const example of d.examples) {
    lines.push(`**Example: ${example.title}.** ${example.explanation}`, "", "```json");
    lines.push(JSON.stringify({ type: d.type, config: example.config }, null, 2), "```", "");
  }
  return lines;
}

/** The per-node `runtime_options` every node type takes (the engine applies them, not the executor). */
const RUNTIME_OPTIONS = [
  "## Runtime options (every node)",
  "",
  "Each node in a flow may set `runtime_options`; a field left out takes the flow's `execution.error_handling`.",
  "",
  "| Field | Type | Default | Meaning |",
  "| --- | --- | --- | --- |",
  "| `retry_count` | integer 0..10 | the flow's `retry_count` | Executions after a failed one, in the same scan, before the node counts as failed. |",
  '| `on_failure` | `"stop"` \\| `"continue"` \\| `"alert"` | the flow\'s `on_failure` | A failed node gets bad outputs with the reason either way; `stop` then ends the scan and stops the flow, `continue` goes on, `alert` goes on and raises a high-priority alert `node-failure:<id>`. |',
  "| `timeout_ms` | integer 1..600000 | none | An overrun check, not a preemption: executors are synchronous and cannot be interrupted. The engine measures every execution of a node that sets it, every scan; an execution that took longer than `timeout_ms` counts as failed (status error, reason `took N ms, over its timeout of M ms`, bad outputs, `on_failure`) and is retried per `retry_count`. The state the overrunning execution left is kept. Only a node's own `timeout_ms` is checked: the flow's `error_handling.timeout_ms` is no per-node default, so nodes that set none cost no clock readings. |",
  "",
];

export function renderNodeReference(): string {
  const schemas = nodeConfigSchemas();
  const lines = [
    "# Node reference",
    "",
    "<!-- Generated from packages/nodes by `pnpm --filter @bms/nodes docs`; do not edit by hand. -->",
    "",
    "Every node runs once per scan, in dependency order. Values carry a quality (good, uncertain, bad) and a",
    "timestamp. A node fed by an output its upstream left out this scan (an untaken `conditional` branch) is",
    "skipped, and so is everything downstream of it. A node whose `enable` input is connected and not true is",
    "skipped and holds its last outputs. Time comes from the scan clock only. State is kept per node, survives",
    "a restart and a redeploy of an unchanged node, and for PID, totalizer and sequencer a config change too.",
    "",
    ...RUNTIME_OPTIONS,
  ];
  for (const category of NODE_CATEGORIES) {
    const nodes = nodeDescriptors.filter((d) => d.category === category.id);
    if (nodes.length === 0) continue;
    lines.push(
      `## ${category.label}`,
      "",
      ...nodes.map((d) => `- [${d.label}](#${anchor(d)}) \`${d.type}\``),
      "",
    );
    for (const d of nodes) lines.push(...section(d, schemas[d.type]!));
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** GitHub's heading anchor for `### Label — \`type\``. */
function anchor(d: NodeDescriptor): string {
  return `${d.label} — ${d.type}`
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replaceAll(" ", "-");
}
