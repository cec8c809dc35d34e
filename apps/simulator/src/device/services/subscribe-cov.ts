import { SubscribeCov } from "@bacnet-js/client/dist/lib/services/index.js";
import { BACNET_ERRORS } from "@bms/bacnet";
import type { CovSubscription } from "../cov-subscriptions";
import type { ConfirmedRequest } from "../frame-decoder";
import { REJECT, type Reply, safeDecode } from "../reply";
import type { SimDevice } from "../sim-device";
import { lookupObject } from "./object-lookup";

interface SubscribeCovRequest {
  subscriberProcessId: number;
  monitoredObjectId: { type: number; instance: number };
  cancellationRequest: boolean;
  issueConfirmedNotifications?: boolean;
  lifetime?: number;
}

function isSubscribeCovRequest(value: unknown): value is SubscribeCovRequest {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const id = v.monitoredObjectId as Record<string, unknown> | undefined;
  return (
    typeof v.subscriberProcessId === "number" &&
    typeof id?.type === "number" &&
    typeof id.instance === "number" &&
    typeof v.cancellationRequest === "boolean"
  );
}

/**
 * SubscribeCOV (clause 13.14): subscribe, refresh or cancel. The initial notification goes out right
 * after the SimpleACK, as the standard requires.
 */
export function subscribeCov(
  device: SimDevice,
  request: ConfirmedRequest,
  now: number,
  notify: (subscription: CovSubscription) => void,
): Reply {
  const decoded = safeDecode<unknown>(() =>
    SubscribeCov.decode(request.buffer, request.offset, request.length),
  );
  if (!isSubscribeCovRequest(decoded)) {
    return {
      kind: "reject",
      reason: request.length === 0 ? REJECT.missingRequiredParameter : REJECT.invalidTag,
    };
  }
  const target = lookupObject(device, decoded.monitoredObjectId);
  if (target.kind === "unknown") return { kind: "error", error: BACNET_ERRORS.unknownObject };
  if (target.kind === "device" || target.kind === "timed" || target.kind === "service") {
    return { kind: "error", error: BACNET_ERRORS.covNotSupported };
  }
  if (decoded.cancellationRequest) {
    device.cov.cancel(request.peer, decoded.subscriberProcessId, target.object);
    return { kind: "simpleAck" };
  }
  const lifetime = decoded.lifetime ?? 0;
  const subscription = device.cov.subscribe(
    request.peer,
    decoded.subscriberProcessId,
    target.object,
    decoded.issueConfirmedNotifications === true,
    lifetime,
    now,
  );
  if (!subscription) return { kind: "error", error: BACNET_ERRORS.resourcesExhausted };
  return { kind: "simpleAck", after: () => notify(subscription) };
}
