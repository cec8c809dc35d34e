import { z } from "zod";
import { type Validated, type ValidationProblem, zodProblems } from "./common";
import { type FlowConfiguration, FlowConfigurationStructureSchema } from "./flow";
import { FlowTestCasesSchema } from "./flow-test-case";
import { checkWriteConflicts, type FlowWrites } from "./site";
import { expandSubflowInstances, SubflowLibrarySchema } from "./subflow-library";

/**
 * The Designer's project document: the flows of one site (each a tab on the canvas) and the project's
 * subflow library. One schema for what is stored, exported, autosaved and sent by the editor.
 */

/**
 * What the canvas adds to a flow (seed §8.1 `flow_data`): the viewport and the comments/groups the
 * runtime never sees. Node positions live in the configuration, the one source of truth for the graph.
 */
export const FlowCanvasSchema = z.object({
  viewport: z.object({ x: z.number(), y: z.number(), zoom: z.number().positive() }).optional(),
  comments: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        text: z.string().max(2000),
        position: z.object({ x: z.number(), y: z.number() }),
        width: z.number().positive().max(5000).default(240),
        height: z.number().positive().max(5000).default(120),
      }),
    )
    .max(1000)
    .default([]),
  /**
   * Groups: a labelled frame around member nodes that moves them together. Editor state only: the
   * members keep their own absolute positions in the configuration, so the deployed flow is unchanged.
   */
  groups: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        label: z.string().max(200),
        position: z.object({ x: z.number(), y: z.number() }),
        width: z.number().positive().max(20000),
        height: z.number().positive().max(20000),
        members: z.array(z.string().min(1).max(64)).max(5000),
      }),
    )
    .max(1000)
    .default([]),
});
export type FlowCanvas = z.infer<typeof FlowCanvasSchema>;

/** One tab: the flow the supervisor runs and its canvas extras. */
export const ProjectFlowSchema = z.object({
  configuration: FlowConfigurationStructureSchema,
  flow_data: FlowCanvasSchema.default({ comments: [], groups: [] }),
});
export type ProjectFlow = z.infer<typeof ProjectFlowSchema>;

/** A supervisor takes at most 200 flows in one site package; a project holds no more than it can deploy. */
export const MAX_PROJECT_FLOWS = 200;

export const ProjectDocumentSchema = z
  .object({
    flows: z.array(ProjectFlowSchema).min(1, "a project holds at least one flow").max(MAX_PROJECT_FLOWS),
    library: SubflowLibrarySchema.default([]),
    /**
     * Flow test cases (issue 16). Optional so documents written before test cases existed read back
     * unchanged; `pnpm flow-test` and the Designer run them.
     */
    tests: FlowTestCasesSchema.optional(),
  })
  .superRefine((doc, ctx) => {
    // Flow ids name flows on the supervisor (restart, diff, ownership of points): they must differ.
    const seen = new Map<string, number>();
    doc.flows.forEach((f, i) => {
      const id = f.configuration.metadata.flow_id;
      const first = seen.get(id);
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["flows", i, "configuration", "metadata", "flow_id"],
          message: `flow "${f.configuration.metadata.flow_name}" has the same id as flow "${doc.flows[first]!.configuration.metadata.flow_name}"`,
        });
      else seen.set(id, i);
    });
    doc.tests?.forEach((t, i) => {
      if (!seen.has(t.flow_id))
        ctx.addIssue({
          code: "custom",
          path: ["tests", i, "flow_id"],
          message: `test case "${t.name}" names a flow the project does not hold`,
        });
    });
  });
export type ProjectDocument = z.infer<typeof ProjectDocumentSchema>;
export type ProjectDocumentInput = z.input<typeof ProjectDocumentSchema>;

/** The shape stored and exported before a project held many flows: one flow and its canvas. */
const SingleFlowDocumentSchema = z.object({
  configuration: FlowConfigurationStructureSchema,
  flow_data: FlowCanvasSchema.default({ comments: [], groups: [] }),
});

/**
 * Reads a project document, or the single-flow shape `{configuration, flow_data}` of older files and
 * databases as a project of one flow with an empty library. Problems carry paths as written.
 */
export function readProjectDocument(raw: unknown): Validated<ProjectDocument> {
  const isSingle = typeof raw === "object" && raw !== null && !("flows" in raw) && "configuration" in raw;
  if (isSingle) {
    const single = SingleFlowDocumentSchema.safeParse(raw);
    if (!single.success) return { ok: false, errors: zodProblems(single.error) };
    return { ok: true, value: { flows: [single.data], library: [] } };
  }
  const parsed = ProjectDocumentSchema.safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: zodProblems(parsed.error) };
}

/**
 * The same document with its flows renamed (a copy, an import beside the original): each flow's id, and
 * the test cases that name it, through `rename`.
 */
export function renameFlowIds(doc: ProjectDocument, rename: (flowId: string) => string): ProjectDocument {
  const renamed = new Map(
    doc.flows.map((f) => [f.configuration.metadata.flow_id, rename(f.configuration.metadata.flow_id)]),
  );
  return {
    ...doc,
    flows: doc.flows.map((f) => ({
      ...f,
      configuration: {
        ...f.configuration,
        metadata: { ...f.configuration.metadata, flow_id: renamed.get(f.configuration.metadata.flow_id)! },
      },
    })),
    ...(doc.tests
      ? { tests: doc.tests.map((t) => ({ ...t, flow_id: renamed.get(t.flow_id) ?? t.flow_id })) }
      : {}),
  };
}

/** Total nodes across the flows (what a project list shows). */
export function documentNodeCount(doc: Pick<ProjectDocument, "flows">): number {
  return doc.flows.reduce((n, f) => n + f.configuration.nodes.length, 0);
}

/**
 * Every flow with its library instances expanded (what a site package carries), in document order, and
 * the problems of the expansion (unbound points, parameters out of limits, unknown definitions) with paths
 * into the document (`flows[1].configuration.nodes[3].config.library.points.zone_temp`).
 */
export function expandProjectFlows(doc: ProjectDocument): {
  flows: FlowConfiguration[];
  problems: ValidationProblem[];
  instances: { flowId: string; nodeId: string; definitionId: string }[];
} {
  const problems: ValidationProblem[] = [];
  const instances: { flowId: string; nodeId: string; definitionId: string }[] = [];
  const flows = doc.flows.map((f, i) => {
    const expanded = expandSubflowInstances(f.configuration, doc.library, `flows[${i}].configuration`);
    problems.push(...expanded.problems);
    for (const inst of expanded.instances)
      instances.push({ flowId: f.configuration.metadata.flow_id, ...inst });
    // The expansion only fills configs in; the structure schema reads the result back into its output type.
    return FlowConfigurationStructureSchema.parse(expanded.flow);
  });
  return { flows, problems, instances };
}

/** The points one node commands and at which priority (the caller knows its node types). */
export type NodeWritesOf = (node: FlowConfiguration["nodes"][number]) => { ref: string; priority: number }[];

/**
 * Write arbitration across the project's flows, as the supervisor checks it on deploy: the same point at
 * the same priority in two flows is an error naming both nodes and flows. `flows` are the expanded flows
 * in document order (paths point at `flows[i].configuration.nodes[j]`).
 */
export function projectWriteConflicts(
  flows: readonly FlowConfiguration[],
  writesOf: NodeWritesOf,
): ValidationProblem[] {
  return checkWriteConflicts(flows.map((flow, i) => flowWrites(flow, i, writesOf)));
}

/**
 * Points commanded by more than one flow at different priorities: allowed (the priority array arbitrates),
 * but an integrator wants to see both writers. One entry per point, every writer listed.
 */
export interface SharedWrite {
  ref: string;
  writers: { flowId: string; flowName: string; nodeId: string; nodeLabel: string; priority: number }[];
}

export function sharedWrites(flows: readonly FlowConfiguration[], writesOf: NodeWritesOf): SharedWrite[] {
  const byRef = new Map<string, SharedWrite["writers"]>();
  for (const flow of flows) {
    for (const node of flow.nodes) {
      for (const w of writesOf(node)) {
        const list = byRef.get(w.ref) ?? [];
        list.push({
          flowId: flow.metadata.flow_id,
          flowName: flow.metadata.flow_name,
          nodeId: node.id,
          nodeLabel: node.label ?? node.id,
          priority: w.priority,
        });
        byRef.set(w.ref, list);
      }
    }
  }
  const out: SharedWrite[] = [];
  for (const [ref, writers] of byRef) {
    const flowsSeen = new Set(writers.map((w) => w.flowId));
    const priorities = new Set(writers.map((w) => w.priority));
    if (flowsSeen.size > 1 && priorities.size > 1) out.push({ ref, writers });
  }
  return out;
}

function flowWrites(flow: FlowConfiguration, i: number, writesOf: NodeWritesOf): FlowWrites {
  return {
    flowId: flow.metadata.flow_id,
    flowName: flow.metadata.flow_name,
    path: `flows[${i}].configuration`,
    nodes: flow.nodes.map((node, index) => ({
      id: node.id,
      index,
      label: node.label,
      writes: writesOf(node),
    })),
  };
}

/** `flows[2].configuration.nodes[4]...` → {flow: 2, node: 4}: where a document problem points. */
export function documentProblemTarget(path: string): { flow: number; node?: number } | null {
  const m = /^flows\[(\d+)\](?:\.configuration\.nodes\[(\d+)\])?/.exec(path);
  if (!m) return null;
  return m[2] === undefined ? { flow: Number(m[1]) } : { flow: Number(m[1]), node: Number(m[2]) };
}
