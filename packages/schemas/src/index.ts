export * from "./api";
export * from "./common";
export * from "./deployment";
export * from "./flow";
export * from "./node-health";
export * from "./point-ref";
export * from "./security";
