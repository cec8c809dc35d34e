import bacnetModule, {
  type BACNetAppData,
  type BACNetObjectID,
  ConfirmedServiceChoice,
  ErrorClass,
  ErrorCode,
} from "@bacnet-js/client";
import { UdpTransport } from "../src/protocols/bacnet/udp-transport";

const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;

const DEVICE = 8;
const OBJECT_IDENTIFIER = 75;
const PRESENT_VALUE = 85;
const TAG_REAL = 4;
const TAG_OBJECT_ID = 12;
const TAG_UNSIGNED = 2;
const OBJECT_LIST = 76;
const PRIORITY_ARRAY = 87;
const ARRAY_ALL = 0xffffffff;

export interface Subscription {
  processId: number;
  object: { type: number; instance: number };
  from: string;
}

/**
 * A BACnet device the test controls completely, built from the library's server side on a real UDP
 * socket: it answers Object_Identifier, reads of analog presentValues (RP and RPM) and SubscribeCOV,
 * and sends whatever I-Am or COV notification the test asks for, from its own address. Used where the
 * simulator cannot misbehave on purpose (another process id, another sender). Every frame it sends
 * comes from the library's encoders, so it is well-formed for the packet check.
 */
export async function startFakeDevice(options: {
  instance: number;
  bind: string;
  port: number;
  /** The objectList length the device claims (index 0); element i is analogInput:i. Whole reads fail. */
  objectListLength?: number;
  /**
   * A misbehaving device: its RPM answers name the array element after the one asked for (objectList[3]
   * to a read of objectList[2]), with that element's value.
   */
  shiftIndex?: boolean;
}) {
  const transport = new UdpTransport({
    bindAddress: options.bind,
    port: options.port,
    broadcast: `127.255.255.255:${options.port}`,
  });
  const client = new BACnetClient({ transport, apduTimeout: 1000 });
  // Port 0 picks a free port (unit tests); the address is what the socket really got.
  const bound = await new Promise<{ address: string; port: number }>((resolve, reject) => {
    transport.once("listening", resolve);
    transport.once("error", reject);
  });
  const values = new Map<string, number>();
  const subscriptions: Subscription[] = [];
  const key = (o: { type: number; instance: number }) => `${o.type}:${o.instance}`;
  const answerFor = (
    object: BACNetObjectID,
    property: number,
    index?: number,
  ): BACNetAppData[] | undefined => {
    const own = object.type === DEVICE && object.instance === options.instance;
    if (own && property === OBJECT_IDENTIFIER) {
      return [{ type: TAG_OBJECT_ID, value: { type: DEVICE, instance: options.instance } } as BACNetAppData];
    }
    if (own && property === OBJECT_LIST && options.objectListLength !== undefined) {
      if (index === 0) return [{ type: TAG_UNSIGNED, value: options.objectListLength } as BACNetAppData];
      if (index !== undefined && index > 0 && index <= options.objectListLength && index !== ARRAY_ALL) {
        return [{ type: TAG_OBJECT_ID, value: { type: 0, instance: index } } as BACNetAppData];
      }
      return undefined;
    }
    // Any object's priorityArray[i] (1..16) holds i * 1.5, so each element tells which one was answered.
    if (property === PRIORITY_ARRAY && index !== undefined && index >= 1 && index <= 16)
      return [{ type: TAG_REAL, value: index * 1.5 } as BACNetAppData];
    const value = values.get(key(object));
    if (value !== undefined && property === PRESENT_VALUE)
      return [{ type: TAG_REAL, value } as BACNetAppData];
    return undefined;
  };

  client.on("readProperty", (content) => {
    const { objectId, property } = content.payload;
    const value = answerFor(objectId, property.id, property.index);
    if (!content.header?.sender || content.invokeId === undefined) return;
    if (value)
      client.readPropertyResponse(content.header.sender, content.invokeId, objectId, property, value);
    else
      client.errorResponse(
        content.header.sender,
        ConfirmedServiceChoice.READ_PROPERTY,
        content.invokeId,
        ErrorClass.OBJECT,
        ErrorCode.UNKNOWN_OBJECT,
      );
  });
  client.on("readPropertyMultiple", (content) => {
    if (!content.header?.sender || content.invokeId === undefined) return;
    const answer = content.payload.properties.map((spec) => ({
      objectId: spec.objectId,
      values: spec.properties.map((asked) => {
        const p =
          options.shiftIndex && asked.index !== ARRAY_ALL ? { ...asked, index: asked.index + 1 } : asked;
        return {
          property: { id: p.id, index: p.index },
          value: answerFor(spec.objectId, p.id, p.index) ?? [
            { type: 105, value: { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.UNKNOWN_PROPERTY } },
          ],
        };
      }),
    }));
    client.readPropertyMultipleResponse(content.header.sender, content.invokeId, answer as never);
  });
  client.on("subscribeCov", (content) => {
    if (!content.header?.sender || content.invokeId === undefined) return;
    const { subscriberProcessId, monitoredObjectId } = content.payload;
    subscriptions.push({
      processId: subscriberProcessId,
      object: { type: monitoredObjectId.type, instance: monitoredObjectId.instance },
      from: content.header.sender.address ?? "",
    });
    client.simpleAckResponse(content.header.sender, ConfirmedServiceChoice.SUBSCRIBE_COV, content.invokeId);
  });

  return {
    address: `${bound.address}:${bound.port}`,
    subscriptions,
    /** The library client behind it, for frames the helpers below do not cover. */
    client,
    set(object: { type: number; instance: number }, value: number) {
      values.set(key(object), value);
    },
    /** An I-Am for `instance` (by default this device's own) sent to `to`. */
    announce(to: string, instance = options.instance) {
      client.iAmResponse({ address: to }, instance, 3, 999);
    },
    /** An unconfirmed COV notification carrying presentValue `value`. */
    notify(to: string, processId: number, object: { type: number; instance: number }, value: number) {
      client.unconfirmedCOVNotification(
        { address: to },
        processId,
        options.instance,
        object as BACNetObjectID,
        300,
        [{ property: { id: PRESENT_VALUE }, value: [{ type: TAG_REAL, value } as BACNetAppData] }],
      );
    },
    close: () => client.close(),
  };
}

export type FakeDevice = Awaited<ReturnType<typeof startFakeDevice>>;
