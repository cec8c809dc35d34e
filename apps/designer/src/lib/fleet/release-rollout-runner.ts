import { setTimeout as sleep } from "node:timers/promises";
import type Database from "better-sqlite3";
import type { SupervisorTarget } from "../db/supervisors-repository";
import { callSupervisor } from "../supervisor-client";
import { getReleaseBundle, type ReleaseBundle, readReleaseBundleBytes } from "./release-bundles";
import type { ReleaseRolloutRequest } from "./rollout-model";
import {
  launch,
  type MemberResult,
  planBatches,
  type RunContext,
  StagedRun,
  type StartedBy,
  type StartResult,
} from "./staged-run";
import { type HealthSample, readHealth } from "./supervisor-health";

/**
 * A supervisor release to a group, staged like a project version (canary, health gate, batches, stop
 * at the first failure). Each member gets the signed bundle on its POST /api/system/update (admin; the
 * supervisor checks the signature against its pinned key and audits it with X-BMS-Actor), must come back
 * healthy on the new version within `restart_seconds` (else its launcher has already rolled it back),
 * then passes the same health gate as a flow rollout, its running config unchanged. A member that fails
 * the gate after coming up goes back through POST /api/system/update/rollback.
 */
export function startReleaseRollout(
  db: Database.Database,
  dataDir: string,
  request: ReleaseRolloutRequest,
  startedBy: StartedBy,
): StartResult {
  const bundle = getReleaseBundle(dataDir, request.bundle_id);
  if (!bundle)
    return {
      ok: false,
      status: 422,
      error: "no such release bundle",
      errors: [{ path: "bundle_id", message: "upload the bundle first (POST /api/release-bundles)" }],
    };
  const plan = planBatches(db, request);
  if (!plan.ok) return plan;
  const spec = {
    kind: "release",
    project_id: null,
    project_version: null,
    release_version: bundle.version,
    options: request,
    what: `release ${bundle.version}`,
  } as const;
  const bytes = readReleaseBundleBytes(dataDir, bundle.id);
  return launch(
    db,
    plan.batches,
    startedBy,
    spec,
    (context) => new ReleaseRolloutRun(context, request, bundle, bytes),
  );
}

class ReleaseRolloutRun extends StagedRun {
  constructor(
    context: RunContext,
    private readonly request: ReleaseRolloutRequest,
    private readonly bundle: ReleaseBundle,
    private readonly bytes: Buffer,
  ) {
    super(context);
  }

  protected finishDetails(): Record<string, unknown> {
    return { release_version: this.bundle.version, bundle: this.bundle.id };
  }

  /** Polls /api/health until it answers ok on `version`, for at most restart_seconds; the last version seen. */
  private async comesBackOn(
    target: SupervisorTarget,
    version: string,
  ): Promise<{ ok: boolean; seen: string | null }> {
    const deadline = Date.now() + this.request.restart_seconds * 1000;
    let seen: string | null = null;
    while (Date.now() < deadline) {
      const read = await readHealth(target);
      if (read.ok) {
        seen = read.sample.version;
        if (read.sample.status === "ok" && read.sample.version === version) return { ok: true, seen };
      }
      await sleep(1000);
    }
    return { ok: false, seen };
  }

  protected async updateFrom(target: SupervisorTarget, before: HealthSample): Promise<MemberResult> {
    const m = this.member(target.id);
    const version = this.bundle.version;
    m.release_before = before.version;
    m.release_after = before.version;
    m.config_before = before.config_version;
    m.config_after = before.config_version;
    if (before.version === version) {
      m.outcome = "updated";
      this.event(target.id, `${target.name}: already runs ${version}; nothing to update`);
      return { deployed: false, ok: true, stopped: false };
    }
    m.outcome = "deploying";
    this.event(target.id, `${target.name}: updating ${m.release_before} → ${version}`);
    const answer = await callSupervisor(target, "/api/system/update", {
      upload: { bytes: this.bytes, headers: { "x-bms-signature": this.bundle.signature } },
      timeoutMs: 120_000,
      actor: this.startedBy.name,
    });
    this.audit("rollout.update", target.name, answer.ok ? "ok" : "failed", {
      supervisor_id: target.id,
      from_release: m.release_before,
      to_release: version,
      ...(answer.ok ? {} : { error: answer.error }),
    });
    if (!answer.ok) return this.fail(target, "update_refused", `update refused: ${answer.error}`, false);
    const back = await this.comesBackOn(target, version);
    if (!back.ok) {
      m.release_after = back.seen;
      // The launcher rolls a release back by itself when it is not healthy within its window: nothing for
      // the rollout to undo, and the batch's other members are rolled back as usual.
      return this.fail(
        target,
        "never_healthy",
        `did not come back healthy on ${version} within ${this.request.restart_seconds} s (now on ${back.seen ?? "no answer"})`,
        false,
      );
    }
    m.release_after = version;
    m.outcome = "watching";
    this.event(
      target.id,
      `${target.name}: ${version} is up; watching health for ${this.request.watch_seconds} s`,
    );
    // The baseline is the health before the update: the config it ran must still run, with no new bad
    // points or alarms.
    return this.watch(target, before, m.config_before, this.request, version);
  }

  protected async rollBack(target: SupervisorTarget): Promise<boolean> {
    const m = this.member(target.id);
    const answer = await callSupervisor(target, "/api/system/update/rollback", {
      method: "POST",
      timeoutMs: 15_000,
      actor: this.startedBy.name,
    });
    const back = answer.ok && m.release_before ? await this.comesBackOn(target, m.release_before) : null;
    const ok = answer.ok && back?.ok === true;
    m.outcome = ok ? "rolled_back" : "rollback_failed";
    if (back) m.release_after = back.seen;
    this.event(
      target.id,
      ok
        ? `${target.name}: rolled back to ${m.release_before}`
        : `${target.name}: rollback failed: ${answer.ok ? `not healthy on ${m.release_before} (now ${back?.seen ?? "no answer"})` : answer.error}`,
    );
    this.audit("rollout.rollback", target.name, ok ? "ok" : "failed", {
      supervisor_id: target.id,
      from_release: this.bundle.version,
      to_release: m.release_before,
      ...(answer.ok ? {} : { error: answer.error }),
    });
    return ok;
  }
}
