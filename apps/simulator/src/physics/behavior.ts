import type { SimDevice } from "../device/sim-device";

export interface Environment {
  /** Outdoor air temperature now, °C. */
  outdoorTempC: number;
  /** 0..1 share of design occupancy (drives internal gains and lighting). */
  occupancy: number;
}

export interface StepContext {
  /** Simulated seconds since the previous step. */
  dtS: number;
  /** Simulated seconds since the simulation started. */
  elapsedS: number;
  /** Simulated epoch ms. */
  simTimeMs: number;
  env: Environment;
  /** Uniform 0..1; injected so tests are deterministic. */
  random: () => number;
}

/**
 * Something that moves process values each tick. It belongs to one device so a `frozen` fault can
 * skip it: the device's values then stop changing while commands are still accepted.
 */
export interface Behavior {
  readonly device: SimDevice;
  step(ctx: StepContext): void;
}

/** Zero-mean noise of roughly the given standard deviation (sum of uniforms, cheap and bounded). */
export function noise(random: () => number, sigma: number): number {
  if (sigma === 0) return 0;
  return (random() + random() + random() - 1.5) * 2 * sigma;
}

/** First-order lag: moves `current` toward `target` with time constant tauS over dtS. */
export function lag(current: number, target: number, tauS: number, dtS: number): number {
  if (tauS <= 0) return target;
  const k = 1 - Math.exp(-dtS / tauS);
  return current + (target - current) * k;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

/** Rounds for display-like sensor resolution so COV increments behave like real sensors. */
export function quantize(value: number, step = 0.01): number {
  return Math.round(value / step) * step;
}
