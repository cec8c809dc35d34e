export * from "./browser";
export * from "./demo-flows";
export * from "./mosquitto";
export * from "./processes";
export * from "./programs";
export * from "./release-bundles";
export * from "./services";
export * from "./site-stack";
