import { describe, expect, it } from "vitest";
import { BACNET_ERRORS, classifyClientError, errorClassName, errorCodeName } from "./index";

describe("error names", () => {
  it("names classes and codes in camelCase", () => {
    expect(errorClassName(BACNET_ERRORS.unknownObject.errorClass)).toBe("object");
    expect(errorCodeName(BACNET_ERRORS.unknownObject.errorCode)).toBe("unknownObject");
    expect(errorCodeName(BACNET_ERRORS.writeAccessDenied.errorCode)).toBe("writeAccessDenied");
  });
});

describe("classifyClientError", () => {
  it("parses the library's error messages", () => {
    expect(classifyClientError(new Error("BacnetError - Class:2 - Code:32"))).toEqual({
      kind: "error",
      errorClass: 2,
      errorCode: 32,
      message: "property: unknownProperty",
    });
    expect(classifyClientError(new Error("BacnetAbort - Reason:4"))).toMatchObject({
      kind: "abortOrReject",
      reason: 4,
    });
    expect(classifyClientError(new Error("ERR_TIMEOUT")).kind).toBe("timeout");
    expect(classifyClientError("boom")).toEqual({ kind: "other", message: "boom" });
  });
});
