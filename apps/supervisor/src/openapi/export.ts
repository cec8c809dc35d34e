// Writes docs/api/openapi.json from the routes, so the reference in the repository matches the code.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@bms/test-support";
import { buildApp } from "../app";
import { openApiDocument } from "./document";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const app = await buildApp({
  httpPort: 0,
  httpHost: "127.0.0.1",
  dataDir: tempDir("openapi"),
  bacnetBind: "127.0.0.1",
  bacnetPort: 0,
  broadcast: "127.255.255.255:47808",
  logLevel: "warn",
  token: "openapi-export-token-0000",
  execute: false,
  requestTimeoutMs: 1000,
  retries: 0,
  perDeviceConcurrency: 1,
  historyRetentionHours: 1,
  historyMinIntervalMs: 1000,
  discoverOnStart: false,
});
await app.ready();
const file = join(root, "docs/api/openapi.json");
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
await app.close();
console.log(`wrote ${file}`);
