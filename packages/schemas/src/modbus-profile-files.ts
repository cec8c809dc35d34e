import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ValidationProblem } from "./common";
import { type ModbusProfile, validateModbusProfile } from "./modbus-profile";

/**
 * Loading profile files (Node only, so it is a subpath export the Designer's browser bundle never sees).
 * The shipped profiles live in `packages/schemas/modbus-profiles/`; a site adds its own in a directory
 * named in the plugin configuration. A file that does not parse or validate is reported with its file
 * name and the problem paths, and loads nothing: a half-read register map is worse than none.
 */

export const BUILTIN_MODBUS_PROFILES_DIR = fileURLToPath(new URL("../modbus-profiles/", import.meta.url));

export class ModbusProfileError extends Error {
  readonly code = "invalid_profile";
  constructor(
    readonly file: string,
    readonly problems: ValidationProblem[],
  ) {
    super(`invalid Modbus profile ${file}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  }
}

export function loadModbusProfileFile(file: string): ModbusProfile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ModbusProfileError(file, [
      { path: "(root)", message: `not readable JSON: ${err instanceof Error ? err.message : String(err)}` },
    ]);
  }
  const result = validateModbusProfile(json);
  if (!result.ok) throw new ModbusProfileError(file, result.errors);
  return result.value;
}

/** Every `*.json` of the directories, in order; a later directory's profile replaces one with its id. */
export function loadModbusProfiles(dirs: readonly string[]): Map<string, ModbusProfile> {
  const profiles = new Map<string, ModbusProfile>();
  for (const dir of dirs) {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
    for (const f of files) {
      const profile = loadModbusProfileFile(join(dir, f));
      profiles.set(profile.id, profile);
    }
  }
  return profiles;
}
