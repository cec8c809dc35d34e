import { AbortReason, ErrorClass, ErrorCode, RejectReason } from "@bacnet-js/client";

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
