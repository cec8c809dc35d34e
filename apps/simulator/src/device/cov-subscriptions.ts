import type { SimObject } from "../objects/sim-object";
import { type Peer, peerKey } from "./peer";

export interface CovSubscription {
  subscriber: Peer;
  processId: number;
  object: SimObject;
  confirmed: boolean;
  /** Requested lifetime in seconds; 0 means indefinite. */
  lifetimeS: number;
  /** Wall-clock ms when it lapses; null when indefinite. Lifetimes are real seconds, not simulated. */
  expiresAt: number | null;
  /** What the subscriber was last told, to apply covIncrement. */
  lastValue: number | null;
  lastFlags: string;
}

/** A device's answer to a subscription it has no room for. */
export const MAX_SUBSCRIPTIONS_PER_DEVICE = 512;

/**
 * The COV bookkeeping the library leaves to servers (clause 13.1): one subscription per
 * (subscriber, process id, object); re-subscribing refreshes it; lifetimes lapse.
 */
export class CovSubscriptions {
  private readonly byKey = new Map<string, CovSubscription>();

  private static key(subscriber: Peer, processId: number, object: SimObject): string {
    return `${peerKey(subscriber)}#${processId}#${object.key}`;
  }

  /** Adds or refreshes; returns undefined when the table is full. */
  subscribe(
    subscriber: Peer,
    processId: number,
    object: SimObject,
    confirmed: boolean,
    lifetimeS: number,
    now: number,
  ): CovSubscription | undefined {
    const key = CovSubscriptions.key(subscriber, processId, object);
    const existing = this.byKey.get(key);
    if (!existing && this.byKey.size >= MAX_SUBSCRIPTIONS_PER_DEVICE) return undefined;
    const subscription: CovSubscription = {
      subscriber,
      processId,
      object,
      confirmed,
      lifetimeS,
      expiresAt: lifetimeS > 0 ? now + lifetimeS * 1000 : null,
      lastValue: null,
      lastFlags: "",
    };
    this.byKey.set(key, subscription);
    return subscription;
  }

  /** Cancelling something that does not exist is not an error (clause 13.14.1.3.1). */
  cancel(subscriber: Peer, processId: number, object: SimObject): boolean {
    return this.byKey.delete(CovSubscriptions.key(subscriber, processId, object));
  }

  expire(now: number): number {
    let removed = 0;
    for (const [key, sub] of this.byKey) {
      if (sub.expiresAt !== null && sub.expiresAt <= now) {
        this.byKey.delete(key);
        removed++;
      }
    }
    return removed;
  }

  forObject(object: SimObject): CovSubscription[] {
    const result: CovSubscription[] = [];
    for (const sub of this.byKey.values()) if (sub.object === object) result.push(sub);
    return result;
  }

  all(): CovSubscription[] {
    return [...this.byKey.values()];
  }

  get size(): number {
    return this.byKey.size;
  }

  clear(): void {
    this.byKey.clear();
  }
}

export function flagsKey(object: SimObject): string {
  const f = object.statusFlags;
  return `${+f.inAlarm}${+f.fault}${+f.overridden}${+f.outOfService}`;
}

/**
 * Whether a subscriber must hear about the object now: any status-flag change, any change of a
 * binary/multi-state value, or an analog move of at least covIncrement since the last notification.
 */
export function covDue(sub: CovSubscription): boolean {
  const object = sub.object;
  if (sub.lastValue === null) return true;
  if (flagsKey(object) !== sub.lastFlags) return true;
  const value = object.presentValue;
  if (object.kind !== "analog") return value !== sub.lastValue;
  return Math.abs(value - sub.lastValue) >= object.covIncrement && value !== sub.lastValue;
}

/** Seconds left, as the notification's timeRemaining. */
export function timeRemainingS(sub: CovSubscription, now: number): number {
  if (sub.expiresAt === null) return 0;
  return Math.max(0, Math.ceil((sub.expiresAt - now) / 1000));
}
