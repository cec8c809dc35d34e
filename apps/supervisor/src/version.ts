import { readFileSync } from "node:fs";

/** The supervisor's own version, as the dashboard and /api/health report it. */
export const SUPERVISOR_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
