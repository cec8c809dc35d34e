import { controlNodes } from "./control";
import type { AnyNodeDefinition } from "./core/types";
import { bindDefaultRegistry, type NodeRegistryLookup } from "./engine/catalog";
import { extensionNodes } from "./extension";
import { inputNodes } from "./input";
import { logicNodes } from "./logic";
import { outputNodes } from "./output";

const ALL = [...inputNodes, ...logicNodes, ...controlNodes, ...outputNodes, ...extensionNodes] as const;

export type NodeTypeId = (typeof ALL)[number]["type"];

/** Every node type by its id. Built from the category modules; each node file is registered there. */
export const nodeRegistry: ReadonlyMap<string, AnyNodeDefinition> = new Map(
  ALL.map((definition) => [definition.type, definition as AnyNodeDefinition]),
);

export const lookupNode: NodeRegistryLookup = (type) => nodeRegistry.get(type);

bindDefaultRegistry(lookupNode);

export { type NodeRegistryLookup, nodeCatalog } from "./engine/catalog";
