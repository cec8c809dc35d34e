import type { NodeCatalog } from "@bms/schemas";
import { presentPorts } from "../core/port-groups";
import type { AnyNodeDefinition } from "../core/types";

export type NodeRegistryLookup = (type: string) => AnyNodeDefinition | undefined;

/**
 * The registry nodes that host a sub-flow (loop, subflow) compile it with. It is bound by registry.ts
 * when the library loads, instead of imported, because the registry imports those nodes: a static import
 * back would make a module cycle.
 */
let bound: NodeRegistryLookup | undefined;

export function bindDefaultRegistry(registry: NodeRegistryLookup): void {
  bound = registry;
}

export function defaultRegistry(): NodeRegistryLookup {
  if (!bound) throw new Error("the node registry is not loaded (import @bms/nodes)");
  return bound;
}

/** The view of the registry that flow validation needs (packages/schemas knows no node types). */
export function nodeCatalog(registry: NodeRegistryLookup = defaultRegistry()): NodeCatalog {
  // One view per definition: validation asks for a node's type several times per node and wire (9,000
  // views built for a 2,000-node flow before). Keyed by the definition, so a replaced one gets a new view.
  const views = new WeakMap<AnyNodeDefinition, ReturnType<NodeCatalog>>();
  return (type) => {
    const definition = registry(type);
    if (!definition) return undefined;
    let view = views.get(definition);
    if (!view) {
      view = viewOf(definition);
      views.set(definition, view);
    }
    return view;
  };
}

function viewOf(definition: AnyNodeDefinition): NonNullable<ReturnType<NodeCatalog>> {
  const counted = definition.inputs.some((p) => p.repeat || p.legacy);
  return {
    label: definition.label,
    inputs: definition.inputs,
    outputs: definition.outputs,
    breaksCycles: definition.breaksCycles === true,
    multiInputs: definition.inputs.filter((p) => p.multiple).map((p) => p.name),
    config: definition.config,
    ...(counted
      ? {
          inputsFor: (config: Record<string, unknown>, wired: ReadonlySet<string>) =>
            presentPorts(definition.inputs, config, wired),
        }
      : {}),
  };
}
