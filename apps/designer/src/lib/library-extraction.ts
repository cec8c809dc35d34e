import type { NodeConfiguration, SubflowDefinition } from "@bms/schemas";
import { SubflowDefinitionSchema } from "@bms/schemas";
import type { Extraction } from "./subflow-extraction";

/** `AHU-1 SAT reset` → `ahu-1-sat-reset`, unique among `taken`. */
export function definitionId(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 56) || "subflow";
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}-${n}`)) n++;
  return `${base}-${n}`;
}

/** `Zone Temp` → `zone_temp`, a key the library accepts, unique among `taken`. */
function pointKey(hint: string, taken: Set<string>): string {
  let base = hint
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40);
  if (!/^[a-z]/.test(base)) base = `point_${base}`.replace(/_+$/, "");
  let key = base;
  let n = 2;
  while (taken.has(key)) key = `${base}_${n++}`;
  taken.add(key);
  return key;
}

/** A node type that commands its point (the others read theirs). */
const COMMANDS = new Set(["actuator_write"]);

/**
 * "Save selection as library subflow": the sub-flow node `extractSubflow` made becomes a library
 * definition and the node an instance of it. Its inputs and outputs are the extraction's ports; every
 * point the moved nodes name (`point` and `*_point` fields) becomes a declared point (read, write, or
 * both) bound on this first instance to the point it used, so the flow does exactly what it did.
 */
export function libraryFromExtraction(
  extraction: Extraction,
  name: string,
  takenIds: ReadonlySet<string>,
): { definition: SubflowDefinition; nodes: NodeConfiguration[] } {
  const node = extraction.nodes.find((n) => n.id === extraction.subflowId)!;
  const inside = node.config.flow as {
    nodes: NodeConfiguration[];
    connections: SubflowDefinition["flow"]["connections"];
  };
  const byRef = new Map<string, { key: string; read: boolean; write: boolean; label: string }>();
  const keys = new Set<string>();
  const nodes = inside.nodes.map((n) => {
    const config = { ...n.config };
    for (const [field, value] of Object.entries(n.config)) {
      if (typeof value !== "string" || !/(^|_)point$/.test(field) || value === "") continue;
      let entry = byRef.get(value);
      if (!entry) {
        const label = (n.label || n.alias || n.id).slice(0, 60);
        entry = { key: pointKey(n.label || n.alias || field, keys), read: false, write: false, label };
        byRef.set(value, entry);
      }
      if (COMMANDS.has(n.type) && field === "point") entry.write = true;
      else entry.read = true;
      config[field] = `{{point:${entry.key}}}`;
    }
    return { ...n, config };
  });
  const id = definitionId(name, takenIds);
  const definition = SubflowDefinitionSchema.parse({
    id,
    name,
    version: 1,
    input_count: node.config.input_count,
    output_count: node.config.output_count,
    labels: node.config.labels,
    points: [...byRef.values()].map((p) => ({
      key: p.key,
      label: p.label,
      direction: p.read && p.write ? "read_write" : p.write ? "write" : "read",
    })),
    parameters: [],
    flow: { nodes, connections: inside.connections },
  });
  const instance: NodeConfiguration = {
    ...node,
    config: {
      name,
      input_count: definition.input_count,
      output_count: definition.output_count,
      labels: definition.labels,
      flow: { nodes: [], connections: [] },
      library: {
        id,
        version: 1,
        points: Object.fromEntries([...byRef].map(([ref, p]) => [p.key, ref])),
        parameters: {},
      },
    },
  };
  return { definition, nodes: extraction.nodes.map((n) => (n.id === node.id ? instance : n)) };
}
