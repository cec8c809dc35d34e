import { z } from "zod";
import { TagSchema } from "../db/supervisor-tags-repository";
import type { GateFailureCode } from "./health-gate";

/** What an operator asks for: a project version to a group, canary first, then batches. */
export const RolloutRequestSchema = z.object({
  kind: z.literal("site").default("site"),
  project_id: z.string().min(1).max(200),
  /** Omitted: the latest saved version. */
  version: z.number().int().min(1).optional(),
  tag: TagSchema,
  /** The supervisor deployed first; omitted: the group's first member by name. Must carry the tag. */
  canary_id: z.string().min(1).max(200).optional(),
  /** Supervisors deployed together after the canary passed. */
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
  /** Take over supervisors that run another project (they stop its flows). */
  replace: z.boolean().default(false),
});
export type RolloutRequest = z.infer<typeof RolloutRequestSchema>;

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

export interface RolloutMember {
  supervisor_id: string;
  name: string;
  /** 0 is the canary. */
  batch: number;
  outcome: MemberOutcome;
  /** The config version before the deploy (what a rollback returns to), null when none ran. */
  config_before: number | null;
  config_after: number | null;
  failure?: { code: GateFailureCode | "deploy_refused" | "baseline_unreadable"; message: string };
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
  kind: "site";
  tag: string;
  project_id: string;
  project_version: number;
  status: RolloutStatus;
  options: RolloutRequest;
  report: RolloutReport;
  started_by: string;
  started_at: string;
  finished_at: string | null;
}
