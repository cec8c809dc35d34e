import { BIP_MAX_APDU } from "@bms/bacnet";
import {
  type DeviceAddress,
  formatDeviceAddress,
  isDeviceInstance,
  parseDeviceAddress,
  sameAddress,
} from "./device-address";
import { checkIAm, type WireLimits } from "./wire-checks";

/** A device the supervisor talks to: where it is, what it can take, and its health. */
export interface KnownDevice {
  deviceId: number;
  /** Changed only by an I-Am that was confirmed by a read at the new address, never for a pinned device. */
  address: DeviceAddress;
  pinned: boolean;
  maxApdu: number;
  segmentation: number;
  vendorId: number;
  status: "online" | "offline" | "unknown";
  lastSeen: number | null;
  consecutiveFailures: number;
  /** When offline: no request before this time, except the recovery probe. */
  nextProbeAt: number;
  backoffMs: number;
  supportsRpm: boolean;
  /** Unknown until tried: a device that rejects WritePropertyMultiple gets single writes from then on. */
  supportsWpm: boolean;
  reason?: string;
  /** When onDeviceSeen last reported this device: a chatty device is not written to disk per I-Am. */
  reportedAt?: number;
}

/** The backoff a device starts with (and returns to when it answers); BacnetService doubles it per failure. */
export const MIN_BACKOFF_MS = 1000;

/** A known device's I-Am from its own address refreshes the cache on disk at most this often. */
const REPORT_EVERY_MS = 30_000;
/** Address confirmations running at once; more claims wait for the next I-Am. */
const MAX_CONFIRMATIONS = 16;
/** A claim that failed confirmation is not tried again from the same address for this long. */
const REFUSED_CLAIM_MS = 60_000;
/**
 * Confirmations started per minute, all devices together. Each one is a few events that name the
 * addresses (so they are not folded into one row): this keeps a flood of claims from many addresses
 * to a bounded number of rows, while a whole site being renumbered is still confirmed within minutes.
 */
const CONFIRMATIONS_PER_MINUTE = 120;

/** Counters of what the registry refused or changed (a part of BacnetService.wire). */
export interface RegistryCounters {
  iam_invalid: number;
  iam_over_cap: number;
  iam_pinned_ignored: number;
  address_confirmations: number;
  address_changes: number;
  address_claims_refused: number;
  address_claims_deferred: number;
}

export interface DeviceRegistryDeps {
  limits: WireLimits;
  pins?: ReadonlyMap<number, DeviceAddress> | undefined;
  counters: RegistryCounters;
  /** Object_Identifier of device `deviceId` read at `at`: the instance that answered there, if any. */
  identify(at: DeviceAddress, deviceId: number): Promise<number | undefined>;
  /** An I-Am was accepted for this device (new, refreshed or moved); persist: worth writing to disk. */
  accepted(device: KnownDevice, options: { persist: boolean }): void;
  report(level: "info" | "warn", message: string, data?: Record<string, unknown>): void;
}

/**
 * Which devices exist and where they are, as far as the supervisor is concerned. Every entry comes from
 * the configuration (pins), the cache of a previous run, or an I-Am that passed the checks below; the
 * number of entries is capped. Health (online/offline, backoff) is the BACnet service's business.
 */
export class DeviceRegistry {
  readonly devices = new Map<number, KnownDevice>();
  private readonly confirming = new Set<number>();
  private readonly refusedClaims = new Map<string, number>();
  private readonly confirmationBudget = { tokens: CONFIRMATIONS_PER_MINUTE, at: Date.now() };

  constructor(private readonly deps: DeviceRegistryDeps) {
    for (const [deviceId, address] of deps.pins ?? []) {
      this.devices.set(deviceId, newDevice(deviceId, address, { pinned: true, status: "unknown" }));
    }
  }

  private get wire(): RegistryCounters {
    return this.deps.counters;
  }

  /**
   * An I-Am is a claim, not a fact: any host can send one. A new instance is added (up to the device
   * cap); a known one at its known address is refreshed; a known one from another address is never
   * adopted on its word: see confirmMove. A pinned device never moves.
   */
  handleIAm(payload: unknown, from: DeviceAddress | undefined): void {
    const checked = checkIAm(payload);
    if (!checked.ok || !from) {
      this.wire.iam_invalid++;
      this.deps.report("warn", "an I-Am with invalid fields was dropped", {
        problem: checked.ok ? "no valid sender address" : checked.problem,
        ...(from ? { from: formatDeviceAddress(from) } : {}),
      });
      return;
    }
    const { deviceId, maxApdu, segmentation, vendorId } = checked.value;
    const now = Date.now();
    const existing = this.devices.get(deviceId);
    if (!existing) {
      if (this.devices.size >= this.deps.limits.maxDevices) {
        this.wire.iam_over_cap++;
        this.deps.report(
          "warn",
          `an I-Am was ignored: the device cap (${this.deps.limits.maxDevices}) is reached`,
          {
            device: deviceId,
            from: formatDeviceAddress(from),
            setting: "BMS_BACNET_MAX_DEVICES",
          },
        );
        return;
      }
      const device = newDevice(deviceId, from, { pinned: false, status: "online" });
      Object.assign(device, { maxApdu, segmentation, vendorId, lastSeen: now, reportedAt: now });
      this.devices.set(deviceId, device);
      this.deps.accepted(device, { persist: true });
      return;
    }
    if (!sameAddress(existing.address, from)) {
      if (existing.pinned) {
        this.wire.iam_pinned_ignored++;
        this.deps.report(
          "warn",
          `device ${deviceId} is pinned: an I-Am for it from another address was ignored`,
          {
            device: deviceId,
            pinned: formatDeviceAddress(existing.address),
            from: formatDeviceAddress(from),
          },
        );
        return;
      }
      void this.confirmMove(existing, from, checked.value);
      return;
    }
    const changed =
      existing.maxApdu !== maxApdu ||
      existing.segmentation !== segmentation ||
      existing.vendorId !== vendorId;
    Object.assign(existing, { maxApdu, segmentation, vendorId, lastSeen: now });
    const persist = changed || now - (existing.reportedAt ?? 0) >= REPORT_EVERY_MS;
    if (persist) existing.reportedAt = now;
    this.deps.accepted(existing, { persist });
  }

  /**
   * A known device claims a new address. Until this finishes, every request keeps going to the known
   * address. The claim is adopted only when the device object at the new address answers
   * Object_Identifier with the same instance AND the known address no longer does (a device that still
   * answers where we know it has not moved: two devices claim one instance, or someone imitates it).
   * Every outcome is an event.
   */
  private async confirmMove(
    device: KnownDevice,
    to: DeviceAddress,
    fields: { maxApdu: number; segmentation: number; vendorId: number },
  ): Promise<void> {
    const id = device.deviceId;
    const claim = `${id} ${formatDeviceAddress(to)}`;
    const now = Date.now();
    if (this.confirming.has(id) || (this.refusedClaims.get(claim) ?? 0) > now) return;
    const budget = this.confirmationBudget;
    budget.tokens = Math.min(
      CONFIRMATIONS_PER_MINUTE,
      budget.tokens + ((now - budget.at) / 60_000) * CONFIRMATIONS_PER_MINUTE,
    );
    budget.at = now;
    if (this.confirming.size >= MAX_CONFIRMATIONS || budget.tokens < 1) {
      this.wire.address_claims_deferred++;
      this.deps.report("warn", "address claims arrive faster than they can be confirmed; one was ignored", {
        device: id,
        claimed: formatDeviceAddress(to),
      });
      return;
    }
    budget.tokens--;
    this.confirming.add(id);
    this.wire.address_confirmations++;
    const known = device.address;
    const data = { device: id, known: formatDeviceAddress(known), claimed: formatDeviceAddress(to) };
    this.deps.report(
      "warn",
      `device ${id} announced itself from ${data.claimed}; confirming before using it`,
      data,
    );
    const refuse = (reason: string) => {
      this.wire.address_claims_refused++;
      if (this.refusedClaims.size >= 10_000) this.refusedClaims.clear();
      this.refusedClaims.set(claim, Date.now() + REFUSED_CLAIM_MS);
      this.deps.report("warn", `device ${id}: the new address ${data.claimed} was not adopted`, {
        ...data,
        reason,
      });
    };
    try {
      const atNew = await this.deps.identify(to, id);
      if (atNew !== id) {
        refuse(atNew === undefined ? "no device answered there" : `the device there is ${atNew}`);
        return;
      }
      if ((await this.deps.identify(known, id)) === id) {
        refuse("the device still answers at its known address (duplicate instance or imitation)");
        return;
      }
      device.address = to;
      Object.assign(device, fields, { lastSeen: Date.now(), reportedAt: Date.now() });
      this.wire.address_changes++;
      this.deps.report(
        "warn",
        `device ${id} moved from ${data.known} to ${data.claimed} (confirmed by reading it there)`,
        data,
      );
      this.deps.accepted(device, { persist: true });
    } finally {
      this.confirming.delete(id);
    }
  }

  /** Restores devices known from a previous run so reads can start before a new Who-Is. */
  remember(
    device: Pick<KnownDevice, "deviceId" | "maxApdu" | "segmentation" | "vendorId"> & { address: string },
  ): void {
    // A pin wins over the cache; a row that is no longer valid (or over the cap) is not restored.
    if (this.devices.has(device.deviceId) || this.devices.size >= this.deps.limits.maxDevices) return;
    const address = parseDeviceAddress(device.address);
    if (!address || !isDeviceInstance(device.deviceId)) return;
    const restored = newDevice(device.deviceId, address, { pinned: false, status: "unknown" });
    Object.assign(restored, {
      maxApdu: Math.min(device.maxApdu || BIP_MAX_APDU, BIP_MAX_APDU),
      segmentation: device.segmentation,
      vendorId: device.vendorId,
    });
    this.devices.set(device.deviceId, restored);
  }
}

export function newDevice(
  deviceId: number,
  address: DeviceAddress,
  state: { pinned: boolean; status: KnownDevice["status"] },
): KnownDevice {
  return {
    deviceId,
    address,
    pinned: state.pinned,
    maxApdu: BIP_MAX_APDU,
    segmentation: 3,
    vendorId: 0,
    status: state.status,
    lastSeen: null,
    consecutiveFailures: 0,
    nextProbeAt: 0,
    backoffMs: MIN_BACKOFF_MS,
    supportsRpm: true,
    supportsWpm: true,
  };
}
