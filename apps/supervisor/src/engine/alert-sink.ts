import type { AlertEvent } from "@bms/nodes";
import type { AlertsRepo, AlertTransition } from "../storage/alerts-repo";
import type { EventsRepo } from "../storage/events-repo";

/**
 * Where `alert` nodes' events go: the alarm table (deduplicated by key), the event log and, when the
 * node names one, a webhook. Only transitions are logged and posted, so an alarm that stays active for
 * an hour is one notification, not 3,600.
 */
export class AlertSink {
  constructor(
    private readonly alerts: AlertsRepo,
    private readonly events: EventsRepo,
    private readonly post: (url: string, body: unknown) => Promise<void> = postJson,
  ) {}

  handle(alert: AlertEvent, flowId: string | null = null): AlertTransition {
    const transition = this.alerts.apply({
      flowId,
      key: alert.key,
      nodeId: alert.nodeId,
      state: alert.state,
      priority: alert.priority,
      message: alert.message,
      latched: alert.latched,
      timestamp: alert.timestamp,
    });
    if (!transition) return undefined;
    const level = transition.kind === "raised" ? (alert.priority === "low" ? "info" : "warn") : "info";
    this.events.add(level, `alert:${alert.nodeId}`, `${transition.kind}: ${transition.alert.message}`, {
      key: alert.key,
      priority: alert.priority,
      ...(flowId ? { flow_id: flowId } : {}),
    });
    if (alert.webhookUrl) {
      const url = alert.webhookUrl;
      this.post(url, { event: transition.kind, alert: transition.alert }).catch((error: unknown) => {
        this.events.add(
          "warn",
          `alert:${alert.nodeId}`,
          `webhook ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
    return transition;
  }
}

async function postJson(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}
