import { type ProjectDocument, ProjectDocumentSchema, type ValidationProblem } from "@bms/schemas";
import { z } from "zod";

/** The Designer's own HTTP API: shapes shared by its route handlers and its browser code. */

export interface ProjectSummary {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  latest_version: number;
  node_count: number;
  flow_count: number;
}

export interface ProjectVersion {
  project_id: string;
  version: number;
  /** Every flow of the project (its tabs) and its subflow library. */
  document: ProjectDocument;
  summary: string;
  created_by: string;
  created_at: string;
}

export type ProjectVersionInfo = Omit<ProjectVersion, "document"> & {
  node_count: number;
  flow_count: number;
};

export interface ProjectDraft {
  project_id: string;
  base_version: number;
  document: ProjectDocument;
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

/** The version an edit was based on (0 before the first save): a save on an older one gets a 409. */
const BaseVersionSchema = z.number().int().min(0);

export const SaveVersionRequestSchema = z.object({
  base_version: BaseVersionSchema,
  document: ProjectDocumentSchema,
  summary: z.string().max(500).optional(),
  created_by: z.string().max(100).optional(),
});

export const SaveDraftRequestSchema = z.object({
  base_version: BaseVersionSchema,
  document: ProjectDocumentSchema,
});

export interface SupervisorEntry {
  id: string;
  name: string;
  url: string;
  /** Never sent to the browser in clear: only whether one is set. */
  has_token: boolean;
  /** The pinned SHA-256 certificate fingerprint (https only); null: trust the system CAs. Not a secret. */
  tls_fingerprint: string | null;
  /** The pinned fingerprint of its commissioning report signing key; null: not pinned. Not a secret. */
  report_key_fingerprint: string | null;
  /** Why every call to it is refused before connecting (a bad URL, an unreadable token); null when fine. */
  problem: string | null;
  /** The one from BMS_SUPERVISOR_URL; it cannot be edited or deleted in the UI. */
  builtin: boolean;
}

/**
 * The URL is taken apart by the server (`parseServiceUrl`: http/https, no credentials, no query, fragment
 * or path); this schema only bounds sizes. `token`: omitted or empty keeps the stored one, which is
 * refused when the URL changes. `tls_fingerprint`: omitted keeps the pin (dropped when the URL changes),
 * null removes it. `report_key_fingerprint` (the report signing key, any scheme): the same, but kept when
 * the URL changes, since the key belongs to the supervisor, not to its address.
 */
export const SupervisorInputSchema = z.object({
  name: z.string().trim().min(1, "a name is required").max(100),
  url: z.string().trim().min(1, "a URL such as http://10.0.0.5:8080 is required").max(2000),
  token: z.string().max(500).optional(),
  tls_fingerprint: z.string().max(200).nullable().optional(),
  report_key_fingerprint: z.string().max(200).nullable().optional(),
});
export type SupervisorInput = z.infer<typeof SupervisorInputSchema>;

/** The certificate an https supervisor presented to the connection test. */
export interface PresentedCertificate {
  fingerprint256: string;
  /** Signed by a CA this server trusts, for this host name. */
  ca_valid: boolean;
  ca_error: string | null;
  subject: string;
  valid_to: string;
  /** Equal to the stored pin (false when nothing is pinned). */
  matches_pin: boolean;
}

export type SupervisorTestCode =
  | "invalid_target"
  | "unreachable"
  | "certificate_changed"
  | "certificate_unconfirmed"
  | "token_refused"
  | "failed";

export interface SupervisorTestResult {
  ok: boolean;
  latency_ms: number;
  version?: string | null;
  error?: string;
  /** Set when ok is false: what the Settings page offers next (e.g. confirm the certificate). */
  code?: SupervisorTestCode;
  certificate?: PresentedCertificate;
}

export type DeployOutcome =
  | {
      supervisor_id: string;
      supervisor_name: string;
      ok: true;
      config_version: number;
      checksum: string;
      latency_ms: number;
      /** What the deploy did to each flow, as the supervisor answered. */
      flows: { flow_id: string; name: string; action: "added" | "restarted" | "unchanged" | "removed" }[];
    }
  | {
      supervisor_id: string;
      supervisor_name: string;
      ok: false;
      error: string;
      errors: ValidationProblem[];
      latency_ms: number;
      /** "project_conflict": the supervisor runs another project; only a deploy with mode "replace" takes it over. */
      code?: "project_conflict";
    };

/** What a deploy would do to one flow on one supervisor. */
export interface FlowDeployStatus {
  flow_id: string;
  name: string;
  /** unchanged: keeps running untouched; changed: restarts with its state; new: starts; removed: stops and relinquishes its points. */
  status: "unchanged" | "changed" | "new" | "removed";
}

export type DeployPreview =
  | {
      supervisor_id: string;
      supervisor_name: string;
      ok: true;
      project_version: number;
      flows: FlowDeployStatus[];
      /** The project this supervisor runs when it is not this one (a deploy needs "replace"). */
      other_project: { id: string; name: string } | null;
    }
  | { supervisor_id: string; supervisor_name: string; ok: false; error: string };

export interface DeployResult {
  project_version: number;
  outcomes: DeployOutcome[];
}

export const DeployRequestSchema = z.object({
  supervisor_ids: z.array(z.string().min(1)).min(1, "choose at least one supervisor").max(100),
  /** Deploy this saved version; default: the latest. */
  version: z.number().int().min(1).optional(),
  /**
   * "replace": take over supervisors that run another project (its flows stop and relinquish their
   * points). Never the default: the user chooses it after a 409 that spelled this out.
   */
  mode: z.enum(["update", "replace"]).default("update"),
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
  errors?: ValidationProblem[];
  /** A stable code callers branch on, never the message text (`not_signed_in`, `forbidden`, `version_conflict`...). */
  code?: string;
  /** With code "version_conflict": the version that landed since the edit's base. */
  latest_version?: number;
}

export const RestoreVersionRequestSchema = z.object({
  created_by: z.string().max(100).optional(),
  base_version: BaseVersionSchema.optional(),
});

/** What the editor opens: the newest version, or the autosaved draft on top of it. */
export interface EditorDocument {
  project_id: string;
  project_name: string;
  /** The version the working copy is based on (the draft's base when a draft is opened). */
  base_version: number;
  document: ProjectDocument;
  /** Set when an autosaved draft was opened: the canvas starts with unsaved changes. */
  draft_saved_at: string | null;
}
