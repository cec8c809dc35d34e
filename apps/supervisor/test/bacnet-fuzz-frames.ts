import fc from "fast-check";

/**
 * Valid BACnet/IP frames of every kind a supervisor or a device hears from the network, and fast-check
 * arbitraries that mutate them (bit flips, overwritten and inserted bytes, truncation, a BVLC length
 * that lies) or replace them with random bytes. Hand-encoded on purpose: the point is frames that no
 * encoder would build. Values inside them (999, 1e30) are ones a forged frame must never get onto a point.
 */

const FORGED_VALUE = 999;

function bvlc(func: number, body: Buffer): Buffer {
  const head = Buffer.from([0x81, func, 0, 0]);
  head.writeUInt16BE(4 + body.length, 2);
  return Buffer.concat([head, body]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function real(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatBE(n);
  return b;
}

/** An object identifier's 4 octets: 10 bits of type, 22 of instance. */
function objectId(type: number, instance: number): Buffer {
  return u32(((type & 0x3ff) << 22) | (instance & 0x3fffff));
}

const DEVICE = 8;
const AI = 0;

const local = (apdu: Buffer) => Buffer.concat([Buffer.from([0x01, 0x00]), apdu]);
/** Routed from network 5, MAC 0x0a (SNET/SADR). */
const fromNetwork = (apdu: Buffer) =>
  Buffer.concat([Buffer.from([0x01, 0x08, 0x00, 0x05, 0x01, 0x0a]), apdu]);
/** A global broadcast (DNET 0xFFFF, hop count 255). */
const global = (apdu: Buffer) => Buffer.concat([Buffer.from([0x01, 0x20, 0xff, 0xff, 0x00, 0xff]), apdu]);

const iAm = (device: number) =>
  Buffer.concat([
    Buffer.from([0x10, 0x00, 0xc4]),
    objectId(DEVICE, device),
    Buffer.from([0x22, 0x05, 0xc0, 0x91, 0x03, 0x21, 0x0f]),
  ]);

const iHave = (device: number) =>
  Buffer.concat([
    Buffer.from([0x10, 0x01, 0xc4]),
    objectId(DEVICE, device),
    Buffer.from([0xc4]),
    objectId(AI, 1),
    Buffer.from([0x75, 0x06, 0x00]),
    Buffer.from("Zone1"),
  ]);

/** The COV notification's service parameters: process id, device, object, time remaining, values. */
const covBody = (processId: number, device: number, instance: number, value: number) =>
  Buffer.concat([
    Buffer.from([0x09, processId & 0xff, 0x1c]),
    objectId(DEVICE, device),
    Buffer.from([0x2c]),
    objectId(AI, instance),
    Buffer.from([0x39, 0x3c, 0x4e, 0x09, 0x55, 0x2e, 0x44]),
    real(value),
    Buffer.from([0x2f, 0x09, 0x6f, 0x2e, 0x82, 0x04, 0x00, 0x2f, 0x4f]),
  ]);

/** An out-of-range event notification's service parameters. */
const eventBody = (device: number) =>
  Buffer.concat([
    Buffer.from([0x09, 0x01, 0x1c]),
    objectId(DEVICE, device),
    Buffer.from([0x2c]),
    objectId(AI, 1),
    // time stamp [3] { sequence number [1] }, class 5, priority 100, type out-of-range, alarm, ack, normal→high
    Buffer.from([0x3e, 0x19, 0x01, 0x3f, 0x49, 0x05, 0x59, 0x64, 0x69, 0x05]),
    Buffer.from([0x7d, 0x06, 0x00]),
    Buffer.from("hello"),
    Buffer.from([0x89, 0x00, 0x99, 0x01, 0xa9, 0x00, 0xb9, 0x03]),
    Buffer.from([0xce, 0x5e, 0x0c]),
    real(FORGED_VALUE),
    Buffer.from([0x1a, 0x04, 0x80, 0x2c]),
    real(0.5),
    Buffer.from([0x3c]),
    real(30),
    Buffer.from([0x5f, 0xcf]),
  ]);

/** Confirmed-request header: max segments/APDU 0x05, the invoke id, the service choice. */
const confirmed = (invokeId: number, service: number, body: Buffer) =>
  Buffer.concat([Buffer.from([0x00, 0x05, invokeId & 0xff, service]), body]);

const readPropertyAck = (invokeId: number) =>
  Buffer.concat([
    Buffer.from([0x30, invokeId & 0xff, 0x0c, 0x0c]),
    objectId(AI, 1),
    Buffer.from([0x19, 0x55, 0x3e, 0x44]),
    real(FORGED_VALUE),
    Buffer.from([0x3f]),
  ]);

/** A first segment of a ReadPropertyMultiple-ACK (SEG and MOR set), sequence 0, window 4. */
const segmentedAck = (invokeId: number, sequence: number) =>
  Buffer.concat([
    Buffer.from([0x3c, invokeId & 0xff, sequence & 0xff, 0x04, 0x0e, 0x0c]),
    objectId(AI, 1),
    Buffer.from([0x1e, 0x29, 0x55, 0x4e, 0x44]),
    real(FORGED_VALUE),
  ]);

/** The NPDU + APDU of every message kind we fuzz, each before its BVLC header. */
function npdus(device: number, processId: number, invokeId: number): Buffer[] {
  return [
    local(iAm(device)),
    fromNetwork(iAm(device)),
    local(iHave(device)),
    fromNetwork(iHave(device)),
    local(Buffer.concat([Buffer.from([0x10, 0x02]), covBody(processId, device, 1, FORGED_VALUE)])),
    local(confirmed(invokeId, 0x01, covBody(processId, device, 1, FORGED_VALUE))),
    local(confirmed(invokeId, 0x01, covBody(processId, device, 2, 1e30))),
    local(Buffer.concat([Buffer.from([0x10, 0x03]), eventBody(device)])),
    local(confirmed(invokeId, 0x02, eventBody(device))),
    // Requests a device (or a supervisor serving its own device object) must answer or refuse.
    local(
      confirmed(
        invokeId,
        0x0c,
        Buffer.concat([Buffer.from([0x0c]), objectId(DEVICE, device), Buffer.from([0x19, 0x4d])]),
      ),
    ),
    local(
      confirmed(
        invokeId,
        0x0e,
        Buffer.concat([Buffer.from([0x0c]), objectId(DEVICE, device), Buffer.from([0x1e, 0x09, 0x08, 0x1f])]),
      ),
    ),
    local(
      confirmed(
        invokeId,
        0x0f,
        Buffer.concat([
          Buffer.from([0x0c]),
          objectId(AI, 1),
          Buffer.from([0x19, 0x55, 0x3e, 0x44]),
          real(1),
          Buffer.from([0x3f, 0x49, 0x08]),
        ]),
      ),
    ),
    local(
      confirmed(
        invokeId,
        0x05,
        Buffer.concat([
          Buffer.from([0x09, 0x01, 0x1c]),
          objectId(AI, 1),
          Buffer.from([0x29, 0x00, 0x39, 0x3c]),
        ]),
      ),
    ),
    local(Buffer.from([0x10, 0x08])),
    global(Buffer.from([0x10, 0x08, 0x09, 0x00, 0x1b, 0x3f, 0xff, 0xff])),
    local(Buffer.from([0x10, 0x07, 0x3d, 0x06, 0x00, 0x5a, 0x6f, 0x6e, 0x65, 0x31])),
    // Replies to requests that may or may not be in flight.
    local(readPropertyAck(invokeId)),
    local(segmentedAck(invokeId, 0)),
    local(segmentedAck(invokeId, 1)),
    local(Buffer.from([0x20, invokeId & 0xff, 0x0f])),
    local(Buffer.from([0x50, invokeId & 0xff, 0x0c, 0x91, 0x02, 0x91, 0x20])),
    local(Buffer.from([0x60, invokeId & 0xff, 0x09])),
    local(Buffer.from([0x70, invokeId & 0xff, 0x04])),
    local(Buffer.from([0x40, invokeId & 0xff, 0x00, 0x04])),
    // Network-layer messages: Who-Is-Router, I-Am-Router-To-Network, Reject-Message-To-Network,
    // Router-Busy, Initialize-Routing-Table-Ack, a proprietary message.
    Buffer.from([0x01, 0x80, 0x00]),
    Buffer.from([0x01, 0x80, 0x01, 0x00, 0x05, 0x00, 0x06]),
    Buffer.from([0x01, 0x80, 0x03, 0x01, 0x00, 0x05]),
    Buffer.from([0x01, 0x80, 0x04, 0x00, 0x05]),
    Buffer.from([0x01, 0x80, 0x07, 0x01, 0x00, 0x05, 0x01, 0x00]),
    Buffer.from([0x01, 0x80, 0x80, 0x01, 0x04]),
  ];
}

/** B/IP address octets of the forwarding originator: always on the fuzzer's loopback /24. */
function origin(last: number, port: number): Buffer {
  const b = Buffer.from([127, 0, 109, last & 0xff, 0, 0]);
  b.writeUInt16BE(port, 4);
  return b;
}

export interface FrameTargets {
  /** The device instance the frames claim to be or ask about (a real one makes them more dangerous). */
  devices: number[];
  /** Origins written into Forwarded-NPDUs: last octet in 127.0.109.0/24 and a port. */
  originPorts: number[];
}

/** Every template, framed as Original-Unicast, Original-Broadcast, Forwarded-NPDU or another BVLC function. */
function framesFor(device: number, processId: number, invokeId: number, originPort: number): Buffer[] {
  const bodies = npdus(device, processId, invokeId);
  const frames: Buffer[] = [];
  for (const npdu of bodies) {
    frames.push(bvlc(0x0a, npdu), bvlc(0x0b, npdu));
    frames.push(bvlc(0x04, Buffer.concat([origin(50, originPort), npdu])));
  }
  frames.push(
    bvlc(0x00, Buffer.from([0x00, 0x30])), // Result: Register-Foreign-Device NAK
    bvlc(0x00, Buffer.from([0x00, 0x00])),
    bvlc(0x02, Buffer.alloc(0)), // Read-BDT
    bvlc(0x05, Buffer.from([0x00, 0x3c])), // Register-Foreign-Device, 60 s
    bvlc(0x06, Buffer.alloc(0)), // Read-FDT
    bvlc(0x09, bodies[0] ?? Buffer.alloc(0)), // Distribute-Broadcast-To-Network
  );
  return frames;
}

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; byte: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "truncate"; at: number }
  | { kind: "length"; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(200), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(200), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(200),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat(200) }),
  fc.record({ kind: fc.constant("length" as const), value: fc.integer({ min: 0, max: 0xffff }) }),
);

function mutate(frame: Buffer, mutations: Mutation[], fixLength: boolean): Buffer {
  let out = Buffer.from(frame);
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.kind === "length" ? 0 : m.at % out.length;
    if (m.kind === "flip") out[at] = (out[at] ?? 0) ^ (1 << m.bit);
    else if (m.kind === "set") out[at] = m.byte;
    else if (m.kind === "insert")
      out = Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)]);
    else if (m.kind === "truncate") out = out.subarray(0, at);
    else if (out.length >= 4) out.writeUInt16BE(m.value, 2);
  }
  if (fixLength && out.length >= 4 && out.length <= 0xffff) out.writeUInt16BE(out.length, 2);
  return keepOnLoopback(out);
}

/**
 * Anything that names an address the receiver may answer or probe (a Forwarded-NPDU's originator) is
 * forced back into 127.0.109.0/24: a fuzzer must never make a process send to another network.
 */
function keepOnLoopback(frame: Buffer): Buffer {
  if (frame.length >= 7 && frame[0] === 0x81 && frame[1] === 0x04) {
    frame[4] = 127;
    frame[5] = 0;
    frame[6] = 109;
  }
  return frame;
}

/** One hostile datagram: a mutated template (most), a pristine template, or random bytes. */
export function hostileFrame(targets: FrameTargets): fc.Arbitrary<Buffer> {
  const template = fc
    .record({
      device: fc.constantFrom(...targets.devices),
      processId: fc.nat(8),
      invokeId: fc.noBias(fc.nat(255)),
      originPort: fc.constantFrom(...targets.originPorts),
      // Unbiased: fast-check favours small integers, which would favour the first templates.
      pick: fc.noBias(fc.nat({ max: 1_000_000 })),
    })
    .map(({ device, processId, invokeId, originPort, pick }) => {
      const all = framesFor(device, processId, invokeId, originPort);
      return all[pick % all.length] ?? Buffer.alloc(4);
    });
  return fc.oneof(
    {
      weight: 7,
      arbitrary: fc
        .tuple(template, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean())
        .map(([f, m, fix]) => mutate(f, m, fix)),
    },
    { weight: 1, arbitrary: template },
    {
      // Cut short with an honest BVLC length: the shape of a frame whose last fields are missing.
      weight: 3,
      arbitrary: fc
        .tuple(template, fc.noBias(fc.nat(1_000_000)))
        .map(([f, n]) => mutate(f.subarray(0, 4 + (n % Math.max(1, f.length - 4))), [], true)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.uint8Array({ minLength: 0, maxLength: 1600 }), fc.boolean())
        .map(([bytes, bacnet]) => {
          const b = Buffer.from(bytes);
          // Half of them claim to be BACnet/IP, so they get past the first check.
          if (bacnet && b.length >= 2) b[0] = 0x81;
          return keepOnLoopback(b);
        }),
    },
  );
}

/** The frames' hex, for a failure message that can be replayed. */
export function hexOf(frames: readonly Buffer[]): string {
  return frames.map((f) => f.toString("hex")).join("\n");
}
