import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The admin token: from BMS_SUPERVISOR_TOKEN/--token when given, else generated once on first start
 * and stored in <data-dir>/admin-token with 0600 permissions. `created` says whether to print it.
 */
export function resolveAdminToken(
  dataDir: string,
  given: string | undefined,
): { token: string; created: boolean } {
  if (given) {
    if (given.length < 16) throw new Error("the admin token must be at least 16 characters");
    return { token: given, created: false };
  }
  const file = join(dataDir, "admin-token");
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return { token: readFileSync(file, "utf8").trim(), created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true };
}
