import { encodeWhoHas, objectTypeName, type WhoHasRequest } from "@bms/bacnet";
import type { WhoHasHit } from "@bms/schemas";
import type { BacnetService } from "./bacnet-service";
import { type DeviceAddress, formatDeviceAddress, sameAddress } from "./device-address";

/** Answers kept per search: a flood of I-Haves (a name on every device) is cut here. */
export const MAX_WHO_HAS_HITS = 500;

/**
 * Who-Has to every network (DNET 0xFFFF), collecting the checked I-Have answers for `timeoutMs`.
 * Sent twice, like discovery's Who-Is, so a device that missed the first in a burst still answers.
 */
export async function whoHas(
  bacnet: BacnetService,
  request: WhoHasRequest,
  timeoutMs: number,
): Promise<{ found: WhoHasHit[]; truncated: boolean }> {
  const apdu = encodeWhoHas(request);
  const hits = new Map<string, WhoHasHit>();
  let truncated = false;
  const stop = bacnet.onIHave((answer, from) => {
    const key = `${answer.deviceInstance}/${answer.object.type}:${answer.object.instance}`;
    if (hits.has(key)) return;
    if (hits.size >= MAX_WHO_HAS_HITS) {
      truncated = true;
      return;
    }
    hits.set(key, {
      device_id: answer.deviceInstance,
      object_type: objectTypeName(answer.object.type),
      object_instance: answer.object.instance,
      object_name: answer.objectName,
      ...route(from),
      check: checkAgainstRegistry(bacnet, answer.deviceInstance, from),
    });
  });
  try {
    bacnet.broadcastGlobal(apdu);
    const half = Math.min(timeoutMs / 2, 1000);
    await new Promise((resolve) => setTimeout(resolve, half));
    bacnet.broadcastGlobal(apdu);
    await new Promise((resolve) => setTimeout(resolve, timeoutMs - half));
  } finally {
    stop();
  }
  const found = [...hits.values()].sort(
    (a, b) => a.device_id - b.device_id || a.object_instance - b.object_instance,
  );
  return { found, truncated };
}

function route(from: DeviceAddress): Pick<WhoHasHit, "address" | "network" | "mac"> {
  return {
    address: formatDeviceAddress(from),
    network: from.net ?? null,
    mac: from.net === undefined ? null : [...(from.adr ?? [])],
  };
}

function checkAgainstRegistry(
  bacnet: BacnetService,
  deviceId: number,
  from: DeviceAddress,
): WhoHasHit["check"] {
  const known = bacnet.devices.get(deviceId);
  if (!known) return "unknown";
  return sameAddress(known.address, from) ? "known" : "mismatch";
}
