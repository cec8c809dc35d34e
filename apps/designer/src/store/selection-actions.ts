import { libraryFromExtraction } from "../lib/library-extraction";
import { extractSubflow } from "../lib/subflow-extraction";
import type { EditorStore } from "./editor-store";

export type SelectionActionResult = { ok: true } | { ok: false; message: string };

/** "Make sub-flow": the selected nodes move into a new sub-flow node, in one undo step. */
export function makeSubflowFromSelection(s: EditorStore): SelectionActionResult {
  const selected = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
  const result = extractSubflow(s.toConfiguration(), selected);
  if (!result.ok) return result;
  s.replaceGraph(result.value, result.value.subflowId);
  return { ok: true };
}

/**
 * "Save selection as library subflow": as "Make sub-flow", and the new node becomes the first instance of
 * a project library definition (points inferred and bound as they were), in one undo step.
 */
export function saveSelectionAsLibrary(s: EditorStore, name: string): SelectionActionResult {
  const title = name.trim().slice(0, 100);
  if (!title) return { ok: false, message: "Give the library subflow a name." };
  const selected = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
  const result = extractSubflow(s.toConfiguration(), selected, title);
  if (!result.ok) return result;
  const { definition, nodes } = libraryFromExtraction(
    result.value,
    title,
    new Set(s.library.map((d) => d.id)),
  );
  s.replaceGraph({ nodes, connections: result.value.connections }, result.value.subflowId, definition);
  return { ok: true };
}
