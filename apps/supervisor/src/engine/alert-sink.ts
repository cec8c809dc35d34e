import type { AlertEvent } from "@bms/nodes";
import type { AlertsRepo, AlertTransition } from "../storage/alerts-repo";
import type { EventsRepo } from "../storage/events-repo";
import { postToTarget, WebhookPolicy } from "./webhook";

/** Where a refused webhook is reported besides the event log (the audit trail). */
export type WebhookRefusal = (url: string, nodeId: string, message: string) => void;

/**
 * Where `alert` nodes' events go: the alarm table (deduplicated by key), the event log and, when the
 * node names one, a webhook that the admin's allowlist permits (see webhook.ts). Only transitions are
 * logged and posted, so an alarm that stays active for an hour is one notification, not 3,600.
 */
export class AlertSink {
  private readonly listeners = new Set<(transition: NonNullable<AlertTransition>) => void>();

  constructor(
    private readonly alerts: AlertsRepo,
    private readonly events: EventsRepo,
    private readonly webhooks: WebhookPolicy = new WebhookPolicy([]),
    private readonly onRefused: WebhookRefusal = () => undefined,
  ) {}

  /** Told of every alarm transition (the Sparkplug northbound publishes them); returns its removal. */
  onTransition(listener: (transition: NonNullable<AlertTransition>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

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
    if (alert.webhookUrl) void this.notify(alert.webhookUrl, alert.nodeId, transition);
    for (const listener of this.listeners) {
      try {
        listener(transition);
      } catch {
        // A northbound problem must never stop an alarm from being recorded.
      }
    }
    return transition;
  }

  private async notify(url: string, nodeId: string, transition: NonNullable<AlertTransition>): Promise<void> {
    const source = `alert:${nodeId}`;
    const checked = await this.webhooks.check(url);
    // Webhook paths often hold a secret (chat services put the key there): logs show the origin only.
    const shown = displayUrl(url);
    if (!checked.ok) {
      this.events.add("warn", source, `webhook ${shown} refused: ${checked.message}`);
      this.onRefused(shown, nodeId, checked.message);
      return;
    }
    try {
      await postToTarget(checked.target, { event: transition.kind, alert: transition.alert });
    } catch (error) {
      this.events.add(
        "warn",
        source,
        `webhook ${shown} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === "/" ? parsed.origin : `${parsed.origin}/…`;
  } catch {
    return "(not a URL)";
  }
}
