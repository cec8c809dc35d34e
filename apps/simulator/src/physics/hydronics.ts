import { clamp } from "./behavior";

/**
 * A variable-speed pumped water loop in normalised units: head and flow as fractions of the design
 * point, which is one pump at full speed against the loop at full load (all valves open).
 *
 * - System curve: head = k * flow², where k rises as the load valves close (k = 1 at full load).
 * - Each running pump: head = (1 + PUMP_DROOP) * speed² - PUMP_DROOP * (own flow)², the usual
 *   parabolic curve scaled by the affinity laws. Identical pumps in parallel share the flow equally.
 *
 * Solving both gives head ∝ speed² (what a DP-reset loop sees), zero with no pump turning, and a
 * second pump in parallel raising the head at the same speed (by a third at full load).
 */
const PUMP_DROOP = 0.5;

/** Head of a pump at full speed against closed valves, as a fraction of the design DP. */
export const SHUTOFF_HEAD = 1 + PUMP_DROOP;

/** Below this share of full speed an impeller adds no head (the check valve stays shut). */
const MIN_SPINNING = 0.05;

/** Valve authority of the load side: fully closed valves still pass this share of design flow. */
const MIN_VALVE_OPENING = 0.25;

export interface LoopState {
  /** Loop differential pressure as a fraction of the design DP. */
  head: number;
  /** Loop flow as a fraction of the design flow. */
  flow: number;
  /** How many pumps actually turn (and so move water). */
  pumpsRunning: number;
}

/** System-curve coefficient for a load share 0..1: closing valves steepen the curve. */
export function systemCoefficient(loadFraction: number): number {
  const opening = MIN_VALVE_OPENING + (1 - MIN_VALVE_OPENING) * clamp(loadFraction, 0, 1);
  return 1 / (opening * opening);
}

/**
 * The loop's operating point for the pumps' actual speeds (0..1 each). Pumps at different speeds
 * are approximated by their root-mean-square speed, which is exact when they match, as lead/lag
 * pairs on one speed signal do.
 */
export function loopOperatingPoint(speeds: readonly number[], loadFraction: number): LoopState {
  const turning = speeds.filter((s) => s >= MIN_SPINNING).map((s) => Math.min(1, s));
  const n = turning.length;
  if (n === 0) return { head: 0, flow: 0, pumpsRunning: 0 };
  const speedSquared = turning.reduce((a, s) => a + s * s, 0) / n;
  const k = systemCoefficient(loadFraction);
  const flowSquared = (SHUTOFF_HEAD * speedSquared) / (k + PUMP_DROOP / (n * n));
  return { head: k * flowSquared, flow: Math.sqrt(flowSquared), pumpsRunning: n };
}

/** Specific heat of water times density, kJ/(L·K): kW = WATER_KJ_PER_L_K × L/s × K. */
export const WATER_KJ_PER_L_K = 4.186;
