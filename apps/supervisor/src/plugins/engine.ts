import { nodeCatalog } from "@bms/nodes";
import { validateSitePackage } from "@bms/schemas";
import fp from "fastify-plugin";
import { AlertSink } from "../engine/alert-sink";
import { ChangeFeed } from "../engine/change-feed";
import { HeapBudget } from "../engine/heap-budget";
import { DEFAULT_HISTORY_MAX_MB, HistoryRecorder } from "../engine/history-recorder";
import { ScriptWorkerPool } from "../engine/script-pool";
import { SiteEngine } from "../engine/site-engine";
import { WatchPoller } from "../engine/watch-poller";
import { WebhookPolicy } from "../engine/webhook";
import { WriteManager } from "../engine/write-manager";

declare module "fastify" {
  interface FastifyInstance {
    engine: SiteEngine;
    scripts: ScriptWorkerPool;
    history: HistoryRecorder;
    /** Where alert nodes' events go; northbound listeners subscribe to its transitions. */
    alertSink: AlertSink;
    watchPoller: WatchPoller;
    cov: ChangeFeed;
    /** The site's point count against the JS heap the process was started with. */
    heapBudget: HeapBudget;
  }
}

/**
 * The scan engine and history. On start it resumes the last active config (and its node state), so a
 * power cut or kill -9 is followed by the same flow running again.
 */
export const enginePlugin = fp<{
  execute: boolean;
  historyRetentionHours: number;
  historyMaxMb?: number;
  historyMinIntervalMs: number;
  /** `--state-save-interval` in ms: how often periodic node state is written (default 10 s). */
  stateSaveIntervalMs?: number;
  watchIntervalMs: number;
  /** Script worker threads (default: min(2, cores)). */
  scriptWorkers?: number;
  /** Alarm webhook targets the admin allows (host or host:port). */
  webhookAllow: readonly string[];
}>(
  async (app, options) => {
    const { repos } = app;
    const history = new HistoryRecorder(repos.timeseries, {
      minIntervalMs: options.historyMinIntervalMs,
      // A flat line still gets a sample every 15 minutes, so "no data" never means "no change".
      maxIntervalMs: 15 * 60_000,
      retentionMs: options.historyRetentionHours * 3_600_000,
      maxBytes: (options.historyMaxMb ?? DEFAULT_HISTORY_MAX_MB) * 1_000_000,
    });
    const writes = new WriteManager(app.points, repos.commands);
    // Late-bound: the change feed exists before the engine it notifies.
    let notify: (refs: readonly string[]) => void = () => undefined;
    // Every protocol's pushed values (BACnet COV included) come through the registry's subscribe.
    const cov = new ChangeFeed(app.points, (refs) => notify(refs));
    // Script nodes run in worker threads, started on the first script job.
    const scripts = new ScriptWorkerPool({
      ...(options.scriptWorkers === undefined ? {} : { size: options.scriptWorkers }),
      onEvent: (level, message) => repos.events.add(level, "scripts", message),
    });
    const alerts = new AlertSink(
      repos.alerts,
      repos.events,
      new WebhookPolicy(options.webhookAllow),
      (url, nodeId, message) =>
        app.auth.audits.add({
          actor: { kind: "system", name: `alert node ${nodeId}`, role: null },
          source: "engine",
          action: "webhook.refused",
          target: url,
          result: "denied",
          reason: message,
        }),
    );
    const heapBudget = new HeapBudget((message) => {
      app.log.warn(message);
      repos.events.add("warn", "engine", message);
    });
    const engine = new SiteEngine({
      points: app.points,
      nodeState: repos.nodeState,
      events: repos.events,
      history,
      writes,
      alerts,
      cov,
      scripts,
      onRunningChange: (running) => repos.configs.setRunning(running),
      parameterStore: repos.parameters,
      runState: repos.flowRunState,
      ...(options.stateSaveIntervalMs === undefined
        ? {}
        : { stateSaveIntervalMs: options.stateSaveIntervalMs }),
      onSitePoints: (points) => heapBudget.check(points),
    });
    notify = (refs) => engine.notifyChange(refs);
    app.decorate("engine", engine);
    app.decorate("scripts", scripts);
    app.decorate("cov", cov);
    app.decorate("history", history);
    app.decorate("heapBudget", heapBudget);
    app.decorate("alertSink", alerts);
    history.start();
    const watch = new WatchPoller(app.points, repos.watchList, history, options.watchIntervalMs);
    watch.start();
    app.decorate("watchPoller", watch);

    app.addHook("onReady", async () => {
      const active = repos.configs.active();
      if (!active) return;
      const stored = repos.configs.get(active.version);
      const pkg = repos.configs.package(active.version);
      if (!stored || !pkg) return;
      const checked = validateSitePackage(pkg, nodeCatalog());
      const compiled = checked.ok ? SiteEngine.compile(checked.value) : undefined;
      if (!checked.ok || !compiled?.ok) {
        // A stored config that no longer compiles (node library changed): keep it, do not run it.
        repos.events.add(
          "error",
          "engine",
          `active config v${active.version} no longer validates; not started`,
        );
        return;
      }
      await engine.activate(
        checked.value,
        stored,
        compiled.plans,
        options.execute && active.running,
        false,
        "all",
      );
      app.log.info(`resumed config v${active.version} (${active.running ? "running" : "stopped"})`);
    });
    app.addHook("onClose", async () => {
      // Shutting the process down is not stopping the flow: points stay commanded, as on a controller
      // reboot, and the flow resumes on the next start. An explicit stop relinquishes.
      engine.halt();
      // A scan may be waiting on a script (at most its budget): let it finish before the workers go,
      // or the script would fail and a node with on_failure "stop" would stop the flow on the way out.
      await engine.idle();
      // Every node's state, periodic included, is written before the database closes: a clean shutdown
      // loses nothing, only a power cut loses up to the state save interval of periodic state.
      engine.saveState();
      repos.nodeState.flush();
      watch.stop();
      await cov.stop();
      history.stop();
      await scripts.close();
    });
  },
  { name: "engine", dependencies: ["storage", "protocols", "auth"] },
);
