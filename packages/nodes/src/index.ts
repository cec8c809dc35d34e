export * from "./core/port-groups";
export * from "./core/script-runner";
export * from "./core/types";
export * from "./core/values";
export * from "./engine/compile";
export * from "./engine/flow-runtime";
export * from "./engine/node-commands";
export * from "./registry";
