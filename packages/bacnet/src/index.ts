// The shared BACnet vocabulary of the product: names <-> ids and value encoding. No sockets here, so
// both the simulator (server side) and the supervisor (client side) can import it freely.
export * from "./app-values";
export * from "./bit-strings";
export { buildNameTable, snakeToCamel } from "./camel-case";
export * from "./destination";
export * from "./display";
export * from "./errors";
export * from "./event-text";
export * from "./event-values";
export * from "./event-values-encode";
export * from "./max-apdu";
export * from "./network-layer";
export * from "./object-types";
export * from "./properties";
export * from "./read-property-multiple";
export * from "./schedule";
export * from "./schedule-wire";
export * from "./segmentation";
export * from "./units";
export * from "./who-has";
