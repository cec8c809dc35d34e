/** The failure modes a supervisor must survive; set from REST or the web UI, per device. */
export interface DeviceFaults {
  /** No answer at all, as if unplugged. */
  offline: boolean;
  /** Every reply is held back this long (ms), as on a congested MS/TP trunk behind a router. */
  slowMs: number;
  /** Confirmed requests get an Error PDU (device, operational-problem). */
  erroring: boolean;
  /** Process values stop changing, as with a hung I/O board; commands are still accepted. */
  frozen: boolean;
}

export const noFaults = (): DeviceFaults => ({ offline: false, slowMs: 0, erroring: false, frozen: false });
