/**
 * A positioning actuator: the feedback travels toward the command at a fixed stroke time, the way a
 * damper or valve motor does (typically 60–150 s end to end), instead of jumping.
 */
export class Actuator {
  constructor(
    public position: number,
    private readonly strokeTimeS: number,
    private readonly min = 0,
    private readonly max = 100,
  ) {}

  step(command: number, dtS: number): number {
    const target = Math.max(this.min, Math.min(this.max, command));
    const maxMove = ((this.max - this.min) / this.strokeTimeS) * dtS;
    const delta = target - this.position;
    this.position += Math.abs(delta) <= maxMove ? delta : Math.sign(delta) * maxMove;
    return this.position;
  }
}

/**
 * Equipment status that follows its command after a delay (proof of flow, compressor start); an
 * off command drops status after its own, shorter delay.
 */
export class DelayedStatus {
  private pendingSinceS: number | null = null;

  constructor(
    public on: boolean,
    private readonly onDelayS: number,
    private readonly offDelayS = 2,
  ) {}

  step(commandOn: boolean, nowS: number): boolean {
    if (commandOn === this.on) {
      this.pendingSinceS = null;
      return this.on;
    }
    if (this.pendingSinceS === null) this.pendingSinceS = nowS;
    const delay = commandOn ? this.onDelayS : this.offDelayS;
    if (nowS - this.pendingSinceS >= delay) {
      this.on = commandOn;
      this.pendingSinceS = null;
    }
    return this.on;
  }
}
