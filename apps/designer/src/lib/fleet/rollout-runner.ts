import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { SitePackageSchema, type ValidationProblem } from "@bms/schemas";
import type Database from "better-sqlite3";
import { appendAudit } from "../auth/audit-repository";
import { getRollout, insertRollout, markInterrupted, saveRolloutProgress } from "../db/rollouts-repository";
import { nowIso } from "../db/sqlite-time";
import { supervisorsTagged } from "../db/supervisor-tags-repository";
import { getSupervisorTarget, type SupervisorTarget } from "../db/supervisors-repository";
import { buildProjectSite, deploySiteTo } from "../deploy-service";
import { callSupervisor } from "../supervisor-client";
import { judgeSample, judgeScans } from "./health-gate";
import type { Rollout, RolloutMember, RolloutRequest, RolloutStatus } from "./rollout-model";
import { type HealthSample, readHealth } from "./supervisor-health";

/**
 * The rollouts this process drives, on globalThis: Next bundles each route separately, and the stop
 * route must reach the runner the start route began.
 */
interface Active {
  stop: AbortController;
  done: Promise<void>;
}
const holder = globalThis as typeof globalThis & { __bmsRollouts?: Map<string, Active> };
const active = (): Map<string, Active> => {
  holder.__bmsRollouts ??= new Map();
  return holder.__bmsRollouts;
};

export type StartResult =
  | { ok: true; rollout: Rollout }
  | { ok: false; status: number; error: string; errors?: ValidationProblem[] };

/**
 * Checks the request (the version builds and validates, the group has members, the canary is one of
 * them), records the rollout and starts it in the background. Only one rollout per group at a time.
 */
export function startRollout(
  db: Database.Database,
  request: RolloutRequest,
  startedBy: { name: string; role: string | null },
): StartResult {
  markInterrupted(db, new Set(active().keys()));
  const site = buildProjectSite(db, request.project_id, request.version);
  if (!site.ok) return site;
  SitePackageSchema.parse(site.pkg);
  const ids = supervisorsTagged(db, request.tag);
  const targets = ids
    .map((id) => getSupervisorTarget(db, id))
    .filter((t): t is SupervisorTarget => t !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (targets.length === 0)
    return {
      ok: false,
      status: 422,
      error: `no supervisor carries the tag "${request.tag}"`,
      errors: [{ path: "tag", message: "tag supervisors in the fleet console first" }],
    };
  const canaryIndex = request.canary_id ? targets.findIndex((t) => t.id === request.canary_id) : 0;
  if (canaryIndex < 0)
    return {
      ok: false,
      status: 422,
      error: "the canary is not in the group",
      errors: [
        { path: "canary_id", message: `supervisor ${request.canary_id} does not carry "${request.tag}"` },
      ],
    };
  const busy = [...active().keys()]
    .map((id) => getRollout(db, id))
    .find((r) => r?.tag.toLowerCase() === request.tag.toLowerCase());
  if (busy)
    return {
      ok: false,
      status: 409,
      error: `rollout ${busy.id} to "${busy.tag}" is still running: stop it or wait`,
    };

  const canary = targets[canaryIndex]!;
  const rest = targets.filter((_, i) => i !== canaryIndex);
  const batches: SupervisorTarget[][] = [[canary]];
  for (let i = 0; i < rest.length; i += request.batch_size)
    batches.push(rest.slice(i, i + request.batch_size));

  const rollout: Rollout = {
    id: randomUUID(),
    kind: "site",
    tag: request.tag,
    project_id: request.project_id,
    project_version: site.version,
    status: "running",
    options: request,
    report: {
      members: batches.flatMap((batch, b) =>
        batch.map((t) => ({
          supervisor_id: t.id,
          name: t.name,
          batch: b,
          outcome: "pending" as const,
          config_before: null,
          config_after: null,
        })),
      ),
      events: [],
      summary: `v${site.version} to ${targets.length} supervisor(s) tagged "${request.tag}": canary ${canary.name}`,
    },
    started_by: startedBy.name,
    started_at: nowIso(),
    finished_at: null,
  };
  insertRollout(db, rollout);
  const stop = new AbortController();
  const done = new RolloutRun(db, rollout, site, batches, stop.signal, startedBy)
    .run()
    .finally(() => active().delete(rollout.id));
  active().set(rollout.id, { stop, done });
  return { ok: true, rollout };
}

/** Asks a running rollout to stop: no further batch starts; members deployed so far stay as they are. */
export function stopRollout(id: string): boolean {
  const run = active().get(id);
  if (!run) return false;
  run.stop.abort();
  return true;
}

/** Resolves when the rollout has finished (tests, and the server's shutdown). */
export async function rolloutFinished(id: string): Promise<void> {
  await active().get(id)?.done;
}

export function isRolloutActive(id: string): boolean {
  return active().has(id);
}

type MemberResult = { deployed: boolean; ok: boolean; stopped: boolean };

class RolloutRun {
  private readonly report;

  constructor(
    private readonly db: Database.Database,
    private readonly rollout: Rollout,
    private readonly site: { version: number; pkg: Parameters<typeof deploySiteTo>[2]["pkg"] },
    private readonly batches: SupervisorTarget[][],
    private readonly stopped: AbortSignal,
    private readonly startedBy: { name: string; role: string | null },
  ) {
    this.report = rollout.report;
  }

  private member(id: string): RolloutMember {
    return this.report.members.find((m) => m.supervisor_id === id)!;
  }

  private event(supervisorId: string | null, message: string, status: RolloutStatus = "running") {
    this.report.events.push({ at: nowIso(), supervisor_id: supervisorId, message });
    saveRolloutProgress(this.db, this.rollout.id, status, this.report);
  }

  private audit(action: string, target: string, result: "ok" | "failed", details: Record<string, unknown>) {
    appendAudit(this.db, {
      // The Designer's audit table keeps no on_behalf_of column: who started the rollout goes in the details.
      actor: { kind: "system", name: "rollout", role: null },
      source: "designer",
      action,
      target,
      result,
      details: { rollout: this.rollout.id, started_by: this.startedBy.name, ...details },
    });
  }

  async run(): Promise<void> {
    const options = this.rollout.options;
    let status: RolloutStatus = "succeeded";
    try {
      for (const [b, batch] of this.batches.entries()) {
        if (this.stopped.aborted) {
          status = "stopped";
          break;
        }
        this.event(null, `${b === 0 ? "canary" : `batch ${b}`}: ${batch.map((t) => t.name).join(", ")}`);
        const results = await Promise.all(batch.map((t) => this.deployAndWatch(t, options)));
        if (results.some((r) => r.stopped) && results.every((r) => r.ok || r.stopped)) {
          status = "stopped";
          break;
        }
        if (results.every((r) => r.ok)) continue;
        // One member failed: the whole batch goes back, so a group never runs two versions inside a batch.
        const rolledBack = await Promise.all(
          batch.map((t, i) => (results[i]!.deployed ? this.rollBack(t) : Promise.resolve(true))),
        );
        status = rolledBack.every(Boolean) ? "rolled_back" : "failed";
        break;
      }
    } catch (error) {
      status = "failed";
      this.report.events.push({
        at: nowIso(),
        supervisor_id: null,
        message: `the rollout broke off: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    for (const m of this.report.members) if (m.outcome === "pending") m.outcome = "skipped";
    const count = (o: RolloutMember["outcome"]) => this.report.members.filter((m) => m.outcome === o).length;
    this.report.summary = `${status.replace("_", " ")}: v${this.rollout.project_version} to "${this.rollout.tag}": ${count("updated")} updated, ${count("rolled_back")} rolled back, ${count("failed") + count("rollback_failed")} failed, ${count("skipped")} not reached${count("unverified") ? `, ${count("unverified")} unverified` : ""}`;
    this.event(null, this.report.summary, status);
    this.audit(
      "rollout.finish",
      this.rollout.tag,
      status === "succeeded" || status === "stopped" ? "ok" : "failed",
      {
        status,
        project_id: this.rollout.project_id,
        project_version: this.rollout.project_version,
      },
    );
  }

  private async deployAndWatch(target: SupervisorTarget, options: RolloutRequest): Promise<MemberResult> {
    const m = this.member(target.id);
    const fail = (
      code: NonNullable<RolloutMember["failure"]>["code"],
      message: string,
      deployed: boolean,
    ) => {
      m.outcome = "failed";
      m.failure = { code, message };
      this.event(target.id, `${target.name}: ${message}`);
      return { deployed, ok: false, stopped: false };
    };
    const before = await readHealth(target);
    if (!before.ok)
      return fail("baseline_unreadable", `health before the deploy unreadable: ${before.error}`, false);
    m.config_before = before.sample.config_version;
    m.outcome = "deploying";
    this.event(
      target.id,
      `${target.name}: deploying v${this.rollout.project_version} (running config v${m.config_before ?? "none"})`,
    );
    const outcome = await deploySiteTo(
      this.db,
      this.rollout.project_id,
      this.site,
      target,
      options.replace ? "replace" : "update",
    );
    if (!outcome.ok) return fail("deploy_refused", `deploy refused: ${outcome.error}`, false);
    m.config_after = outcome.config_version;
    m.outcome = "watching";
    this.event(
      target.id,
      `${target.name}: config v${outcome.config_version} active; watching health for ${options.watch_seconds} s`,
    );

    const deadline = Date.now() + options.watch_seconds * 1000;
    let first: HealthSample | undefined;
    let last: HealthSample | undefined;
    while (Date.now() < deadline) {
      try {
        await sleep(Math.min(options.poll_seconds * 1000, Math.max(0, deadline - Date.now())), undefined, {
          signal: this.stopped,
        });
      } catch {
        m.outcome = "unverified";
        this.event(
          target.id,
          `${target.name}: rollout stopped during the watch; left on config v${m.config_after}`,
        );
        return { deployed: true, ok: false, stopped: true };
      }
      const read = await readHealth(target);
      if (!read.ok) return fail("unreachable", `unreachable during the watch: ${read.error}`, true);
      const verdict = judgeSample(before.sample, read.sample, m.config_after);
      if (!verdict.ok) return fail(verdict.code, verdict.message, true);
      first ??= read.sample;
      last = read.sample;
    }
    if (!first || !last || first === last)
      return fail("scans_stalled", "the watch window is shorter than two health samples: lengthen it", true);
    const scans = judgeScans(first, last);
    if (!scans.ok) return fail(scans.code, scans.message, true);
    m.outcome = "updated";
    this.event(target.id, `${target.name}: healthy for ${options.watch_seconds} s`);
    return { deployed: true, ok: true, stopped: false };
  }

  /**
   * Back to the config that ran before (the supervisor's own rollback re-activates it as a new version);
   * a supervisor that ran nothing before is stopped, which relinquishes every point the new flows wrote.
   */
  private async rollBack(target: SupervisorTarget): Promise<boolean> {
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
