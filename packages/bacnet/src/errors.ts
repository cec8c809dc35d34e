import { AbortReason, ErrorClass, ErrorCode, RejectReason } from "@bacnet-js/client";
import { buildNameTable } from "./camel-case";

/** Error class/code pairs that a device answers with; named so the server and the client agree. */
export const BACNET_ERRORS = {
  unknownObject: { errorClass: ErrorClass.OBJECT, errorCode: ErrorCode.UNKNOWN_OBJECT },
  unknownProperty: { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.UNKNOWN_PROPERTY },
  propertyIsNotAnArray: { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.PROPERTY_IS_NOT_AN_ARRAY },
  invalidArrayIndex: { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.INVALID_ARRAY_INDEX },
  writeAccessDenied: { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.WRITE_ACCESS_DENIED },
  invalidDataType: { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.INVALID_DATA_TYPE },
  valueOutOfRange: { errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.VALUE_OUT_OF_RANGE },
  notCovProperty: { errorClass: ErrorClass.SERVICES, errorCode: ErrorCode.NOT_COV_PROPERTY },
  covNotSupported: {
    errorClass: ErrorClass.OBJECT,
    errorCode: ErrorCode.OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED,
  },
  resourcesExhausted: { errorClass: ErrorClass.RESOURCES, errorCode: ErrorCode.NO_SPACE_TO_ADD_LIST_ELEMENT },
  operationalProblem: { errorClass: ErrorClass.DEVICE, errorCode: ErrorCode.OPERATIONAL_PROBLEM },
} as const;

export interface BacnetErrorValue {
  errorClass: number;
  errorCode: number;
}

export { AbortReason, ErrorClass, ErrorCode, RejectReason };

const errorClassNames = buildNameTable(ErrorClass as unknown as Record<string, string | number>);
const errorCodeNames = buildNameTable(ErrorCode as unknown as Record<string, string | number>);
const abortNames = buildNameTable(AbortReason as unknown as Record<string, string | number>);
const rejectNames = buildNameTable(RejectReason as unknown as Record<string, string | number>);

export const errorClassName = (id: number): string => errorClassNames.byId.get(id) ?? String(id);
export const errorCodeName = (id: number): string => errorCodeNames.byId.get(id) ?? String(id);
export const abortReasonName = (id: number): string => abortNames.byId.get(id) ?? String(id);
export const rejectReasonName = (id: number): string => rejectNames.byId.get(id) ?? String(id);

/** Why a confirmed request through @bacnet-js/client failed, as data instead of a message string. */
export type ClientFailure =
  | { kind: "error"; errorClass: number; errorCode: number; message: string }
  /** The library reports Reject PDUs as aborts too, so the reason may be either table's. */
  | { kind: "abortOrReject"; reason: number; message: string }
  | { kind: "timeout"; message: string }
  | { kind: "other"; message: string };

/**
 * Classifies the library's rejections ("BacnetError - Class:2 - Code:32", "BacnetAbort - Reason:4",
 * "ERR_TIMEOUT") so callers can set point quality and decide whether to retry.
 */
export function classifyClientError(err: unknown): ClientFailure {
  const message = err instanceof Error ? err.message : String(err);
  const error = /BacnetError - Class:(\d+) - Code:(\d+)/.exec(message);
  if (error) {
    const errorClass = Number(error[1]);
    const errorCode = Number(error[2]);
    return {
      kind: "error",
      errorClass,
      errorCode,
      message: `${errorClassName(errorClass)}: ${errorCodeName(errorCode)}`,
    };
  }
  const abort = /BacnetAbort - Reason:(\d+)/.exec(message);
  if (abort) {
    const reason = Number(abort[1]);
    return {
      kind: "abortOrReject",
      reason,
      message: `abort ${abortReasonName(reason)} / reject ${rejectReasonName(reason)}`,
    };
  }
  if (/ERR_TIMEOUT|timed? ?out/i.test(message)) return { kind: "timeout", message };
  return { kind: "other", message };
}
