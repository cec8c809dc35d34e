export * from "./browser";
export * from "./processes";
export * from "./programs";
