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
/** A webhook delivery of an alarm transition, or its failure (commissioning checks alarms notify). */
export interface WebhookDelivery {
  nodeId: string;
  flowId: string | null;
  kind: NonNullable<AlertTransition>["kind"];
  ok: boolean;
  message?: string;
}

export class AlertSink {
  private readonly listeners = new Set<(transition: NonNullable<AlertTransition>) => void>();
  private readonly deliveries = new Set<(delivery: WebhookDelivery) => void>();

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

  /** Told of every webhook delivery and failure; returns its removal. */
  onDelivery(listener: (delivery: WebhookDelivery) => void): () => void {
    this.deliveries.add(listener);
    return () => this.deliveries.delete(listener);
  }

  private delivered(delivery: WebhookDelivery): void {
    for (const listener of this.deliveries) {
      try {
        listener(delivery);
      } catch {
        // A listener's problem is not the alarm's.
      }
    }
  }

  /** `newOccurrence`: see AlertInput (a device's new transition raises an open row again). */
  handle(alert: AlertEvent, flowId: string | null = null, newOccurrence = false): AlertTransition {
    const transition = this.alerts.apply({
      ...(newOccurrence ? { newOccurrence } : {}),
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
    if (alert.webhookUrl) void this.notify(alert.webhookUrl, alert.nodeId, transition, flowId);
    for (const listener of this.listeners) {
      try {
        listener(transition);
      } catch {
        // A northbound problem must never stop an alarm from being recorded.
      }
    }
    return transition;
  }

  private async notify(
    url: string,
    nodeId: string,
    transition: NonNullable<AlertTransition>,
    flowId: string | null,
  ): Promise<void> {
    const source = `alert:${nodeId}`;
    const report = (ok: boolean, message?: string) =>
      this.delivered({ nodeId, flowId, kind: transition.kind, ok, ...(message ? { message } : {}) });
    const checked = await this.webhooks.check(url);
    // Webhook paths often hold a secret (chat services put the key there): logs show the origin only.
    const shown = displayUrl(url);
    if (!checked.ok) {
      this.events.add("warn", source, `webhook ${shown} refused: ${checked.message}`);
      this.onRefused(shown, nodeId, checked.message);
      report(false, `refused: ${checked.message}`);
      return;
    }
    try {
      await postToTarget(checked.target, { event: transition.kind, alert: transition.alert });
      report(true);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.events.add("warn", source, `webhook ${shown} failed: ${message}`);
      report(false, message);
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
