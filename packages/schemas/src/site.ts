import { z } from "zod";
import { formatPath, SemverSchema, type Validated, type ValidationProblem, zodProblems } from "./common";
import {
  canonicalJson,
  type DeploymentPackage,
  DeploymentPackageSchema,
  deploymentChecksum,
  PACKAGE_ENVELOPE,
  sha256Hex,
} from "./deployment";
import {
  checkFlowSemantics,
  type FlowConfiguration,
  FlowConfigurationStructureSchema,
  type NodeCatalog,
} from "./flow";

/**
 * A site: every flow one supervisor runs, deployed, checksummed and versioned as one unit. Each flow
 * keeps its own id, name, trigger, scan interval and error handling (its `execution` block).
 */
export const SITE_FORMAT_VERSION = 2 as const;

export const ProjectIdentitySchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  version: SemverSchema,
});
export type ProjectIdentity = z.infer<typeof ProjectIdentitySchema>;

export const SitePackageSchema = z.object({
  format_version: z.literal(SITE_FORMAT_VERSION),
  project: ProjectIdentitySchema,
  project_version: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "The Designer's saved project version this site was built from (as in the single-flow package)",
    ),
  flows: z.array(FlowConfigurationStructureSchema).min(1).max(200),
  ...PACKAGE_ENVELOPE,
});
export type SitePackage = z.infer<typeof SitePackageSchema>;
export type SitePackageInput = z.input<typeof SitePackageSchema>;

/** What a supervisor accepts: a site package, or the single-flow package format (read as a one-flow site). */
export const AnyDeploymentPackageSchema = z.union([SitePackageSchema, DeploymentPackageSchema]);

/** A package in the site shape, remembering where each flow sat in what was sent (for error paths). */
export interface Site extends SitePackage {
  /** `configuration` for a single-flow package, `flows[i]` for a site package. */
  flowPaths: string[];
}

/** Reads either package format as a site. Pure: the single-flow package becomes a site of one flow. */
export function normalizeDeploymentPackage(pkg: DeploymentPackage | SitePackage): Site {
  if ("flows" in pkg) return { ...pkg, flowPaths: pkg.flows.map((_, i) => `flows[${i}]`) };
  const site: Site = {
    format_version: SITE_FORMAT_VERSION,
    project: { id: pkg.project_id, name: pkg.project_name, version: pkg.configuration.metadata.version },
    flows: [pkg.configuration],
    bacnet_objects: pkg.bacnet_objects,
    created_at: pkg.created_at,
    checksum: pkg.checksum,
    flowPaths: ["configuration"],
  };
  if (pkg.deployed_by !== undefined) site.deployed_by = pkg.deployed_by;
  return site;
}

export function buildSitePackage(
  body: Omit<SitePackageInput, "checksum" | "format_version">,
): SitePackageInput {
  const withVersion = { format_version: SITE_FORMAT_VERSION as typeof SITE_FORMAT_VERSION, ...body };
  return { ...withVersion, checksum: sha256Hex(canonicalJson(withVersion)) };
}

/**
 * A flow's runtime content: what decides whether a redeploy must restart it. Node positions, the
 * export time and the description change nothing the flow does, so moving a node on the canvas does
 * not restart a running sequence.
 */
export function flowContentChecksum(flow: FlowConfiguration): string {
  return sha256Hex(
    canonicalJson({
      flow_id: flow.metadata.flow_id,
      flow_name: flow.metadata.flow_name,
      execution: flow.execution,
      nodes: flow.nodes.map(({ position: _position, ...node }) => node),
      connections: flow.connections,
    }),
  );
}

/** One node's commands, as the write arbitration check needs them (from the compiled plan). */
export interface FlowWrites {
  flowId: string;
  flowName: string;
  /** Where the flow sits in the package, for the problem's path (`flows[1]`). */
  path: string;
  nodes: {
    id: string;
    index: number;
    label?: string | undefined;
    writes: { ref: string; priority: number }[];
  }[];
}

/**
 * Two flows commanding the same point at the same priority fight each other every scan: an error that
 * names both nodes and both flows. Different priorities are fine: the priority array arbitrates.
 */
export function checkWriteConflicts(flows: readonly FlowWrites[]): ValidationProblem[] {
  const owner = new Map<string, { flow: FlowWrites; node: FlowWrites["nodes"][number] }>();
  const problems: ValidationProblem[] = [];
  for (const flow of flows) {
    for (const node of flow.nodes) {
      for (const w of node.writes) {
        const k = `${w.ref}@${w.priority}`;
        const first = owner.get(k);
        if (!first) {
          owner.set(k, { flow, node });
          continue;
        }
        if (first.flow.flowId === flow.flowId) continue;
        problems.push({
          path: `${flow.path}.${formatPath(["nodes", node.index])}`,
          code: "write_conflict",
          message:
            `node "${node.label ?? node.id}" in flow "${flow.flowName}" and node "${first.node.label ?? first.node.id}" ` +
            `in flow "${first.flow.flowName}" both command ${w.ref} at priority ${w.priority}: ` +
            "give one of them another priority, or move both into one flow",
        });
      }
    }
  }
  return problems;
}

/**
 * Validates either package format end to end and reads it as a site: structure, checksum (over the
 * raw input, as sent), each flow's semantics, and the rules across flows (unique flow ids). Write
 * arbitration needs compiled plans, so the caller runs `checkWriteConflicts` after compiling.
 */
export function validateSitePackage(input: unknown, catalog: NodeCatalog): Validated<Site> {
  const isSite = typeof input === "object" && input !== null && "flows" in input;
  const parsed = (isSite ? SitePackageSchema : DeploymentPackageSchema).safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodProblems(parsed.error) };
  const expected = isSite
    ? sha256Hex(canonicalJson(withoutChecksum(input as Record<string, unknown>)))
    : deploymentChecksum(input as Parameters<typeof deploymentChecksum>[0]);
  if (expected !== parsed.data.checksum) {
    return {
      ok: false,
      errors: [
        { path: "checksum", message: "checksum does not match the package content (corrupted in transit?)" },
      ],
    };
  }
  const site = normalizeDeploymentPackage(parsed.data as DeploymentPackage | SitePackage);
  const problems: ValidationProblem[] = [];
  const seen = new Map<string, number>();
  site.flows.forEach((flow, i) => {
    const path = site.flowPaths[i]!;
    const first = seen.get(flow.metadata.flow_id);
    if (first !== undefined) {
      problems.push({
        path: `${path}.metadata.flow_id`,
        code: "duplicate_flow_id",
        message: `flow "${flow.metadata.flow_name}" has the same id as flow "${site.flows[first]!.metadata.flow_name}" (${flow.metadata.flow_id}); every flow needs its own id`,
      });
    } else seen.set(flow.metadata.flow_id, i);
    for (const p of checkFlowSemantics(flow, catalog)) problems.push({ ...p, path: `${path}.${p.path}` });
  });
  if (problems.length > 0) return { ok: false, errors: problems };
  return { ok: true, value: site };
}

function withoutChecksum(raw: Record<string, unknown>): Record<string, unknown> {
  const { checksum: _ignored, ...body } = raw;
  return body;
}
