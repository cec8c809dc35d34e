import {
  describeNode,
  NODE_CATEGORIES,
  type NodeDescriptor,
  nodeDescriptors,
  type PortDefinition,
  type PortGroupInfo,
  type PortType,
  portGroupsOf,
  presentPorts,
} from "@bms/nodes/definitions";

export type { NodeDescriptor, PortDefinition, PortGroupInfo, PortType };
export { describeNode, nodeDescriptors, portGroupsOf, presentPorts };

export interface PaletteGroup {
  id: string;
  label: string;
  items: NodeDescriptor[];
}

/** Palette groups in the library's category order; a category the editor does not know still shows. */
export function paletteGroups(search = ""): PaletteGroup[] {
  const term = search.trim().toLowerCase();
  const matches = (d: NodeDescriptor) =>
    !term ||
    d.label.toLowerCase().includes(term) ||
    d.type.toLowerCase().includes(term) ||
    d.description.toLowerCase().includes(term);
  const known = new Set<string>(NODE_CATEGORIES.map((c) => c.id));
  const groups: PaletteGroup[] = NODE_CATEGORIES.map((c) => ({
    id: c.id,
    label: c.label,
    items: nodeDescriptors.filter((d) => d.category === c.id && matches(d)),
  }));
  const others = nodeDescriptors.filter((d) => !known.has(d.category) && matches(d));
  if (others.length > 0) groups.push({ id: "other", label: "Other", items: others });
  return groups.filter((g) => g.items.length > 0);
}

/**
 * Port compatibility, the check Node-RED and most BMS editors skip: `any` accepts and feeds
 * everything; otherwise the types must match exactly. No implicit number↔boolean coercion: an
 * integrator who wires a temperature into an enable input has made a mistake the editor must show.
 */
export function portsCompatible(from: PortType, to: PortType): boolean {
  return from === "any" || to === "any" || from === to;
}

export function findPort(
  type: string,
  direction: "input" | "output",
  name: string | null | undefined,
): PortDefinition | undefined {
  const descriptor = describeNode(type);
  if (!descriptor || !name) return undefined;
  return (direction === "input" ? descriptor.inputs : descriptor.outputs).find((p) => p.name === name);
}
