import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import {
  app,
  BACNET_ERRORS,
  bitString,
  type Destination,
  encodeDestination,
  PROPERTIES as P,
} from "@bms/bacnet";
import {
  ARRAY_ALL,
  type ReadResult,
  readError,
  readIdentity,
  readOk,
  readPropertyList,
  type WriteResult,
  writeError,
} from "./property-access";
import type { ServiceObject } from "./service-object";

export const NOTIFICATION_CLASS_TYPE = 15;

/** Notification Class properties (clause 12.21). */
export const NC = {
  ackRequired: 1,
  notificationClass: 17,
  priority: 86,
  recipientList: 102,
} as const;

/** The most recipients a class keeps; one more is refused with no-space-to-add-list-element. */
export const MAX_RECIPIENTS = 16;

const REQUIRED: number[] = [
  P.objectIdentifier,
  P.objectName,
  P.objectType,
  P.propertyList,
  NC.notificationClass,
  NC.priority,
  NC.ackRequired,
  NC.recipientList,
];
const OPTIONAL: number[] = [P.description];
const ALL = [...REQUIRED, ...OPTIONAL];

export class SimNotificationClass implements ServiceObject {
  readonly type = NOTIFICATION_CLASS_TYPE;
  description = "";
  recipients: Destination[] = [];

  constructor(
    readonly instance: number,
    public name: string,
    /** Priority of to-offnormal, to-fault and to-normal notifications. */
    readonly priority: [number, number, number],
    readonly ackRequired: [boolean, boolean, boolean],
  ) {}

  propertySets() {
    return { required: REQUIRED, optional: OPTIONAL };
  }

  read(id: number, index: number): ReadResult {
    if (!ALL.includes(id)) return readError(BACNET_ERRORS.unknownProperty);
    if (id === NC.recipientList) return readError(BACNET_ERRORS.invalidDataType);
    if (index !== ARRAY_ALL && id !== NC.priority && id !== P.propertyList)
      return readError(BACNET_ERRORS.propertyIsNotAnArray);
    const identity = readIdentity(this, id);
    if (identity) return identity;
    switch (id) {
      case P.propertyList:
        return readPropertyList(ALL, index);
      case NC.notificationClass:
        return readOk([app.unsigned(this.instance)]);
      case NC.priority: {
        const values = this.priority.map((p) => app.unsigned(p));
        if (index === ARRAY_ALL) return readOk(values);
        if (index === 0) return readOk([app.unsigned(3)]);
        const v = values[index - 1];
        return v ? readOk([v]) : readError(BACNET_ERRORS.invalidArrayIndex);
      }
      case NC.ackRequired:
        return readOk([app.bits(transitionBits(this.ackRequired))]);
      default:
        return readError(BACNET_ERRORS.unknownProperty);
    }
  }

  structured(id: number) {
    return id === NC.recipientList
      ? (buf: EncodeBuffer) => {
          for (const d of this.recipients) encodeDestination(buf, d);
        }
      : undefined;
  }

  /** Recipients change with AddListElement/RemoveListElement; the rest is fixed by the site file. */
  write(id: number): WriteResult {
    return writeError(ALL.includes(id) ? BACNET_ERRORS.writeAccessDenied : BACNET_ERRORS.unknownProperty);
  }

  /** AddListElement: an equal destination already present is not added twice (clause 15.1.2). */
  add(destination: Destination): boolean {
    if (this.recipients.some((d) => sameRecipient(d, destination))) {
      this.recipients = this.recipients.map((d) => (sameRecipient(d, destination) ? destination : d));
      return true;
    }
    if (this.recipients.length >= MAX_RECIPIENTS) return false;
    this.recipients.push(destination);
    return true;
  }

  remove(destination: Destination): boolean {
    const before = this.recipients.length;
    this.recipients = this.recipients.filter((d) => !sameRecipient(d, destination));
    return this.recipients.length < before;
  }
}

const sameRecipient = (a: Destination, b: Destination) =>
  a.address.ip === b.address.ip &&
  a.address.port === b.address.port &&
  a.address.net === b.address.net &&
  a.processId === b.processId;

export function transitionBits(t: readonly boolean[]) {
  return bitString(
    3,
    t.flatMap((on, i) => (on ? [i] : [])),
  );
}
