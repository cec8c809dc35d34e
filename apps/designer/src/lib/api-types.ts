import {
  type FlowConfiguration,
  FlowConfigurationStructureSchema,
  type ValidationProblem,
} from "@bms/schemas";
import { z } from "zod";
import { type FlowData, FlowDataSchema } from "./flow-document";

/** The Designer's own HTTP API: shapes shared by its route handlers and its browser code. */

export interface ProjectSummary {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  latest_version: number;
  node_count: number;
}

export interface ProjectVersion {
  project_id: string;
  version: number;
  configuration: FlowConfiguration;
  flow_data: FlowData;
  summary: string;
  created_by: string;
  created_at: string;
}

export type ProjectVersionInfo = Omit<ProjectVersion, "configuration" | "flow_data"> & { node_count: number };

export interface ProjectDraft {
  project_id: string;
  base_version: number;
  configuration: FlowConfiguration;
  flow_data: FlowData;
  saved_at: string;
}

export const ProjectNameSchema = z.string().trim().min(1, "a name is required").max(100);

export const CreateProjectRequestSchema = z.object({
  name: ProjectNameSchema,
  description: z.string().max(2000).optional(),
});

export const UpdateProjectRequestSchema = z.object({
  name: ProjectNameSchema.optional(),
  description: z.string().max(2000).nullable().optional(),
});

export const SaveVersionRequestSchema = z.object({
  configuration: FlowConfigurationStructureSchema,
  flow_data: FlowDataSchema.default({ comments: [], groups: [] }),
  summary: z.string().max(500).optional(),
  created_by: z.string().max(100).optional(),
});

export const SaveDraftRequestSchema = z.object({
  base_version: z.number().int().min(0),
  configuration: FlowConfigurationStructureSchema,
  flow_data: FlowDataSchema.default({ comments: [], groups: [] }),
});

export interface SupervisorEntry {
  id: string;
  name: string;
  url: string;
  /** Never sent to the browser in clear: only whether one is set. */
  has_token: boolean;
  /** The one from BMS_SUPERVISOR_URL; it cannot be edited or deleted in the UI. */
  builtin: boolean;
}

export const SupervisorInputSchema = z.object({
  name: z.string().trim().min(1, "a name is required").max(100),
  url: z
    .string()
    .trim()
    .url("must be a URL such as http://10.0.0.5:8080")
    .refine((u) => /^https?:\/\//.test(u), "must start with http:// or https://"),
  token: z.string().max(500).optional(),
});

export type DeployOutcome =
  | {
      supervisor_id: string;
      supervisor_name: string;
      ok: true;
      config_version: number;
      checksum: string;
      latency_ms: number;
    }
  | {
      supervisor_id: string;
      supervisor_name: string;
      ok: false;
      error: string;
      errors: ValidationProblem[];
      latency_ms: number;
    };

export interface DeployResult {
  project_version: number;
  outcomes: DeployOutcome[];
}

export const DeployRequestSchema = z.object({
  supervisor_ids: z.array(z.string().min(1)).min(1, "choose at least one supervisor").max(100),
  /** Deploy this saved version; default: the latest. */
  version: z.number().int().min(1).optional(),
});

export interface DeploymentRecord {
  id: number;
  project_id: string;
  project_version: number;
  supervisor_id: string;
  supervisor_name: string;
  ok: boolean;
  config_version: number | null;
  checksum: string | null;
  latency_ms: number;
  errors: ValidationProblem[];
  created_at: string;
}

/** Error body of every Designer route, the same shape the supervisor uses. */
export interface ApiError {
  error: string;
  /** A stable code for callers to branch on (`not_signed_in`, `forbidden`, `csrf_invalid`, ...). */
  code?: string;
  errors?: ValidationProblem[];
}
