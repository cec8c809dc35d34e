import type { SimDevice } from "../device/sim-device";
import type { SimObject } from "../objects/sim-object";
import { type Behavior, clamp, noise, quantize, type StepContext } from "./behavior";

/** A slow sine plus sensor noise: the skeleton's drifting zone temperature. */
export class SineSignal implements Behavior {
  constructor(
    readonly device: SimDevice,
    private readonly object: SimObject,
    private readonly spec: {
      mean: number;
      amplitude: number;
      periodS: number;
      noise: number;
      phaseS: number;
    },
  ) {}

  step(ctx: StepContext): void {
    const { mean, amplitude, periodS, phaseS } = this.spec;
    const wave = mean + amplitude * Math.sin((2 * Math.PI * (ctx.elapsedS + phaseS)) / periodS);
    this.object.setProcessValue(quantize(wave + noise(ctx.random, this.spec.noise)));
  }
}

/** A bounded random walk, for points that should wander without a model. */
export class RandomWalkSignal implements Behavior {
  constructor(
    readonly device: SimDevice,
    private readonly object: SimObject,
    private readonly spec: { min: number; max: number; stepPerS: number },
  ) {}

  step(ctx: StepContext): void {
    const delta = (ctx.random() * 2 - 1) * this.spec.stepPerS * ctx.dtS;
    this.object.setProcessValue(
      quantize(clamp(this.object.processValue + delta, this.spec.min, this.spec.max)),
    );
  }
}

/**
 * Status follows command after a delay: a fan's proof of flow or a pump's current switch does not
 * flip the instant the output does, and supervisors must tolerate that window.
 */
export class FollowSignal implements Behavior {
  private pending: { value: number; dueS: number } | null = null;

  constructor(
    readonly device: SimDevice,
    private readonly object: SimObject,
    private readonly source: SimObject,
    private readonly delayS: number,
  ) {}

  step(ctx: StepContext): void {
    const commanded = this.source.presentValue;
    if (commanded === this.object.processValue) {
      this.pending = null;
      return;
    }
    if (!this.pending || this.pending.value !== commanded) {
      this.pending = { value: commanded, dueS: ctx.elapsedS + this.delayS };
    }
    if (ctx.elapsedS >= this.pending.dueS) {
      this.object.setProcessValue(this.pending.value);
      this.pending = null;
    }
  }
}
