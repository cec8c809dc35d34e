import type { DeviceDiscoveryResponse } from "@bms/schemas";
import type { BacnetService, KnownDevice } from "./bacnet-service";
import { type DeviceInfo, readDeviceInfo } from "./object-browser";

export interface DiscoveryRequest {
  lowLimit?: number;
  highLimit?: number;
  targets?: readonly string[];
  timeoutMs: number;
}

/**
 * One discovery scan at a time: Who-Is, I-Am collection with progress, then each new device's name,
 * vendor and model. The API polls `progress()` while it runs.
 */
export class DiscoveryService {
  private status: DeviceDiscoveryResponse["scan_status"] = "idle";
  private startedAt = 0;
  private timeoutMs = 0;
  private found = 0;
  private lastScan: string | null = null;
  private error: string | undefined;
  private current: Promise<void> | undefined;

  constructor(
    private readonly bacnet: BacnetService,
    private readonly onDevice: (device: KnownDevice, info: DeviceInfo | undefined) => void,
  ) {}

  /** Starts a scan unless one is running; resolves when that scan completes. */
  start(request: DiscoveryRequest): Promise<void> {
    if (this.current) return this.current;
    this.status = "in_progress";
    this.startedAt = Date.now();
    this.timeoutMs = request.timeoutMs;
    this.found = 0;
    this.error = undefined;
    const run = (async () => {
      try {
        const infoReads: Promise<void>[] = [];
        await this.bacnet.discover(request, (device) => {
          this.found++;
          this.onDevice(device, undefined);
          infoReads.push(
            readDeviceInfo(this.bacnet, device.deviceId)
              .then((info) => this.onDevice(device, info))
              .catch(() => undefined),
          );
        });
        await Promise.all(infoReads);
        this.status = "complete";
      } catch (e) {
        this.status = "error";
        this.error = e instanceof Error ? e.message : String(e);
      } finally {
        this.lastScan = new Date().toISOString();
        this.current = undefined;
      }
    })();
    this.current = run;
    return run;
  }

  progress(): Pick<DeviceDiscoveryResponse, "scan_status" | "last_scan" | "progress" | "error_message"> {
    const out: Pick<DeviceDiscoveryResponse, "scan_status" | "last_scan" | "progress" | "error_message"> = {
      scan_status: this.status,
      last_scan: this.lastScan,
    };
    if (this.status === "in_progress" || this.status === "complete") {
      out.progress = {
        found: this.found,
        elapsed_ms: Math.min(Date.now() - this.startedAt, 3_600_000),
        timeout_ms: this.timeoutMs,
      };
    }
    if (this.error) out.error_message = this.error;
    return out;
  }
}
