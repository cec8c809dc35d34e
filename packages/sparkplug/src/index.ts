export * from "./broker";
export * from "./conventions";
export * from "./payload";
export * from "./topics";
