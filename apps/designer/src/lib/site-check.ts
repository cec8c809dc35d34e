import { nodeWrites } from "@bms/nodes/definitions";
import {
  expandProjectFlows,
  type FlowConfiguration,
  type ProjectDocument,
  projectWriteConflicts,
  type SharedWrite,
  sharedWrites,
  type ValidationProblem,
} from "@bms/schemas";
import { validateFlowOnce } from "./validated-flow";

export interface SiteCheck {
  /** Every flow with its library instances expanded, in tab order (what a site package carries). */
  flows: FlowConfiguration[];
  /** Paths into the document: `flows[1].configuration.nodes[3].config.point`. */
  problems: ValidationProblem[];
  /** Points commanded from several flows at different priorities: allowed, shown with every writer. */
  shared: SharedWrite[];
}

/**
 * The whole project as a supervisor will judge it: each flow as today (after expanding its library
 * instances), and write arbitration across flows. The same check runs in the editor's validation panel,
 * the site overview and the deploy service, so the editor shows what a deploy would refuse.
 */
export function checkProjectDocument(doc: ProjectDocument): SiteCheck {
  const expanded = expandProjectFlows(doc);
  const problems: ValidationProblem[] = [...expanded.problems];
  const flows = expanded.flows.map((flow, i) => {
    const result = validateFlowOnce(flow);
    if (result.ok) return result.value;
    for (const p of result.errors) problems.push({ ...p, path: `flows[${i}].configuration.${p.path}` });
    return flow;
  });
  problems.push(...projectWriteConflicts(flows, nodeWrites));
  return { flows, problems, shared: sharedWrites(flows, nodeWrites) };
}

/** The problems of one flow (index `i`), with the flow prefix taken off their paths. */
export function problemsOfFlow(problems: readonly ValidationProblem[], i: number): ValidationProblem[] {
  const prefix = `flows[${i}].configuration.`;
  return problems
    .filter((p) => p.path.startsWith(prefix))
    .map((p) => ({ ...p, path: p.path.slice(prefix.length) }));
}
