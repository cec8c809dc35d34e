import { SitePackageSchema } from "@bms/schemas";
import type Database from "better-sqlite3";
import type { SupervisorTarget } from "../db/supervisors-repository";
import { buildProjectSite, deploySiteTo } from "../deploy-service";
import { callSupervisor } from "../supervisor-client";
import type { RolloutRequest } from "./rollout-model";
import {
  launch,
  type MemberResult,
  planBatches,
  type RunContext,
  StagedRun,
  type StartedBy,
  type StartResult,
} from "./staged-run";
import type { HealthSample } from "./supervisor-health";

export { isRolloutActive, rolloutFinished, type StartResult, stopRollout } from "./staged-run";

/**
 * Checks the request (the version builds and validates, the group has members, the canary is one of
 * them), records the rollout and starts it in the background. Only one rollout per group at a time.
 */
export function startRollout(
  db: Database.Database,
  request: RolloutRequest,
  startedBy: StartedBy,
): StartResult {
  const site = buildProjectSite(db, request.project_id, request.version, startedBy.name);
  if (!site.ok) return site;
  SitePackageSchema.parse(site.pkg);
  const plan = planBatches(db, request);
  if (!plan.ok) return plan;
  const spec = {
    kind: "site",
    project_id: request.project_id,
    project_version: site.version,
    release_version: null,
    options: request,
    what: `v${site.version}`,
  } as const;
  return launch(db, plan.batches, startedBy, spec, (context) => new SiteRolloutRun(context, request, site));
}

/** A project version: deployed to each member, whose config rollback is the way back. */
class SiteRolloutRun extends StagedRun {
  constructor(
    context: RunContext,
    private readonly request: RolloutRequest,
    private readonly site: { version: number; pkg: Parameters<typeof deploySiteTo>[2]["pkg"] },
  ) {
    super(context);
  }

  protected finishDetails(): Record<string, unknown> {
    return { project_id: this.request.project_id, project_version: this.site.version };
  }

  protected async updateFrom(target: SupervisorTarget, before: HealthSample): Promise<MemberResult> {
    const m = this.member(target.id);
    m.config_before = before.config_version;
    m.outcome = "deploying";
    this.event(
      target.id,
      `${target.name}: deploying v${this.site.version} (running config v${m.config_before ?? "none"})`,
    );
    const outcome = await deploySiteTo(
      this.db,
      this.request.project_id,
      this.site,
      target,
      this.request.replace ? "replace" : "update",
    );
    if (!outcome.ok) return this.fail(target, "deploy_refused", `deploy refused: ${outcome.error}`, false);
    m.config_after = outcome.config_version;
    m.outcome = "watching";
    this.event(
      target.id,
      `${target.name}: config v${outcome.config_version} active; watching health for ${this.request.watch_seconds} s`,
    );
    return this.watch(target, before, m.config_after, this.request, `config v${m.config_after}`);
  }

  /**
   * Back to the config that ran before (the supervisor's own rollback re-activates it as a new version);
   * a supervisor that ran nothing before is stopped, which relinquishes every point the new flows wrote.
   */
  protected async rollBack(target: SupervisorTarget): Promise<boolean> {
    const m = this.member(target.id);
    const answer =
      m.config_before !== null
        ? await callSupervisor(target, "/api/config/rollback", {
            body: { version: m.config_before },
            timeoutMs: 15_000,
            actor: this.startedBy.name,
          })
        : await callSupervisor(target, "/api/execution/stop", { method: "POST", actor: this.startedBy.name });
    const what =
      m.config_before !== null ? `rolled back to config v${m.config_before}` : "stopped (nothing ran before)";
    m.outcome = answer.ok ? "rolled_back" : "rollback_failed";
    this.event(
      target.id,
      answer.ok ? `${target.name}: ${what}` : `${target.name}: rollback failed: ${answer.error}`,
    );
    this.audit("rollout.rollback", target.name, answer.ok ? "ok" : "failed", {
      supervisor_id: target.id,
      from_config: m.config_after,
      to_config: m.config_before,
      ...(answer.ok ? {} : { error: answer.error }),
    });
    return answer.ok;
  }
}
