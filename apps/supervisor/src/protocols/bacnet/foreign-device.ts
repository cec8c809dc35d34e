import { BVLC_RESULT, encodeRegisterForeignDevice } from "@bms/bacnet";

export interface ForeignDeviceOptions {
  /** The BBMD's `ip:port`. */
  bbmd: string;
  ttlS: number;
}

export interface ForeignDeviceView {
  bbmd: string;
  ttl_s: number;
  state: "registering" | "registered" | "refused";
  registrations: number;
  naks: number;
  last_registered_at: number | null;
}

/**
 * Our registration as a foreign device with a BBMD (Annex J.5.2): registered at start and renewed at
 * half the TTL, so one lost datagram still leaves a second chance before the BBMD's entry (TTL plus
 * 30 s grace) expires. Results from any other address than the BBMD's are ignored.
 */
export class ForeignDeviceRegistration {
  private timer: NodeJS.Timeout | undefined;
  private state: ForeignDeviceView["state"] = "registering";
  private registrations = 0;
  private naks = 0;
  private lastRegisteredAt: number | null = null;

  constructor(
    readonly options: ForeignDeviceOptions,
    private readonly send: (frame: Buffer, to: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.register();
    const everyMs = Math.max(1000, (this.options.ttlS * 1000) / 2);
    this.timer = setInterval(() => this.register(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private register(): void {
    this.send(encodeRegisterForeignDevice(this.options.ttlS), this.options.bbmd);
  }

  /** A BVLC-Result; true when it came from our BBMD and was taken. */
  result(code: number, from: string): boolean {
    if (from !== this.options.bbmd) return false;
    if (code === BVLC_RESULT.success) {
      this.state = "registered";
      this.registrations++;
      this.lastRegisteredAt = this.now();
    } else {
      this.state = "refused";
      this.naks++;
    }
    return true;
  }

  get registered(): boolean {
    return this.state === "registered";
  }

  view(): ForeignDeviceView {
    return {
      bbmd: this.options.bbmd,
      ttl_s: this.options.ttlS,
      state: this.state,
      registrations: this.registrations,
      naks: this.naks,
      last_registered_at: this.lastRegisteredAt,
    };
  }
}
