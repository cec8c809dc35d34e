export * from "./api";
export * from "./common";
export * from "./deployment";
export * from "./flow";
export * from "./point-ref";
export * from "./security";
export * from "./site";
