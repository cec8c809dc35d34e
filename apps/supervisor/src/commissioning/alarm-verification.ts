import type { WebhookDelivery } from "../engine/alert-sink";
import type { AlertTransition } from "../storage/alerts-repo";
import type { AlarmLine } from "./report-types";

/**
 * Alarm verification (issue 16): each alert node of a running flow is forced by injection, a pin of the
 * debugger on its `condition` input, and the run checks that it raises, that it is notified (its webhook
 * delivered, or the event log when it has none) and that it clears once the pinned condition is false
 * (a latched alarm is acknowledged first, as an operator would). The pin always goes, whatever happens.
 */

export interface AlertNodeInfo {
  id: string;
  label: string;
  priority: string;
  mode: string;
  onDelayS: number;
  offDelayS: number;
  webhook: boolean;
}

export interface AlarmFlow {
  flowId: string;
  name: string;
  running: boolean;
  alerts: AlertNodeInfo[];
  /** Pins the alert's condition input; returns the pin's id. */
  pinCondition(nodeId: string, value: boolean, ttlMs: number): string;
  unpin(pinId: string): void;
}

export interface AlarmDeps {
  flows: AlarmFlow[];
  onTransition(listener: (t: NonNullable<AlertTransition>) => void): () => void;
  onNotify(listener: (n: WebhookDelivery) => void): () => void;
  acknowledge(key: string, flowId: string): void;
  /** Beyond a check's own delays, how long to wait for each step. */
  timeoutMs: number;
  /** Alarms whose on/off delays add up to more than this are skipped (they would hold the run). */
  maxDelayS: number;
  clock?: () => number;
}

type Waiter<T> = { match(value: T): boolean; resolve(value: T): void };

function waitFor<T>(
  waiters: Set<Waiter<T>>,
  match: (v: T) => boolean,
  timeoutMs: number,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const waiter: Waiter<T> = {
      match,
      resolve(value) {
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(value);
      },
    };
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      resolve(undefined);
    }, timeoutMs);
    waiters.add(waiter);
  });
}

export async function verifyAlarms(deps: AlarmDeps): Promise<AlarmLine[]> {
  const clock = deps.clock ?? Date.now;
  const transitions = new Set<Waiter<NonNullable<AlertTransition>>>();
  const notifications = new Set<Waiter<WebhookDelivery>>();
  const offT = deps.onTransition((t) => {
    for (const w of [...transitions]) if (w.match(t)) w.resolve(t);
  });
  const offN = deps.onNotify((n) => {
    for (const w of [...notifications]) if (w.match(n)) w.resolve(n);
  });
  const lines: AlarmLine[] = [];
  try {
    for (const flow of deps.flows) {
      for (const node of flow.alerts) {
        const line: AlarmLine = {
          flow_id: flow.flowId,
          flow_name: flow.name,
          node_id: node.id,
          label: node.label,
          priority: node.priority,
          mode: node.mode,
          raised: false,
          raised_ms: null,
          notified: node.webhook ? "webhook" : "event log (no webhook set)",
          notified_ok: false,
          cleared: false,
          cleared_ms: null,
          verdict: "fail",
          detail: "",
        };
        lines.push(line);
        if (!flow.running) {
          line.verdict = "skipped";
          line.detail = "the flow is not running";
          continue;
        }
        if (node.onDelayS + node.offDelayS > deps.maxDelayS) {
          line.verdict = "skipped";
          line.detail = `on and off delays (${node.onDelayS + node.offDelayS} s) exceed the run's limit of ${deps.maxDelayS} s`;
          continue;
        }
        await verifyOne(flow, node, line, deps, transitions, notifications, clock);
      }
    }
  } finally {
    offT();
    offN();
  }
  return lines;
}

async function verifyOne(
  flow: AlarmFlow,
  node: AlertNodeInfo,
  line: AlarmLine,
  deps: AlarmDeps,
  transitions: Set<Waiter<NonNullable<AlertTransition>>>,
  notifications: Set<Waiter<WebhookDelivery>>,
  clock: () => number,
): Promise<void> {
  const ours = (kind: string) => (t: NonNullable<AlertTransition>) =>
    t.kind === kind &&
    t.alert.node_id === node.id &&
    (t.alert.flow_id === null || t.alert.flow_id === flow.flowId);
  const notifiedOf = (kind: string) => (n: WebhookDelivery) =>
    n.kind === kind && n.nodeId === node.id && (n.flowId === null || n.flowId === flow.flowId);
  const raiseWait = node.onDelayS * 1000 + deps.timeoutMs;
  const clearWait = node.offDelayS * 1000 + deps.timeoutMs;
  const ttl = raiseWait + clearWait + 2 * deps.timeoutMs;
  let pin: string | undefined;
  const problems: string[] = [];
  try {
    const raisedAt = clock();
    const raising = waitFor(transitions, ours("raised"), raiseWait);
    const notifying = node.webhook
      ? waitFor(notifications, notifiedOf("raised"), raiseWait + deps.timeoutMs)
      : undefined;
    pin = flow.pinCondition(node.id, true, ttl);
    const raised = await raising;
    if (!raised) {
      problems.push(`no alarm raised within ${raiseWait} ms (already active before the test?)`);
      return;
    }
    line.raised = true;
    line.raised_ms = clock() - raisedAt;
    if (notifying) {
      const sent = await notifying;
      line.notified_ok = sent?.ok === true;
      line.notified = sent
        ? sent.ok
          ? "webhook delivered"
          : `webhook failed: ${sent.message ?? "error"}`
        : "webhook: no delivery seen";
      if (!line.notified_ok) problems.push(line.notified);
    } else line.notified_ok = true;

    const clearedAt = clock();
    const clearing = waitFor(transitions, ours("cleared"), clearWait);
    pin = flow.pinCondition(node.id, false, ttl);
    // A latched alarm stays until acknowledged, by design: the run acknowledges it as an operator would.
    if (node.mode === "latched") deps.acknowledge(raised.alert.key, flow.flowId);
    const cleared = await clearing;
    if (!cleared)
      problems.push(`the alarm did not clear within ${clearWait} ms of the condition returning to normal`);
    else {
      line.cleared = true;
      line.cleared_ms = clock() - clearedAt;
    }
  } finally {
    if (pin) flow.unpin(pin);
    line.verdict = problems.length === 0 ? "pass" : "fail";
    line.detail =
      problems.length === 0
        ? `raised in ${line.raised_ms} ms, ${line.notified}, cleared in ${line.cleared_ms} ms${node.mode === "latched" ? " after acknowledgement" : ""}`
        : problems.join("; ");
  }
}
