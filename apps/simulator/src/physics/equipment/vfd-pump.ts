import type { SimObject } from "../../objects/sim-object";
import { Actuator, DelayedStatus } from "../actuator";
import { clamp, quantize } from "../behavior";
import type { PointFactory } from "./point-factory";

/** The drive's minimum speed: below it a pump motor overheats, so the VFD clamps the command. */
export const VFD_MIN_SPEED_PCT = 20;
/** Speed the drive runs at while nothing commands the speed output (its relinquish default). */
export const VFD_DEFAULT_SPEED_PCT = 75;
/** Acceleration and deceleration ramp: 0 to 100 % in this many seconds. */
const VFD_RAMP_S = 10;
/** Current switch proving the motor runs after a start. */
const STATUS_ON_DELAY_S = 5;
const STATUS_OFF_DELAY_S = 2;

export interface VfdPumpPoints {
  cmd: SimObject;
  status: SimObject;
  fault: SimObject;
  speedCmd: SimObject;
  speed: SimObject;
}

/**
 * A centrifugal pump on a variable-frequency drive. The motor turns while it is commanded on
 * and its drive is not faulted; its speed ramps toward the command (clamped to the drive's minimum)
 * and back to zero when stopped or tripped, and a current switch proves it after a delay.
 *
 * The fault input is driven by nothing in the physics: the simulator's override API sets it (a
 * drive trip), and the pump then stops whatever it is commanded, so a lead/lag failover can be tested.
 */
export class VfdPump {
  readonly p: VfdPumpPoints;
  private readonly proof = new DelayedStatus(false, STATUS_ON_DELAY_S, STATUS_OFF_DELAY_S);
  private readonly drive = new Actuator(0, VFD_RAMP_S);

  constructor(
    f: PointFactory,
    block: number,
    readonly name: string,
    private readonly ratedKw: number,
    serves: string,
  ) {
    // Within the pump's block: BO/BI/AO/AI (block + 1) are Cmd, Status, Speed Cmd and Speed; BI
    // (block + 2) is the drive fault.
    this.p = {
      cmd: f.bo(block + 1, "Cmd", 0, ["Start", "Stop"], {
        description: `${name} start/stop command (${serves})`,
      }),
      status: f.bi(block + 1, "Status", ["Running", "Stopped"], {
        description: `${name} run status from the motor current switch`,
      }),
      fault: f.bi(block + 2, "Fault", ["Fault", "Normal"], {
        description: `${name} VFD fault; a tripped drive stops the pump until the fault clears`,
      }),
      speedCmd: f.ao(block + 1, "Speed Cmd", "percent", VFD_DEFAULT_SPEED_PCT, {
        description: `${name} VFD speed command; the drive clamps it to ${VFD_MIN_SPEED_PCT}-100 %`,
      }),
      speed: f.ai(block + 1, "Speed", "percent", {
        description: `${name} VFD output speed feedback`,
        covIncrement: 1,
        minPresValue: 0,
        maxPresValue: 100,
      }),
    };
  }

  /** True while the drive is commanded to run and not tripped. */
  get driving(): boolean {
    return this.p.cmd.presentValue === 1 && this.p.fault.presentValue !== 1;
  }

  /** Actual speed as a fraction 0..1 (what moves water). */
  get speedFraction(): number {
    return this.drive.position / 100;
  }

  /** Electrical input by the affinity laws: power follows speed cubed. */
  kw(): number {
    return this.ratedKw * this.speedFraction ** 3;
  }

  /** Moves the drive one step and publishes status and speed; returns the speed fraction. */
  step(dtS: number, elapsedS: number): number {
    const driving = this.driving;
    const target = driving ? clamp(this.p.speedCmd.presentValue, VFD_MIN_SPEED_PCT, 100) : 0;
    const speedPct = this.drive.step(target, dtS);
    this.p.status.setProcessValue(this.proof.step(driving, elapsedS) ? 1 : 0);
    this.p.speed.setProcessValue(quantize(speedPct, 0.1));
    return this.speedFraction;
  }
}
