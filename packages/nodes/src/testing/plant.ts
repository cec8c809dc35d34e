/**
 * A first-order-plus-dead-time process, the textbook model of a coil, a room or a duct:
 *   tau · dy/dt = gain · u(t − dead) − (y − ambient)
 * integrated in fixed 0.1 s steps whatever the scan period, so a loop test measures the controller and
 * not the simulation.
 */
export class FirstOrderPlusDeadTime {
  private static readonly H = 0.1;
  private readonly delayed: number[];
  private head = 0;
  y: number;

  constructor(
    readonly gain: number,
    readonly tauS: number,
    readonly deadS: number,
    readonly ambient: number,
    initialInput = 0,
  ) {
    this.delayed = new Array(Math.max(1, Math.round(deadS / FirstOrderPlusDeadTime.H))).fill(initialInput);
    this.y = ambient + gain * initialInput;
  }

  /** Advances the plant by `seconds` with the input held at `u` (a zero-order hold, as an AO is). */
  advance(u: number, seconds: number): number {
    const h = FirstOrderPlusDeadTime.H;
    for (let t = 0; t < seconds - 1e-9; t += h) {
      const late = this.delayed[this.head]!;
      this.delayed[this.head] = u;
      this.head = (this.head + 1) % this.delayed.length;
      this.y += (h / this.tauS) * (this.gain * late - (this.y - this.ambient));
    }
    return this.y;
  }
}
