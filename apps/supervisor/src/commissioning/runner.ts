import { parsePointRef } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import type { FlowEngine } from "../engine/flow-engine";
import { commandsOf } from "../engine/site-engine";
import { BacnetPointIO } from "../protocols/bacnet/bacnet-plugin";
import { SUPERVISOR_VERSION } from "../version";
import { type AlarmFlow, verifyAlarms } from "./alarm-verification";
import type { ProtocolCounters } from "./counters";
import { checkDevices } from "./device-check";
import { byDevice } from "./device-key";
import { measureBaseline } from "./performance-baseline";
import { type CheckoutPlan, runCheckout } from "./point-checkout";
import { ReportStore } from "./report-store";
import type { CommissioningReport } from "./report-types";
import type { ReportSigningKey } from "./signing-key";
import { describeLeftover, type LeftoverCommand, relinquishLeftovers, testHolder } from "./test-commands";

/**
 * Runs commissioning checks against the live site, one run at a time, and stores the report. A run is
 * started by the API and goes on in the background (a baseline window can last an hour); the report's
 * JSON is rewritten after each section so a person polling it sees progress, and a supervisor that stops
 * mid-run leaves a report marked failed, not a half-written file.
 */

export interface RunRequest {
  person: string;
  site?: string;
  notes: string;
  startedBy: string;
  checkout?: CheckoutPlan;
  alarms?: { timeoutMs: number; maxDelayS: number };
  baseline?: { windowMs: number; pollIntervalMs: number };
  devices?: { samples: number };
}

/** Every point the site's flows read or write, and the ones they write. */
export function sitePoints(engines: readonly FlowEngine[]): { points: string[]; commanded: Set<string> } {
  const points = new Set<string>();
  const commanded = new Set<string>();
  for (const e of engines) {
    const plan = e.flow?.plan;
    if (!plan) continue;
    for (const r of plan.reads) points.add(r);
    for (const w of plan.writes) {
      points.add(w);
      commanded.add(w);
    }
  }
  return { points: [...points], commanded };
}

export class CommissioningRunner {
  readonly store: ReportStore;
  private current: CommissioningReport | undefined;
  /** Aborted when the app closes or a person cancels the run (a new controller for each run). */
  private abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly app: FastifyInstance,
    dataDir: string,
    private readonly key: ReportSigningKey,
  ) {
    this.store = new ReportStore(dataDir, key);
  }

  /**
   * What a previous process left behind when it was killed mid-run, done once at start (onReady: the site
   * is resumed and the protocols are up, and no run can start before): the write test's command it left
   * on the device is relinquished (never a slot a running flow commands), audited, then the reports it
   * left running are sealed as failed, naming what became of that command.
   */
  async recover(): Promise<void> {
    const { app } = this;
    let leftovers: LeftoverCommand[] = [];
    try {
      // Only a running flow rewrites a slot it commands: a stopped flow's slot (stopped by an operator,
      // which holds across the restart) left to it kept the test value on the device for good, off the list.
      const running = app.engine
        .flows()
        .flatMap((f) => (f.status === "running" && f.flow ? [f.flow.plan] : []));
      leftovers = await relinquishLeftovers(app.engine.writes, commandsOf(running));
    } catch (error) {
      app.log.error({ err: error }, "commissioning write tests left by the last process not relinquished");
    }
    for (const l of leftovers) {
      app.repos.events.add(
        l.outcome === "refused" ? "warn" : "info",
        "commissioning",
        `run ${l.run}: ${describeLeftover(l)}`,
      );
      app.auth.audits.add({
        actor: { kind: "system", name: "commissioning recovery", role: null },
        source: "supervisor",
        action: "commissioning.relinquish",
        target: l.point,
        result: l.outcome === "refused" ? "failed" : "ok",
        reason: describeLeftover(l),
        details: { run: l.run, priority: l.priority, outcome: l.outcome },
      });
    }
    const { sealed, failed } = this.store.sealInterrupted(this.key, leftovers);
    for (const report of sealed) this.recorded(report);
    for (const f of failed)
      app.log.error({ report: f.id, error: f.error }, "commissioning report left running not sealed");
  }

  get active(): CommissioningReport | undefined {
    return this.current;
  }

  get(id: string): CommissioningReport | undefined {
    return this.current?.id === id ? this.current : this.store.get(id);
  }

  /** Starts a run; the returned report is the one stored (status running). */
  start(request: RunRequest): CommissioningReport {
    const now = new Date();
    const site = this.app.engine.site;
    const report: CommissioningReport = {
      id: this.store.newId(now),
      status: "running",
      site: request.site ?? site?.project.name ?? "(no site deployed)",
      project_version: site?.project.version ?? null,
      config_version: site?.stored.version ?? null,
      person: request.person,
      started_by: request.startedBy,
      notes: request.notes,
      started_at: now.toISOString(),
      finished_at: null,
      supervisor_version: SUPERVISOR_VERSION,
      summary: { pass: 0, fail: 0, skipped: 0 },
      digest: null,
      signature: null,
    };
    this.current = report;
    this.abort = new AbortController();
    this.save(report);
    this.running = this.run(report, request)
      .catch((error: unknown) => {
        report.status = "failed";
        report.error = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        report.finished_at = new Date().toISOString();
        if (report.status === "running") report.status = report.cancelled_by ? "cancelled" : "done";
        try {
          this.finish(report);
        } catch (error) {
          // Storing the report must never take the supervisor down (a full disk, a closing database).
          this.app.log.error({ err: error, report: report.id }, "commissioning report not stored");
        }
        this.current = undefined;
        this.running = undefined;
      });
    return report;
  }

  /**
   * Cancels the run in progress: it stops between lines and sections (a line being checked, with its
   * write test's relinquish, ends first), a baseline window ends early, and the report is stored as
   * cancelled with the lines done so far. Answers the stored report once the run has stopped, or the
   * running one if it has not stopped within waitMs (an alarm injection waits for its own timeout).
   */
  async cancel(id: string, by: string, waitMs = 20_000): Promise<CommissioningReport | undefined> {
    const report = this.current;
    if (report?.id !== id || !this.running) return undefined;
    report.cancelled_by ??= by;
    this.abort.abort();
    const running = this.running;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      running,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
    return report;
  }

  /** Stops a running baseline window and waits for the run to store its report (app closing). */
  async close(): Promise<void> {
    if (this.current && this.running && !this.current.cancelled_by) {
      this.current.status = "failed";
      this.current.error = "the supervisor stopped during the run";
    }
    this.abort.abort();
    await this.running;
  }

  private save(report: CommissioningReport): void {
    this.store.write(report.id, "json", JSON.stringify(report, null, 2));
  }

  private finish(report: CommissioningReport): void {
    this.store.seal(report, this.key);
    this.recorded(report);
  }

  /** The event and the audit record of a run's end (a run sealed at start after a crash included). */
  private recorded(report: CommissioningReport): void {
    this.app.repos.events.add(
      report.summary.fail > 0 || report.status === "failed" ? "warn" : "info",
      "commissioning",
      `commissioning run ${report.id} ${report.status}: ${report.summary.pass} passed, ${report.summary.fail} failed, ${report.summary.skipped} skipped`,
    );
    this.app.auth.audits.add({
      actor: { kind: "system", name: "commissioning run", role: null },
      source: "supervisor",
      action: "commissioning.finish",
      target: report.id,
      result: report.status === "failed" ? "failed" : "ok",
      ...(report.error ? { reason: report.error } : {}),
      details: {
        person: report.person,
        started_by: report.started_by,
        ...(report.cancelled_by ? { cancelled_by: report.cancelled_by } : {}),
        summary: report.summary,
        // Every command the run sent, for the trail: point, priority, test value and what it read back.
        writes: (report.checkout ?? [])
          .filter((l) => l.write_test)
          .map((l) => ({
            point: l.point,
            priority: l.write_test!.priority,
            value: l.write_test!.test_value,
            after_write: l.write_test!.after_write,
            after_release: l.write_test!.after_release,
            ...(l.write_test!.forced_over_flow ? { forced_over: l.write_test!.forced_over_flow } : {}),
          })),
      },
    });
  }

  private counters(): ProtocolCounters[] {
    const bacnet = this.app.points.find("bacnet", BacnetPointIO)?.service;
    return this.app.points.health().map((h) =>
      h.protocol === "bacnet" && bacnet
        ? {
            protocol: "bacnet",
            requests: bacnet.counters.requests,
            errors: bacnet.counters.errors + bacnet.counters.timeouts,
            timeouts: bacnet.counters.timeouts,
            retries: bacnet.counters.retries,
          }
        : { protocol: h.protocol, requests: null, errors: h.errors, timeouts: null, retries: null },
    );
  }

  private units(ref: string): string | undefined {
    const parsed = parsePointRef(ref);
    if (!parsed.ok || parsed.ref.protocol !== "bacnet") return undefined;
    const labels = this.app.repos.devices.labels(
      parsed.ref.device,
      parsed.ref.objectType,
      parsed.ref.instance,
    );
    return labels?.units && labels.units !== "noUnits" ? labels.units : undefined;
  }

  private async run(report: CommissioningReport, request: RunRequest): Promise<void> {
    const { app } = this;
    const by = `commissioning (${request.person})`;
    if (request.checkout) {
      report.checkout = [];
      report.checkout = await runCheckout(request.checkout, {
        io: app.points,
        units: (ref) => this.units(ref),
        restoreFlow: (flowId) => app.engine.writes.invalidate(flowId),
        commands: {
          reserve: (point, priority, value) =>
            app.engine.writes.reserve(point, priority, value, testHolder(report.id)),
          released: (point, priority) => app.engine.writes.forget(point, priority),
        },
        onLine: (line) => report.checkout?.push(line),
        signal: this.abort.signal,
      });
      this.save(report);
    }
    const stopped = () => this.abort.signal.aborted;
    if (request.alarms && !stopped()) {
      const flows: AlarmFlow[] = app.engine.flows().map((engine) => ({
        flowId: engine.flowId,
        name: engine.name,
        running: engine.status === "running",
        alerts: (engine.flow?.plan.nodes ?? [])
          .filter((n) => n.type === "alert")
          .map((n) => {
            const c = n.config as {
              priority: string;
              mode: string;
              on_delay_s: number;
              off_delay_s: number;
              webhook_url: string | null;
            };
            const label = engine.flow?.config.nodes.find((x) => x.id === n.id)?.label;
            return {
              id: n.id,
              label: label ?? n.id,
              priority: c.priority,
              mode: c.mode,
              onDelayS: c.on_delay_s,
              offDelayS: c.off_delay_s,
              webhook: Boolean(c.webhook_url),
            };
          }),
        pinCondition: (nodeId, value, ttlMs) =>
          engine.debug.addPin({ kind: "input", node: nodeId, port: "condition" }, value, "good", ttlMs, by)
            .id,
        unpin: (pinId) => {
          engine.debug.removePin(pinId);
        },
      }));
      report.alarms = await verifyAlarms({
        flows,
        onTransition: (listener) => app.alertSink.onTransition(listener),
        onNotify: (listener) => app.alertSink.onDelivery(listener),
        acknowledge: (key, flowId) => {
          app.repos.alerts.acknowledge(key, by);
          app.engine.parameters.signal(flowId, `alert_ack:${key}`);
        },
        timeoutMs: request.alarms.timeoutMs,
        maxDelayS: request.alarms.maxDelayS,
      });
      this.save(report);
    }
    const points = sitePoints(app.engine.flows()).points;
    const devices = byDevice(points);
    if (request.devices && !stopped()) {
      report.devices = await checkDevices({
        read: (refs) => app.points.read(refs),
        devices,
        counters: () => this.counters(),
        samples: request.devices.samples,
        info: (device) => {
          if (!device.startsWith("bacnet:")) return undefined;
          const d = app.repos.devices.get(Number(device.slice(7)));
          return d
            ? { name: d.name, address: d.address, segmentation: d.segmentation, maxApdu: d.max_apdu }
            : undefined;
        },
      });
      this.save(report);
    }
    if (request.baseline && !stopped()) {
      report.baseline = await measureBaseline({
        read: (refs) => app.points.read(refs),
        devices,
        flows: app.engine.flows().map((engine) => {
          const trigger = engine.flow?.plan.flow.execution.trigger;
          return {
            flowId: engine.flowId,
            name: engine.name,
            running: engine.status === "running",
            intervalMs: trigger?.type === "interval" ? trigger.interval_ms : null,
            scans: () => engine.tracker.scans,
            scanDurationsSince: (from) => engine.tracker.traceDurationsSince(from),
          };
        }),
        counters: () => this.counters(),
        loggedErrorsSince: (from) => app.repos.events.countSince("error", from),
        windowMs: request.baseline.windowMs,
        pollIntervalMs: request.baseline.pollIntervalMs,
        signal: this.abort.signal,
      });
    }
  }
}
