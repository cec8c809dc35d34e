import type { NodeCatalog } from "@bms/schemas";
import { controlNodes } from "./control";
import type { AnyNodeDefinition } from "./core/types";
import { inputNodes } from "./input";
import { logicNodes } from "./logic";
import { outputNodes } from "./output";

const ALL = [...inputNodes, ...logicNodes, ...controlNodes, ...outputNodes] as const;

export type NodeTypeId = (typeof ALL)[number]["type"];

/** Every node type by its id. Built from the category modules; each node file is registered there. */
export const nodeRegistry: ReadonlyMap<string, AnyNodeDefinition> = new Map(
  ALL.map((definition) => [definition.type, definition as AnyNodeDefinition]),
);

export type NodeRegistryLookup = (type: string) => AnyNodeDefinition | undefined;

export const lookupNode: NodeRegistryLookup = (type) => nodeRegistry.get(type);

/** The view of the registry that flow validation needs (packages/schemas knows no node types). */
export function nodeCatalog(registry: NodeRegistryLookup = lookupNode): NodeCatalog {
  return (type) => {
    const definition = registry(type);
    if (!definition) return undefined;
    return {
      inputs: definition.inputs,
      outputs: definition.outputs,
      breaksCycles: definition.breaksCycles === true,
      multiInputs: definition.inputs.filter((p) => p.multiple).map((p) => p.name),
      config: definition.config,
    };
  };
}
