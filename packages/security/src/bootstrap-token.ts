import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { newSecret } from "./secrets";

/** A bootstrap token given by its operator must be at least this long. */
export const MIN_GIVEN_TOKEN_LENGTH = 16;

/**
 * A server's bootstrap admin token (the supervisor's, the fleet console's): `given` when its operator
 * set one (`source` names where, for the error), else the one in `file`, else a new one generated once
 * into `file` with 0600 permissions (a file found with looser ones is tightened). `created` says whether
 * to print it: it is shown once, on the start that made it.
 */
export function loadOrCreateBootstrapToken(
  file: string,
  given: string | undefined,
  source: string,
): { token: string; created: boolean } {
  if (given) {
    if (given.length < MIN_GIVEN_TOKEN_LENGTH)
      throw new Error(`${source} must be at least ${MIN_GIVEN_TOKEN_LENGTH} characters`);
    return { token: given, created: false };
  }
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return { token: readFileSync(file, "utf8").trim(), created: false };
  }
  mkdirSync(dirname(file), { recursive: true });
  const token = newSecret();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true };
}
