import { z } from "zod";
import { TagSchema } from "../db/supervisor-tags-repository";
import type { GateFailureCode } from "./health-gate";

/** How any rollout is staged over a group: canary first, then batches, each through the health gate. */
const StagingFields = {
  tag: TagSchema,
  /** The supervisor updated first; omitted: the group's first member by name. Must carry the tag. */
  canary_id: z.string().min(1).max(200).optional(),
  /** Supervisors updated together after the canary passed. */
  batch_size: z.number().int().min(1).max(100).default(5),
  /** How long each batch must stay healthy before the next one starts (minutes on a site; seconds in tests). */
  watch_seconds: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(300),
  /** Health is sampled this often during the watch. */
  poll_seconds: z.number().int().min(1).max(600).default(5),
};

/** What an operator asks for: a project version to a group, canary first, then batches. */
export const RolloutRequestSchema = z.object({
  kind: z.literal("site").default("site"),
  project_id: z.string().min(1).max(200),
  /** Omitted: the latest saved version. */
  version: z.number().int().min(1).optional(),
  ...StagingFields,
  /** Take over supervisors that run another project (they stop its flows). */
  replace: z.boolean().default(false),
});
export type RolloutRequest = z.infer<typeof RolloutRequestSchema>;

/**
 * A supervisor release (signed OTA bundle, uploaded once to the Designer) to a group, with the same
 * canary, batches and health gate as a project version. Each member first has to come back healthy on
 * the new version within `restart_seconds` (its launcher rolls it back by itself otherwise).
 */
export const ReleaseRolloutRequestSchema = z.object({
  kind: z.literal("release"),
  /** The uploaded bundle's id (its sha256), from POST /api/release-bundles. */
  bundle_id: z.string().regex(/^[0-9a-f]{64}$/, "a bundle id is the sha256 the upload answered"),
  ...StagingFields,
  /** How long a member may take to restart into the new version and answer healthy. */
  restart_seconds: z.number().int().min(5).max(3600).default(180),
});
export type ReleaseRolloutRequest = z.infer<typeof ReleaseRolloutRequestSchema>;

export type RolloutStatus = "running" | "succeeded" | "rolled_back" | "failed" | "stopped" | "interrupted";

export type MemberOutcome =
  | "pending"
  | "deploying"
  | "watching"
  | "updated"
  | "failed"
  | "rolled_back"
  | "rollback_failed"
  | "skipped"
  /** Deployed, but the rollout was stopped before its watch ended: left running, not judged. */
  | "unverified";

export type MemberFailureCode =
  | GateFailureCode
  | "deploy_refused"
  | "baseline_unreadable"
  /** The supervisor refused the bundle (signature, key, not under the launcher): nothing changed. */
  | "update_refused"
  /** It did not come back healthy on the new version: its launcher rolled it back by itself. */
  | "never_healthy";

export interface RolloutMember {
  supervisor_id: string;
  name: string;
  /** 0 is the canary. */
  batch: number;
  outcome: MemberOutcome;
  /** The config version before the deploy (what a rollback returns to), null when none ran. */
  config_before: number | null;
  config_after: number | null;
  /** Release rollouts: the supervisor version before the update and the one it ran at the end. */
  release_before?: string | null;
  release_after?: string | null;
  failure?: { code: MemberFailureCode; message: string };
}

export interface RolloutEvent {
  at: string;
  supervisor_id: string | null;
  message: string;
}

export interface RolloutReport {
  members: RolloutMember[];
  events: RolloutEvent[];
  summary: string;
}

export interface Rollout {
  id: string;
  kind: "site" | "release";
  tag: string;
  /** Site rollouts: the project and its version; null for a release rollout. */
  project_id: string | null;
  project_version: number | null;
  /** Release rollouts: the supervisor version the bundle holds; null for a site rollout. */
  release_version: string | null;
  status: RolloutStatus;
  options: RolloutRequest | ReleaseRolloutRequest;
  report: RolloutReport;
  started_by: string;
  started_at: string;
  finished_at: string | null;
}
