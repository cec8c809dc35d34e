import type { BacnetService } from "./bacnet-service";

/** DeviceCommunicationControl's enable-disable values (clause 16.1.1.2). */
export const COMMUNICATION_STATES = { enable: 0, disable: 1, disable_initiation: 2 } as const;
export type CommunicationState = keyof typeof COMMUNICATION_STATES;

/** BACnetReinitializedStateOfDevice values (clause 16.4.1.1.1) an integrator uses. */
export const REINITIALIZE_STATES = {
  coldstart: 0,
  warmstart: 1,
  start_backup: 2,
  end_backup: 3,
  start_restore: 4,
  end_restore: 5,
  abort_restore: 6,
  activate_changes: 7,
} as const;
export type ReinitializeState = keyof typeof REINITIALIZE_STATES;

/**
 * Sends TimeSynchronization (local wall clock) or UTCTimeSynchronization to one device, with the
 * supervisor's clock. Unconfirmed: the device does not answer, so the caller reads Local_Time back if
 * it must know. Returns the time that was sent.
 */
export async function synchronizeTime(bacnet: BacnetService, deviceId: number, utc: boolean): Promise<Date> {
  const now = new Date();
  // The library encodes the Date's local fields; for UTC the UTC fields must be sent instead.
  const sent = utc
    ? new Date(
        now.getUTCFullYear(),
        now.getUTCMonth(),
        now.getUTCDate(),
        now.getUTCHours(),
        now.getUTCMinutes(),
        now.getUTCSeconds(),
      )
    : now;
  await bacnet.call(deviceId, utc ? "utc time sync" : "time sync", async (client, to) => {
    if (utc) client.timeSyncUTC(to, sent);
    else client.timeSync(to, sent);
  });
  return now;
}

/**
 * DeviceCommunicationControl with the device's password. The password goes on the wire only: it is
 * not logged, audited or returned (the route records the state and duration).
 */
export function communicationControl(
  bacnet: BacnetService,
  deviceId: number,
  state: CommunicationState,
  minutes: number,
  password: string | undefined,
): Promise<void> {
  return bacnet.call(deviceId, "device communication control", (client, to) =>
    client.deviceCommunicationControl(to, minutes, COMMUNICATION_STATES[state], {
      ...(password ? { password } : {}),
    }),
  );
}

/** ReinitializeDevice with the device's password (never logged, audited or returned). */
export function reinitializeDevice(
  bacnet: BacnetService,
  deviceId: number,
  state: ReinitializeState,
  password: string | undefined,
): Promise<void> {
  return bacnet.call(deviceId, "reinitialize device", (client, to) =>
    client.reinitializeDevice(to, REINITIALIZE_STATES[state], { ...(password ? { password } : {}) }),
  );
}
