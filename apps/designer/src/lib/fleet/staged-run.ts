import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { ValidationProblem } from "@bms/schemas";
import type Database from "better-sqlite3";
import { appendAudit } from "../auth/audit-repository";
import { getRollout, insertRollout, markInterrupted, saveRolloutProgress } from "../db/rollouts-repository";
import { nowIso } from "../db/sqlite-time";
import { supervisorsTagged } from "../db/supervisor-tags-repository";
import { getSupervisorTarget, type SupervisorTarget } from "../db/supervisors-repository";
import { judgeSample, judgeScans } from "./health-gate";
import type {
  MemberFailureCode,
  Rollout,
  RolloutMember,
  RolloutReport,
  RolloutStatus,
} from "./rollout-model";
import { type HealthSample, readHealth } from "./supervisor-health";

/**
 * What every staged rollout shares, whatever it pushes (a project version, a supervisor release): the
 * plan (canary, then batches of the group), the one-rollout-per-group rule, the batch loop that stops at
 * the first failure and rolls the whole batch back, the health watch, the report and the audit.
 */

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

export type Refusal = { ok: false; status: number; error: string; errors?: ValidationProblem[] };
export type StartResult = { ok: true; rollout: Rollout } | Refusal;

/** The group's members as batches, canary first; refused when the group is empty or already rolling out. */
export function planBatches(
  db: Database.Database,
  request: { tag: string; canary_id?: string | undefined; batch_size: number },
): { ok: true; batches: SupervisorTarget[][] } | Refusal {
  markInterrupted(db, new Set(active().keys()));
  const targets = supervisorsTagged(db, request.tag)
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
  return { ok: true, batches };
}

/** The report's member rows, every one pending; a release rollout also tracks each member's version. */
function pendingMembers(batches: SupervisorTarget[][], kind: Rollout["kind"]): RolloutMember[] {
  return batches.flatMap((batch, b) =>
    batch.map((t) => ({
      supervisor_id: t.id,
      name: t.name,
      batch: b,
      outcome: "pending" as const,
      config_before: null,
      config_after: null,
      ...(kind === "release" ? { release_before: null, release_after: null } : {}),
    })),
  );
}

export type StartedBy = { name: string; role: string | null };

/** What a new rollout record takes from what it pushes; the rest is the same for every kind. */
export type RolloutSpec = Pick<
  Rollout,
  "kind" | "project_id" | "project_version" | "release_version" | "options"
> & {
  /** What is rolled out, for the summary and events ("v3", "release 9.1.0"). */
  what: string;
};

/** What a run is given: the recorded rollout, its plan, who started it and the stop signal. */
export interface RunContext {
  db: Database.Database;
  rollout: Rollout;
  batches: SupervisorTarget[][];
  stopped: AbortSignal;
  startedBy: StartedBy;
  what: string;
}

/** Records the rollout of a planned group and runs it in the background. */
export function launch(
  db: Database.Database,
  batches: SupervisorTarget[][],
  startedBy: StartedBy,
  spec: RolloutSpec,
  makeRun: (context: RunContext) => StagedRun,
): StartResult {
  const { what, ...fields } = spec;
  const rollout: Rollout = {
    id: randomUUID(),
    ...fields,
    tag: spec.options.tag,
    status: "running",
    report: {
      members: pendingMembers(batches, spec.kind),
      events: [],
      summary: `${what} to ${batches.flat().length} supervisor(s) tagged "${spec.options.tag}": canary ${batches[0]![0]!.name}`,
    },
    started_by: startedBy.name,
    started_at: nowIso(),
    finished_at: null,
  };
  insertRollout(db, rollout);
  const stop = new AbortController();
  const done = makeRun({ db, rollout, batches, stopped: stop.signal, startedBy, what })
    .run()
    .finally(() => active().delete(rollout.id));
  active().set(rollout.id, { stop, done });
  return { ok: true, rollout };
}

/** Asks a running rollout to stop: no further batch starts; members updated so far stay as they are. */
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

export type MemberResult = { deployed: boolean; ok: boolean; stopped: boolean };

export abstract class StagedRun {
  protected readonly db: Database.Database;
  protected readonly rollout: Rollout;
  protected readonly report: RolloutReport;
  private readonly batches: SupervisorTarget[][];
  protected readonly stopped: AbortSignal;
  protected readonly startedBy: StartedBy;
  /** What is rolled out, for the summary ("v3", "release 9.1.0"). */
  protected readonly what: string;

  constructor(context: RunContext) {
    this.db = context.db;
    this.rollout = context.rollout;
    this.report = context.rollout.report;
    this.batches = context.batches;
    this.stopped = context.stopped;
    this.startedBy = context.startedBy;
    this.what = context.what;
  }

  /**
   * Puts one member on the new version and watches it through the health gate, judged against
   * `baseline`: its health read just before (see `update`).
   */
  protected abstract updateFrom(target: SupervisorTarget, baseline: HealthSample): Promise<MemberResult>;
  /** Returns one member that was updated to what it ran before; true when it got there. */
  protected abstract rollBack(target: SupervisorTarget): Promise<boolean>;
  /** What the finishing audit record names (project and version, or the release). */
  protected abstract finishDetails(): Record<string, unknown>;

  protected member(id: string): RolloutMember {
    return this.report.members.find((m) => m.supervisor_id === id)!;
  }

  protected event(supervisorId: string | null, message: string, status: RolloutStatus = "running") {
    this.report.events.push({ at: nowIso(), supervisor_id: supervisorId, message });
    saveRolloutProgress(this.db, this.rollout.id, status, this.report);
  }

  protected audit(action: string, target: string, result: "ok" | "failed", details: Record<string, unknown>) {
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

  protected fail(target: SupervisorTarget, code: MemberFailureCode, message: string, deployed: boolean) {
    const m = this.member(target.id);
    m.outcome = "failed";
    m.failure = { code, message };
    this.event(target.id, `${target.name}: ${message}`);
    return { deployed, ok: false, stopped: false };
  }

  /**
   * Reads the member's health before touching it: the health gate judges the new version against it, so a
   * member whose baseline cannot be read is failed untouched rather than updated blind.
   */
  private async update(target: SupervisorTarget): Promise<MemberResult> {
    const before = await readHealth(target);
    if (!before.ok)
      return this.fail(
        target,
        "baseline_unreadable",
        `health before the update to ${this.what} unreadable: ${before.error}`,
        false,
      );
    return this.updateFrom(target, before.sample);
  }

  async run(): Promise<void> {
    let status: RolloutStatus = "succeeded";
    try {
      for (const [b, batch] of this.batches.entries()) {
        if (this.stopped.aborted) {
          status = "stopped";
          break;
        }
        this.event(null, `${b === 0 ? "canary" : `batch ${b}`}: ${batch.map((t) => t.name).join(", ")}`);
        const results = await Promise.all(batch.map((t) => this.update(t)));
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
    this.report.summary = `${status.replace("_", " ")}: ${this.what} to "${this.rollout.tag}": ${count("updated")} updated, ${count("rolled_back")} rolled back, ${count("failed") + count("rollback_failed")} failed, ${count("skipped")} not reached${count("unverified") ? `, ${count("unverified")} unverified` : ""}`;
    this.event(null, this.report.summary, status);
    this.audit(
      "rollout.finish",
      this.rollout.tag,
      status === "succeeded" || status === "stopped" ? "ok" : "failed",
      { status, ...this.finishDetails() },
    );
  }

  /**
   * The health gate: for `watch_seconds`, every sample against the baseline taken before the update
   * (engine running the expected config, no new bad points or alarms), and scans moving over the window.
   */
  protected async watch(
    target: SupervisorTarget,
    baseline: HealthSample,
    expectedConfig: number | null,
    options: { watch_seconds: number; poll_seconds: number },
    leftOn: string,
  ): Promise<MemberResult> {
    const m = this.member(target.id);
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
        this.event(target.id, `${target.name}: rollout stopped during the watch; left on ${leftOn}`);
        return { deployed: true, ok: false, stopped: true };
      }
      const read = await readHealth(target);
      if (!read.ok)
        return this.fail(target, "unreachable", `unreachable during the watch: ${read.error}`, true);
      const verdict = judgeSample(baseline, read.sample, expectedConfig);
      if (!verdict.ok) return this.fail(target, verdict.code, verdict.message, true);
      first ??= read.sample;
      last = read.sample;
    }
    if (!first || !last || first === last)
      return this.fail(
        target,
        "scans_stalled",
        "the watch window is shorter than two health samples: lengthen it",
        true,
      );
    const scans = judgeScans(first, last);
    if (!scans.ok) return this.fail(target, scans.code, scans.message, true);
    m.outcome = "updated";
    this.event(target.id, `${target.name}: healthy for ${options.watch_seconds} s`);
    return { deployed: true, ok: true, stopped: false };
  }
}
