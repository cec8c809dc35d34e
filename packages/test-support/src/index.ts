export * from "./processes";
export * from "./programs";
