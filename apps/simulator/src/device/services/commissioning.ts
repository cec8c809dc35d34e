import { ErrorClass, ErrorCode } from "@bacnet-js/client";
import {
  DeviceCommunicationControl,
  ReinitializeDevice,
  TimeSync,
} from "@bacnet-js/client/dist/lib/services/index.js";
import type { ConfirmedRequest, UnconfirmedRequest } from "../frame-decoder";
import { type Reply, rejectMalformed, safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";

/** BACnetReinitializedStateOfDevice values the simulator acts on (clause 16.4). */
const REINIT = { coldstart: 0, warmstart: 1 } as const;
/** DeviceCommunicationControl's enable-disable (clause 16.1). */
export const DCC = { enable: 0, disable: 1, disableInitiation: 2 } as const;

const passwordFailure = { errorClass: ErrorClass.SECURITY, errorCode: ErrorCode.PASSWORD_FAILURE };

/** A request's password against the device's; a device without one takes any (clause 16.1.1.3). */
function passwordOk(device: SimDevice, given: unknown): boolean {
  if (device.commissioning.password === undefined) return true;
  return typeof given === "string" && given === device.commissioning.password;
}

/**
 * DeviceCommunicationControl (16.1): `disable` silences the device for everything but DCC and
 * ReinitializeDevice for the given minutes (0 = until enabled); `disableInitiation` stops what it
 * initiates (COV notifications, I-Am) but it still answers.
 */
export function deviceCommunicationControl(device: SimDevice, request: ConfirmedRequest, now: number): Reply {
  const decoded = safeDecode(
    () =>
      DeviceCommunicationControl.decode(request.buffer, request.offset, request.length) as
        | { timeDuration?: number; enableDisable?: number; password?: unknown }
        | undefined,
  );
  if (!decoded || decoded.enableDisable === undefined || decoded.enableDisable > 2) {
    return rejectMalformed(request.length);
  }
  if (!passwordOk(device, decoded.password)) return { kind: "error", error: passwordFailure };
  const minutes = decoded.timeDuration ?? 0;
  device.commissioning.communication = decoded.enableDisable;
  device.commissioning.communicationUntil =
    decoded.enableDisable === DCC.enable || minutes === 0 ? null : now + minutes * 60_000;
  return { kind: "simpleAck" };
}

/**
 * ReinitializeDevice (16.4) with its password: a warm start drops COV subscriptions and re-enables
 * communication; a cold start also puts every command back to its relinquish default.
 */
export function reinitializeDevice(device: SimDevice, request: ConfirmedRequest): Reply {
  const decoded = safeDecode(
    () =>
      ReinitializeDevice.decode(request.buffer, request.offset, request.length) as
        | { state?: number; password?: unknown }
        | undefined,
  );
  if (!decoded || decoded.state === undefined) return rejectMalformed(request.length);
  if (!passwordOk(device, decoded.password)) return { kind: "error", error: passwordFailure };
  if (decoded.state !== REINIT.coldstart && decoded.state !== REINIT.warmstart) {
    // startBackup, endRestore, activateChanges...: backup/restore is not simulated.
    return {
      kind: "error",
      error: { errorClass: ErrorClass.SERVICES, errorCode: ErrorCode.SERVICE_REQUEST_DENIED },
    };
  }
  const state = decoded.state;
  device.commissioning.reinitializations.push(state === REINIT.coldstart ? "coldstart" : "warmstart");
  return {
    kind: "simpleAck",
    // After the ack is on the wire, as a real device restarts after answering.
    after: () => {
      device.cov.clear();
      device.commissioning.communication = DCC.enable;
      device.commissioning.communicationUntil = null;
      if (state === REINIT.coldstart) {
        for (const object of device.objects) {
          const slots = object.priorityArray?.snapshot() ?? [];
          slots.forEach((v, i) => {
            if (v !== null) object.writePresentValue(null, i + 1);
          });
        }
      }
    },
  };
}

/** TimeSynchronization and UTCTimeSynchronization (16.7/16.8): set the device's clock. */
export function timeSynchronization(device: SimDevice, request: UnconfirmedRequest, utc: boolean): void {
  const decoded = safeDecode(() => TimeSync.decode(request.buffer, request.offset));
  if (!decoded || !(decoded.value instanceof Date) || Number.isNaN(decoded.value.getTime())) return;
  // The library decodes the date and time as local wall-clock fields; UTC ones name UTC fields.
  const v = decoded.value;
  const at = utc
    ? Date.UTC(v.getFullYear(), v.getMonth(), v.getDate(), v.getHours(), v.getMinutes(), v.getSeconds())
    : v.getTime();
  device.commissioning.clockOffsetMs = at - Date.now();
  device.commissioning.timeSyncs++;
}
