import type { SimObject } from "./sim-object";

/** BACnetEventState values of an analog object's OUT_OF_RANGE algorithm. */
export const EVENT_STATE = { normal: 0, fault: 1, offnormal: 2, highLimit: 3, lowLimit: 4 } as const;
/** Index of a transition in Event_Enable, Acked_Transitions and Event_Time_Stamps. */
export const TRANSITION = { toOffnormal: 0, toFault: 1, toNormal: 2 } as const;

export interface OutOfRangeConfig {
  highLimit: number;
  lowLimit: number;
  deadband: number;
  /** Seconds the condition must hold before the state changes (Time_Delay). */
  timeDelayS: number;
  notificationClass: number;
  /** Event_Enable: to-offnormal, to-fault, to-normal. */
  eventEnable: [boolean, boolean, boolean];
}

export interface EventTransition {
  object: SimObject;
  from: number;
  to: number;
  transition: number;
  /** The value that crossed the limit, and the limit it crossed (or the one it came back inside). */
  value: number;
  limit: number;
  deadband: number;
  at: Date;
}

/**
 * Intrinsic reporting on an analog object (clause 13.3.6, OUT_OF_RANGE): the state goes HIGH_LIMIT
 * above High_Limit and LOW_LIMIT below Low_Limit once the condition has held for Time_Delay, and back
 * to NORMAL only inside the limits by Deadband. Each transition is stamped, and unacknowledged until an
 * AcknowledgeAlarm names its time stamp, when its notification class requires acknowledgement.
 */
export class OutOfRange {
  eventState: number = EVENT_STATE.normal;
  /** Acked_Transitions: true while nothing is waiting for an acknowledgement. */
  readonly acked: [boolean, boolean, boolean] = [true, true, true];
  readonly timeStamps: [Date | null, Date | null, Date | null] = [null, null, null];
  private pending: { to: number; since: number } | undefined;

  constructor(
    readonly object: SimObject,
    public config: OutOfRangeConfig,
  ) {}

  private target(value: number): number {
    const { highLimit, lowLimit, deadband } = this.config;
    if (value > highLimit) return EVENT_STATE.highLimit;
    if (value < lowLimit) return EVENT_STATE.lowLimit;
    if (this.eventState === EVENT_STATE.highLimit && value > highLimit - deadband)
      return EVENT_STATE.highLimit;
    if (this.eventState === EVENT_STATE.lowLimit && value < lowLimit + deadband) return EVENT_STATE.lowLimit;
    return EVENT_STATE.normal;
  }

  /** One evaluation at `now`: the transition that happened, if any. */
  evaluate(clock: Date, ackRequired: readonly boolean[]): EventTransition | undefined {
    // Time stamps travel as BACnetDateTime, in whole hundredths.
    const now = new Date(Math.floor(clock.getTime() / 10) * 10);
    const value = this.object.presentValue;
    const to = this.target(value);
    if (to === this.eventState) {
      this.pending = undefined;
      return undefined;
    }
    if (this.pending?.to !== to) this.pending = { to, since: now.getTime() };
    if (now.getTime() - this.pending.since < this.config.timeDelayS * 1000) return undefined;
    this.pending = undefined;
    const from = this.eventState;
    this.eventState = to;
    const transition = to === EVENT_STATE.normal ? TRANSITION.toNormal : TRANSITION.toOffnormal;
    this.timeStamps[transition] = now;
    this.acked[transition] = !ackRequired[transition];
    // The limit crossed: the one of the state entered, or (back to normal) of the state left. High
    // limit straight to low limit crossed the low one.
    const limit =
      to === EVENT_STATE.highLimit || (to === EVENT_STATE.normal && from === EVENT_STATE.highLimit)
        ? this.config.highLimit
        : this.config.lowLimit;
    return {
      object: this.object,
      from,
      to,
      transition,
      value,
      limit,
      deadband: this.config.deadband,
      at: now,
    };
  }

  /**
   * AcknowledgeAlarm: the state acknowledged must be the current one's transition and the time stamp
   * the one it was stamped with (clause 13.5.1.1), else the device refuses it.
   */
  acknowledge(
    stateAcknowledged: number,
    timeStamp: Date,
  ): "ok" | "invalid-time-stamp" | "invalid-event-state" {
    const transition =
      stateAcknowledged === EVENT_STATE.normal ? TRANSITION.toNormal : TRANSITION.toOffnormal;
    const stamped = this.timeStamps[transition];
    if (stateAcknowledged !== this.eventState && transition !== TRANSITION.toOffnormal)
      return "invalid-event-state";
    // Times travel as BACnetDateTime, whole hundredths.
    if (!stamped || Math.abs(stamped.getTime() - timeStamp.getTime()) >= 10) return "invalid-time-stamp";
    this.acked[transition] = true;
    return "ok";
  }
}
