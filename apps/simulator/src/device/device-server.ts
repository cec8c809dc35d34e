import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import {
  app,
  BACNET_ERRORS,
  BIP_MAX_APDU,
  destinationAccepts,
  type EventValues,
  maxApduFromCode,
  maxSegmentsFromCode,
  PROPERTIES as P,
  statusFlagsBits,
} from "@bms/bacnet";
import { NOTIFICATION_CLASS_TYPE, SimNotificationClass } from "../objects/notification-class";
import { ConfirmedRequests } from "./confirmed-requests";
import { type CovSubscription, covDue, flagsKey, timeRemainingS } from "./cov-subscriptions";
import { BVLC_NAK, type ConfirmedRequest, decodeFrame, type UnconfirmedRequest } from "./frame-decoder";
import {
  type CovValue,
  type EncodedFrame,
  encodeAbort,
  encodeBvlcResult,
  encodeComplexAck,
  encodeComplexAckBody,
  encodeConfirmedCov,
  encodeError,
  encodeEventNotification,
  encodeIAm,
  encodeIHave,
  encodeReject,
  encodeSegment,
  encodeSimpleAck,
  encodeUnconfirmedCov,
  encodeWpmError,
} from "./pdu-encoder";
import type { Peer } from "./peer";
import { ABORT, REJECT, type Reply } from "./reply";
import { SegmentedReplies } from "./segmented-replies";
import {
  DCC,
  deviceCommunicationControl,
  reinitializeDevice,
  timeSynchronization,
} from "./services/commissioning";
import { acknowledgeAlarm, changeRecipients, getEventInformation } from "./services/event-services";
import { readProperty } from "./services/read-property";
import { readPropertyMultiple } from "./services/read-property-multiple";
import { readRange } from "./services/read-range";
import { subscribeCov } from "./services/subscribe-cov";
import { whoHasMatch, whoIsMatches } from "./services/who-is";
import { writeProperty } from "./services/write-property";
import { writePropertyMultiple } from "./services/write-property-multiple";
import { type SimDevice, VENDOR } from "./sim-device";

const round = (v: number) => Math.round(v * 100) / 100;

/** The message text of an event notification, by the state it entered. */
const EVENT_TEXT: Record<number, string> = {
  0: "back to normal",
  3: "above its high limit",
  4: "below its low limit",
};

export interface FrameSender {
  send(frame: Buffer, address: string, port: number): void;
}

const SERVICE = {
  acknowledgeAlarm: 0,
  addListElement: 8,
  removeListElement: 9,
  getEventInformation: 29,
  subscribeCov: 5,
  deviceCommunicationControl: 17,
  reinitializeDevice: 20,
  timeSynchronization: 6,
  utcTimeSynchronization: 9,
  readProperty: 12,
  readPropertyMultiple: 14,
  readRange: 26,
  writeProperty: 15,
  writePropertyMultiple: 16,
  whoHas: 7,
  whoIs: 8,
} as const;

export interface ServerOptions {
  /** Withhold the first transmission of this segment of every segmented reply (recovery tests). */
  dropSegment?: number;
}

/** Octets of a segmented Complex-ACK's header (type, invoke id, sequence, window, service). */
const SEGMENT_HEADER = 5;

export interface ServerStats {
  received: number;
  dropped: number;
  replies: number;
  aborts: number;
  rejects: number;
  covNotifications: number;
  eventNotifications: number;
}

/**
 * The server side of one simulated device: decodes each datagram defensively, dispatches the
 * services we implement, applies the device's faults, enforces the requester's max-APDU, and sends
 * COV notifications. Nothing in here may throw back into the socket's event handler.
 */
export class DeviceServer {
  /** Our confirmed COV notifications, resent until the subscriber answers. */
  private readonly outstanding = new ConfirmedRequests(
    (frame, peer) => this.transmit(frame, peer),
    () => !this.device.faults.offline,
  );
  readonly stats: ServerStats = {
    received: 0,
    dropped: 0,
    replies: 0,
    aborts: 0,
    rejects: 0,
    covNotifications: 0,
    eventNotifications: 0,
  };

  readonly segments: SegmentedReplies;

  constructor(
    readonly device: SimDevice,
    private readonly out: FrameSender,
    private readonly now: () => number = Date.now,
    options: ServerOptions = {},
  ) {
    this.segments = new SegmentedReplies(
      (peer, header, data) => this.transmit(encodeSegment(peer, header, data).frame, peer),
      () => options.dropSegment,
    );
  }

  handle(msg: Buffer, source: { address: string; port: number }): void {
    this.stats.received++;
    if (this.device.faults.offline) return;
    try {
      const frame = decodeFrame(msg, source);
      if (!frame) {
        this.stats.dropped++;
        return;
      }
      switch (frame.kind) {
        case "confirmed":
          this.confirmed(frame);
          break;
        case "unconfirmed":
          this.unconfirmed(frame);
          break;
        case "bvlc": {
          const nak = BVLC_NAK[frame.func];
          if (nak !== undefined) this.transmit(encodeBvlcResult(nak), frame.peer);
          break;
        }
        case "ack":
          this.outstanding.answered(frame.invokeId, frame.peer);
          break;
        case "segmentAck":
          this.segments.ack(frame);
          break;
      }
    } catch {
      // A decoder bug on hostile input must cost one datagram, never the process.
      this.stats.dropped++;
    }
  }

  private confirmed(request: ConfirmedRequest): void {
    const commissioning =
      request.service === SERVICE.deviceCommunicationControl ||
      request.service === SERVICE.reinitializeDevice;
    // While communication is disabled the device answers DCC and ReinitializeDevice only (16.1.2).
    if (this.device.communicationAt(this.now()) === DCC.disable && !commissioning) return;
    if (commissioning && !request.segmented) {
      this.reply(
        request,
        request.service === SERVICE.deviceCommunicationControl
          ? deviceCommunicationControl(this.device, request, this.now())
          : reinitializeDevice(this.device, request),
      );
      return;
    }
    if (request.segmented) {
      this.reply(request, { kind: "abort", reason: ABORT.segmentationNotSupported });
      return;
    }
    const known =
      request.service === SERVICE.readProperty ||
      request.service === SERVICE.readPropertyMultiple ||
      request.service === SERVICE.readRange ||
      request.service === SERVICE.acknowledgeAlarm ||
      request.service === SERVICE.addListElement ||
      request.service === SERVICE.removeListElement ||
      request.service === SERVICE.getEventInformation ||
      request.service === SERVICE.writeProperty ||
      request.service === SERVICE.writePropertyMultiple ||
      request.service === SERVICE.subscribeCov;
    if (!known) {
      // A Reject, not the Error PDU the library would send (clause 18.9 / 20.1.8).
      this.reply(request, { kind: "reject", reason: REJECT.unrecognizedService });
      return;
    }
    if (this.device.faults.erroring) {
      this.reply(request, { kind: "error", error: BACNET_ERRORS.operationalProblem });
      return;
    }
    let reply: Reply;
    switch (request.service) {
      case SERVICE.readProperty:
        reply = readProperty(this.device, request);
        break;
      case SERVICE.readPropertyMultiple:
        reply = readPropertyMultiple(this.device, request);
        break;
      case SERVICE.readRange:
        reply = readRange(this.device, request);
        break;
      case SERVICE.acknowledgeAlarm:
        reply = acknowledgeAlarm(this.device, request);
        break;
      case SERVICE.addListElement:
      case SERVICE.removeListElement:
        reply = changeRecipients(this.device, request, request.service === SERVICE.addListElement);
        break;
      case SERVICE.getEventInformation:
        reply = getEventInformation(this.device, request);
        break;
      case SERVICE.writeProperty:
        reply = writeProperty(this.device, request);
        if (reply.kind === "simpleAck") reply.after = () => this.checkCov();
        break;
      case SERVICE.writePropertyMultiple:
        reply = writePropertyMultiple(this.device, request);
        // Writes before a failure were applied, so COV subscribers hear about them either way.
        if (reply.kind === "simpleAck" || reply.kind === "wpmError") reply.after = () => this.checkCov();
        break;
      default:
        reply = subscribeCov(this.device, request, this.now(), (sub) => this.notify(sub));
        break;
    }
    this.reply(request, reply);
  }

  private reply(request: ConfirmedRequest, reply: Reply): void {
    const { peer, invokeId, service } = request;
    let encoded: EncodedFrame;
    try {
      switch (reply.kind) {
        case "complexAck": {
          encoded = encodeComplexAck(peer, invokeId, service, reply.body);
          const limit = Math.min(
            maxApduFromCode(request.maxApduCode),
            this.device.link.maxApdu,
            BIP_MAX_APDU,
          );
          if (encoded.apduLength > limit) {
            if (this.startSegmented(request, reply.body, limit)) {
              this.stats.replies++;
              return;
            }
            // Not segmentable here: the standard answer that makes clients fall back to indexed reads.
            encoded = encodeAbort(peer, invokeId, ABORT.segmentationNotSupported);
            this.stats.aborts++;
          }
          break;
        }
        case "simpleAck":
          encoded = encodeSimpleAck(peer, invokeId, service);
          break;
        case "error":
          encoded = encodeError(peer, invokeId, service, reply.error.errorClass, reply.error.errorCode);
          break;
        case "wpmError":
          encoded = encodeWpmError(
            peer,
            invokeId,
            reply.error.errorClass,
            reply.error.errorCode,
            reply.failed,
          );
          break;
        case "reject":
          encoded = encodeReject(peer, invokeId, reply.reason);
          this.stats.rejects++;
          break;
        case "abort":
          encoded = encodeAbort(peer, invokeId, reply.reason);
          this.stats.aborts++;
          break;
      }
    } catch {
      encoded = encodeAbort(peer, invokeId, ABORT.other);
      this.stats.aborts++;
    }
    this.transmit(encoded.frame, peer);
    this.stats.replies++;
    if (
      (reply.kind === "complexAck" || reply.kind === "simpleAck" || reply.kind === "wpmError") &&
      reply.after
    ) {
      reply.after();
    }
  }

  /**
   * Sends an oversized Complex-ACK in segments when this device segments and the client accepts it
   * within its max-segments; false when the reply must be refused instead.
   */
  private startSegmented(
    request: ConfirmedRequest,
    body: (buf: EncodeBuffer) => void,
    limit: number,
  ): boolean {
    if (!this.device.link.segmentation || !request.segmentedResponseAccepted) return false;
    const data = encodeComplexAckBody(body);
    const size = limit - SEGMENT_HEADER;
    const allowed = maxSegmentsFromCode(request.maxSegmentsCode);
    if (allowed > 0 && allowed < 65 && SegmentedReplies.count(data.length, size) > allowed) return false;
    this.segments.start(request.peer, request.invokeId, request.service, data, size);
    return true;
  }

  private unconfirmed(request: UnconfirmedRequest): void {
    const communication = this.device.communicationAt(this.now());
    if (communication === DCC.disable) return;
    if (
      request.service === SERVICE.timeSynchronization ||
      request.service === SERVICE.utcTimeSynchronization
    ) {
      timeSynchronization(this.device, request, request.service === SERVICE.utcTimeSynchronization);
      return;
    }
    // Disable-initiation: no I-Am or I-Have (they are initiated), requests are still answered.
    if (communication === DCC.disableInitiation) return;
    if (request.service === SERVICE.whoIs) {
      // I-Am goes back to the requester's own address and port: on loopback the client listens on
      // another port than the devices, so a broadcast I-Am would never reach it.
      if (whoIsMatches(this.device, request)) {
        this.transmit(
          encodeIAm(request.peer, this.device.instance, VENDOR.identifier, this.device.link).frame,
          request.peer,
        );
      }
    } else if (request.service === SERVICE.whoHas) {
      const match = whoHasMatch(this.device, request);
      if (match) {
        this.transmit(
          encodeIHave(request.peer, this.device.instance, match.object, match.name).frame,
          request.peer,
        );
      }
    }
  }

  private transmit(frame: Buffer, peer: Peer): void {
    const delay = this.device.faults.slowMs;
    if (delay > 0) setTimeout(() => this.out.send(frame, peer.address, peer.port), delay).unref();
    else this.out.send(frame, peer.address, peer.port);
  }

  /** Expires lapsed subscriptions and notifies every subscriber whose object moved enough. */
  checkCov(): void {
    if (this.device.cov.size === 0) return;
    this.device.cov.expire(this.now());
    if (this.device.faults.offline) return;
    for (const sub of this.device.cov.all()) if (covDue(sub)) this.notify(sub);
  }

  notify(sub: CovSubscription): void {
    if (this.device.faults.offline) return;
    if (this.device.communicationAt(this.now()) !== DCC.enable) return;
    const object = sub.object;
    const value = object.presentValue;
    const values: CovValue[] = [
      {
        property: P.presentValue,
        values: [
          object.kind === "analog"
            ? app.real(value)
            : object.kind === "binary"
              ? app.enumerated(value)
              : app.unsigned(value),
        ],
      },
      { property: P.statusFlags, values: [app.bits(statusFlagsBits(object.statusFlags))] },
    ];
    const objectId = { type: object.type, instance: object.instance };
    const remaining = timeRemainingS(sub, this.now());
    const invokeId = sub.confirmed ? this.outstanding.nextId() : 0;
    const encoded = sub.confirmed
      ? encodeConfirmedCov(
          sub.subscriber,
          invokeId,
          sub.processId,
          this.device.instance,
          objectId,
          remaining,
          values,
        )
      : encodeUnconfirmedCov(
          sub.subscriber,
          sub.processId,
          this.device.instance,
          objectId,
          remaining,
          values,
        );
    sub.lastValue = value;
    sub.lastFlags = flagsKey(object);
    this.stats.covNotifications++;
    this.transmit(encoded.frame, sub.subscriber);
    if (sub.confirmed) this.outstanding.track(invokeId, encoded.frame, sub.subscriber);
  }

  /**
   * Evaluates intrinsic reporting and sends each transition to the recipients of the object's
   * notification class whose days, hours and transitions take it: confirmed notifications are resent
   * until acknowledged, as confirmed COV notifications are.
   */
  checkEvents(): void {
    if (this.device.faults.offline) return;
    const now = this.device.now();
    for (const object of this.device.objects) {
      const alarm = object.alarm;
      if (!alarm) continue;
      const nc = this.device.findServiceObject(NOTIFICATION_CLASS_TYPE, alarm.config.notificationClass);
      const cls = nc instanceof SimNotificationClass ? nc : undefined;
      const transition = alarm.evaluate(now, cls?.ackRequired ?? [false, false, false]);
      if (!transition) continue;
      object.touch(); // Status_Flags' in-alarm changed: COV subscribers hear it
      if (!cls || !alarm.config.eventEnable[transition.transition]) continue;
      this.notifyRecipients(cls, object, {
        transition: transition.transition,
        at: transition.at,
        eventType: 5, // out-of-range
        messageText: `${object.name} ${EVENT_TEXT[transition.to] ?? "changed state"} (${round(transition.value)}, limit ${round(transition.limit)})`,
        fromState: transition.from,
        toState: transition.to,
        values: {
          type: "out-of-range",
          exceedingValue: transition.value,
          statusFlags: { ...object.statusFlags },
          deadband: transition.deadband,
          exceededLimit: transition.limit,
        },
      });
    }
  }

  /**
   * Sends one event to the recipients of `cls` whose days, hours and transitions take it (confirmed
   * ones are resent until acknowledged); how many it went to.
   */
  notifyRecipients(
    cls: SimNotificationClass,
    object: { type: number; instance: number },
    event: {
      transition: number;
      at: Date;
      eventType: number;
      messageText: string;
      fromState: number;
      toState: number;
      values: EventValues;
    },
  ): number {
    if (this.device.communicationAt(this.now()) !== DCC.enable) return 0;
    let sent = 0;
    for (const d of cls.recipients) {
      if (d.address.net !== 0 || !destinationAccepts(d, event.transition, event.at)) continue;
      const peer = { address: d.address.ip, port: d.address.port };
      const invokeId = d.confirmed ? this.outstanding.nextId() : undefined;
      const encoded = encodeEventNotification(
        peer,
        invokeId,
        {
          processId: d.processId,
          deviceInstance: this.device.instance,
          object: { type: object.type, instance: object.instance },
          timeStamp: event.at,
          notificationClass: cls.instance,
          priority: cls.priority[event.transition] ?? 100,
          eventType: event.eventType,
          messageText: event.messageText,
          notifyType: 0, // alarm
          ackRequired: cls.ackRequired[event.transition] ?? false,
          fromState: event.fromState,
          toState: event.toState,
        },
        event.values,
      );
      this.stats.eventNotifications++;
      sent++;
      this.transmit(encoded.frame, peer);
      if (invokeId !== undefined) this.outstanding.track(invokeId, encoded.frame, peer);
    }
    return sent;
  }

  /** Stops retry timers (site reload, shutdown). */
  close(): void {
    this.outstanding.clear();
    this.segments.clear();
  }

  get pendingConfirmed(): number {
    return this.outstanding.size;
  }
}
