import { objectTypeId, PROPERTIES, presentValueToJs } from "@bms/bacnet";
import { type BacnetPointRef, parsePointRef } from "@bms/schemas";
import type { PointChange } from "../point-io";
import type { BacnetService, CovNotification, ReadResult } from "./bacnet-service";
import { describeBacnetError } from "./errors";

interface Subscription {
  deviceId: number;
  objectType: number;
  instance: number;
  refs: Set<string>;
  /** cov: the device notifies us; poll: it refused (or never answered), so the scan reads the point. */
  mode: "pending" | "cov" | "poll";
  processId?: number;
  expiresAt: number;
  value?: ReadResult;
  reason?: string;
}

export interface CovManagerOptions {
  lifetimeSeconds: number;
  /** How often objects that refused COV are read to detect a change. */
  pollIntervalMs: number;
  /** Notified with the refs whose value changed, each with its new reading. */
  onChange(changes: PointChange[]): void;
}

const RETRY_POLL_MODE_MS = 5 * 60_000;

/**
 * COV subscriptions for a flow's inputs: SubscribeCOV with a lifetime, renewed before it runs out,
 * and polling as the fallback for objects or devices that refuse COV. Only presentValue is subscribed
 * (that is what COV reports); other properties are always polled.
 */
export class CovManager {
  private readonly subscriptions = new Map<string, Subscription>();
  private timer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private unlisten: (() => void) | undefined;

  constructor(
    /** Absent when the supervisor runs without the BACnet plugin: then nothing is subscribed. */
    private readonly bacnet: BacnetService | undefined,
    private readonly options: CovManagerOptions,
  ) {}

  start(): void {
    this.unlisten = this.bacnet?.onCov((n) => this.handle(n));
    this.timer = setInterval(() => void this.maintain(), 5000);
    this.pollTimer = setInterval(() => void this.pollRefused(), this.options.pollIntervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.unlisten?.();
    await this.set([]);
  }

  /**
   * Subscribes the refs not yet subscribed, cancels those no longer wanted. Only BACnet presentValues
   * have COV; other refs are left to the scan's reads.
   */
  async set(refs: readonly string[]): Promise<void> {
    const bacnet = this.bacnet;
    if (!bacnet) return;
    const points = refs.flatMap((ref) => {
      const parsed = parsePointRef(ref);
      return parsed.ok && parsed.ref.protocol === "bacnet" ? [{ ref, parsed: parsed.ref }] : [];
    });
    const wanted = new Map<string, { ref: string; parsed: BacnetPointRef }[]>();
    for (const p of points) {
      if (p.parsed.property !== "presentValue" || p.parsed.index !== undefined) continue;
      const type = objectTypeId(p.parsed.objectType);
      if (type === undefined) continue;
      const key = `${p.parsed.device}:${type}:${p.parsed.instance}`;
      const list = wanted.get(key);
      if (list) list.push(p);
      else wanted.set(key, [p]);
    }
    const cancels: Promise<void>[] = [];
    for (const [key, sub] of this.subscriptions) {
      if (wanted.has(key)) continue;
      this.subscriptions.delete(key);
      if (sub.mode === "cov" && sub.processId !== undefined) {
        cancels.push(
          bacnet.cancelCov(sub.deviceId, sub.objectType, sub.instance, sub.processId).catch(() => undefined),
        );
      }
    }
    for (const [key, list] of wanted) {
      const existing = this.subscriptions.get(key);
      if (existing) {
        for (const p of list) existing.refs.add(p.ref);
        continue;
      }
      const first = list[0]!.parsed;
      this.subscriptions.set(key, {
        deviceId: first.device,
        objectType: objectTypeId(first.objectType)!,
        instance: first.instance,
        refs: new Set(list.map((p) => p.ref)),
        mode: "pending",
        expiresAt: 0,
      });
    }
    await Promise.all(cancels);
    await this.maintain();
  }

  /** How each subscribed ref is served: cov, pending (asked, no answer yet) or poll (refused, with why). */
  status(): { ref: string; mode: string; reason?: string }[] {
    return [...this.subscriptions.values()].flatMap((s) =>
      [...s.refs].map((ref) => ({ ref, mode: s.mode, ...(s.reason ? { reason: s.reason } : {}) })),
    );
  }

  private handle(n: CovNotification) {
    const sub = this.subscriptions.get(`${n.deviceId}:${n.objectType}:${n.instance}`);
    if (!sub) return;
    const pv = n.values.get(PROPERTIES.presentValue)?.[0];
    if (!pv) return;
    const previous = sub.value;
    sub.value = { value: presentValueToJs(n.objectType, pv), quality: "good", timestamp: Date.now() };
    // The first notification (sent on subscribe, maybe before our SimpleACK is processed) is news too.
    if (sub.mode !== "poll" && (previous === undefined || previous.value !== sub.value.value))
      this.options.onChange(changesOf(sub, sub.value));
  }

  /** The fallback: objects without COV are read, and a changed value triggers the flow like COV would. */
  private async pollRefused(): Promise<void> {
    if (this.polling || !this.bacnet) return;
    const subs = [...this.subscriptions.values()].filter((s) => s.mode === "poll");
    if (subs.length === 0) return;
    this.polling = true;
    try {
      const refs = subs.map((s) => ({ device: s.deviceId, instance: s.instance, type: s.objectType }));
      const results = await this.bacnet.readObjects(refs);
      subs.forEach((sub, i) => {
        const result = results[i]!;
        const changed =
          sub.value !== undefined &&
          (sub.value.value !== result.value || sub.value.quality !== result.quality);
        sub.value = result;
        if (changed) this.options.onChange(changesOf(sub, result));
      });
    } finally {
      this.polling = false;
    }
  }

  /** Subscribes pending objects and renews those past 80 % of their lifetime; retries refused ones rarely. */
  private async maintain(): Promise<void> {
    const now = Date.now();
    const lifetimeMs = this.options.lifetimeSeconds * 1000;
    const due = [...this.subscriptions.values()].filter(
      (s) =>
        s.mode === "pending" ||
        (s.mode === "cov" && s.expiresAt - now < lifetimeMs * 0.2) ||
        (s.mode === "poll" && now >= s.expiresAt),
    );
    await Promise.all(due.map((s) => this.subscribe(s)));
  }

  private async subscribe(sub: Subscription): Promise<void> {
    if (!this.bacnet) return;
    try {
      sub.processId = await this.bacnet.subscribeCov(
        sub.deviceId,
        sub.objectType,
        sub.instance,
        this.options.lifetimeSeconds,
        false,
        sub.processId,
      );
      sub.mode = "cov";
      sub.expiresAt = Date.now() + this.options.lifetimeSeconds * 1000;
      delete sub.reason;
      // The device sends an initial notification on subscribe; until it arrives the scan reads.
    } catch (error) {
      sub.mode = "poll";
      sub.reason = `COV refused: ${describeBacnetError(error).message}`;
      sub.expiresAt = Date.now() + RETRY_POLL_MODE_MS;
    }
  }
}

function changesOf(sub: Subscription, reading: ReadResult): PointChange[] {
  return [...sub.refs].map((ref) => ({ ref, reading }));
}

export function isCovCapable(type: string): boolean {
  return objectTypeId(type) !== undefined;
}
