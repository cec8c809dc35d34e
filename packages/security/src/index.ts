export * from "./browser-guard";
export * from "./outbound-url";
export * from "./redact";
export * from "./secrets";
export * from "./security-headers";
export * from "./tls";
