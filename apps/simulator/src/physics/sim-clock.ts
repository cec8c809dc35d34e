/**
 * Simulated time: wall-clock time since start, multiplied by --speed. It starts at the real current
 * time so the daily outdoor curve and occupancy line up with the clock at speed 1.
 */
export class SimClock {
  private readonly realStart: number;
  private readonly simStart: number;

  constructor(
    readonly speed: number,
    private readonly realNow: () => number = Date.now,
    simStart?: number,
  ) {
    if (!(speed > 0)) throw new RangeError("speed must be > 0");
    this.realStart = realNow();
    this.simStart = simStart ?? this.realStart;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.simStart + (this.realNow() - this.realStart) * this.speed;
  }

  /** Simulated seconds since start. */
  elapsedS(): number {
    return ((this.realNow() - this.realStart) * this.speed) / 1000;
  }
}

/** Local hour of day (0..24, fractional) of a simulated time. */
export function hourOfDay(simTimeMs: number): number {
  const d = new Date(simTimeMs);
  return d.getHours() + d.getMinutes() / 60 + d.getSeconds() / 3600;
}
