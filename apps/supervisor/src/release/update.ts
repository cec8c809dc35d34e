/**
 * Over-the-air update, the supervisor's half: verify an uploaded release bundle against the ed25519 key
 * pinned at install (`<data-dir>/update-key.pub`), unpack it beside the running release, and record the
 * switch for the launcher (bin/bms-supervisor-launcher, scripts/release/launcher.mjs), which restarts
 * into it and rolls back by itself if it does not answer healthy within its window.
 *
 * The launcher passes BMS_RELEASES_DIR (`<data-dir>/releases`, where updates go and where state.json
 * lives) and BMS_RELEASE_DIR (the running release). A supervisor started without the launcher (from the
 * repository, or bin/bms-supervisor directly) has nothing to switch and refuses updates.
 *
 * state.json, read by the launcher: `{current, previous, pending}` with absolute release directories;
 * `pending` marks a release on probation until its first healthy start.
 */
import { execFile } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { MIGRATIONS } from "../storage/migrations";

export const UPDATE_KEY_FILE = "update-key.pub";
/** The exit code that tells the launcher to start the (new) current release. */
export const RESTART_FOR_UPDATE = 75;

export type UpdateErrorCode =
  | "update_unsupported"
  | "update_key_missing"
  | "bad_signature"
  | "bad_bundle"
  | "no_previous_release"
  | "update_on_probation"
  | "rollback_schema_changed";

export class UpdateError extends Error {
  constructor(
    readonly code: UpdateErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface UpdatePlaces {
  dataDir: string;
  releasesDir: string | undefined;
  currentDir: string | undefined;
}

export function updatePlaces(dataDir: string, env: NodeJS.ProcessEnv = process.env): UpdatePlaces {
  return { dataDir, releasesDir: env.BMS_RELEASES_DIR, currentDir: env.BMS_RELEASE_DIR };
}

/** True when `signature` (base64) is the pinned key's ed25519 signature over exactly these bytes. */
export function signatureValid(bundle: Buffer, signatureBase64: string, publicKeyPem: string): boolean {
  const signature = Buffer.from(signatureBase64.trim(), "base64");
  if (signature.length !== 64) return false;
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== "ed25519") return false;
  return verify(null, bundle, key, signature);
}

const execFileAsync = promisify(execFile);

/**
 * Verifies, unpacks and records the update; answers the new and the previous version. Nothing on disk
 * changes before the signature is checked, and a bundle that fails a check leaves the running release
 * as the current one.
 */
export async function installUpdate(
  places: UpdatePlaces,
  bundle: Buffer,
  signatureBase64: string,
): Promise<{ version: string; previous: string }> {
  const { releasesDir, currentDir } = places;
  if (!releasesDir || !currentDir) {
    throw new UpdateError(
      "update_unsupported",
      "this supervisor was not started by bms-supervisor-launcher, so it cannot switch versions",
    );
  }
  const keyFile = join(places.dataDir, UPDATE_KEY_FILE);
  if (!existsSync(keyFile)) {
    throw new UpdateError(
      "update_key_missing",
      `no update key is pinned (${UPDATE_KEY_FILE} in the data directory)`,
    );
  }
  if (!signatureValid(bundle, signatureBase64, readFileSync(keyFile, "utf8"))) {
    throw new UpdateError("bad_signature", "the bundle's signature does not match the pinned update key");
  }
  const previous = versionOf(currentDir);
  mkdirSync(releasesDir, { recursive: true });
  const incoming = mkdtempSync(join(releasesDir, ".incoming-"));
  try {
    const file = join(incoming, "bundle.tar.gz");
    writeFileSync(file, bundle, { mode: 0o600 });
    await execFileAsync("tar", ["-xzf", file, "-C", incoming, "--no-same-owner"]);
    rmSync(file);
    const tops = readdirSync(incoming);
    const top = tops.length === 1 ? join(incoming, tops[0]!) : null;
    if (!top || !existsSync(join(top, "lib", "app", "supervisor.mjs"))) {
      throw new UpdateError("bad_bundle", "the archive is not a supervisor release bundle");
    }
    const version = versionOf(top);
    if (!/^[0-9A-Za-z.+-]+$/.test(version) || version === previous) {
      throw new UpdateError("bad_bundle", `the bundle's version (${version}) is invalid or already running`);
    }
    const target = join(releasesDir, version);
    rmSync(target, { recursive: true, force: true });
    renameSync(top, target);
    // Keep exactly two releases here: the new one and the one to fall back to.
    for (const entry of readdirSync(releasesDir)) {
      const dir = join(releasesDir, entry);
      if (!entry.startsWith(".") && entry !== "state.json" && dir !== target && dir !== resolve(currentDir)) {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // previous_schema: how many migrations the running release knows, so a later rollback can tell
    // whether the release it returns to can still read runtime.db (see rollbackUpdate).
    const state = {
      current: target,
      previous: resolve(currentDir),
      pending: true,
      previous_schema: MIGRATIONS.length,
    };
    writeFileSync(join(releasesDir, "state.json.tmp"), `${JSON.stringify(state, null, 2)}\n`);
    renameSync(join(releasesDir, "state.json.tmp"), join(releasesDir, "state.json"));
    return { version, previous };
  } finally {
    rmSync(incoming, { recursive: true, force: true });
  }
}

interface ReleaseState {
  current: string;
  previous: string | null;
  pending: boolean;
  previous_schema?: number;
}

/**
 * Back to the release that ran before the last update, asked for after the new one came up healthy
 * (a fleet rollout whose health gate failed). The launcher's own rollback covers a release that never
 * becomes healthy; this one covers a release that starts fine but misbehaves.
 *
 * runtime.db stays as it is, with everything recorded since the update (alarms, audit, history): the
 * launcher's copy from before the update is gone once the release proved healthy, and restoring it would
 * throw those records away. That is only safe while the schema is the one the previous release knows, so
 * a rollback across a schema change (the database's `user_version` above the migrations the previous
 * release had) is refused: the old release would refuse to open the database and the site would be down.
 * Such a release is rolled forward with a fixed bundle instead.
 */
export function rollbackUpdate(
  places: UpdatePlaces,
  schemaNow: number,
): { version: string; previous: string } {
  const { releasesDir, currentDir } = places;
  if (!releasesDir || !currentDir) {
    throw new UpdateError(
      "update_unsupported",
      "this supervisor was not started by bms-supervisor-launcher, so it cannot switch versions",
    );
  }
  const stateFile = join(releasesDir, "state.json");
  const state = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as ReleaseState) : null;
  if (!state?.previous || !existsSync(join(state.previous, "lib", "app", "supervisor.mjs"))) {
    throw new UpdateError("no_previous_release", "there is no previous release to go back to");
  }
  if (state.pending) {
    throw new UpdateError(
      "update_on_probation",
      "the update is still on probation: the launcher rolls it back by itself if it does not become healthy",
    );
  }
  if (state.previous_schema === undefined || schemaNow > state.previous_schema) {
    throw new UpdateError(
      "rollback_schema_changed",
      `runtime.db has schema ${schemaNow}, the previous release knows ${state.previous_schema ?? "an unknown number of"} migration(s): it could not open it`,
    );
  }
  const version = versionOf(resolve(currentDir));
  const previous = versionOf(state.previous);
  const next = { current: state.previous, previous: null, pending: false, rolled_back_from: version };
  writeFileSync(`${stateFile}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(`${stateFile}.tmp`, stateFile);
  return { version: previous, previous: version };
}

function versionOf(releaseDir: string): string {
  try {
    return (JSON.parse(readFileSync(join(releaseDir, "lib", "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    throw new UpdateError("bad_bundle", "the bundle has no lib/package.json with a version");
  }
}
