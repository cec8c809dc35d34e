import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Supervisor release bundles uploaded once to the Designer for a release rollout: kept as files under
 * `<data-dir>/release-bundles/<sha256>.tar.gz` with their signature and what the Designer read from them.
 *
 * The Designer does not verify the signature: the key that counts is the one each supervisor pinned at
 * install, and each supervisor checks the bundle against it before anything changes on its disk. The
 * Designer only refuses what cannot be a signed release (no ed25519-sized signature, no version inside).
 */
export interface ReleaseBundle {
  /** The bundle's sha256 (hex): the id a rollout names. */
  id: string;
  /** The supervisor version inside (lib/package.json). */
  version: string;
  size: number;
  signature: string;
  uploaded_at: string;
  uploaded_by: string;
}

export type BundleErrorCode = "bad_signature" | "bad_bundle";
export class BundleError extends Error {
  constructor(
    readonly code: BundleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const execFileAsync = promisify(execFile);
const VERSION = /^[0-9A-Za-z.+-]{1,64}$/;

export const bundlesDir = (dataDir: string) => join(dataDir, "release-bundles");

export async function saveReleaseBundle(
  dataDir: string,
  bytes: Buffer,
  signature: string,
  uploadedBy: string,
): Promise<ReleaseBundle> {
  const sig = signature.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(sig) || Buffer.from(sig, "base64").length !== 64)
    throw new BundleError("bad_signature", "the signature is not a base64 ed25519 signature (the .sig file)");
  if (bytes.length === 0) throw new BundleError("bad_bundle", "the bundle is empty");
  const dir = bundlesDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const id = createHash("sha256").update(bytes).digest("hex");
  const tmp = join(dir, `.incoming-${id}.tar.gz`);
  writeFileSync(tmp, bytes, { mode: 0o600 });
  try {
    const version = await versionInside(tmp);
    const bundle: ReleaseBundle = {
      id,
      version,
      size: bytes.length,
      signature: sig,
      uploaded_at: new Date().toISOString(),
      uploaded_by: uploadedBy,
    };
    renameSync(tmp, join(dir, `${id}.tar.gz`));
    writeFileSync(join(dir, `${id}.json`), `${JSON.stringify(bundle, null, 2)}\n`, { mode: 0o600 });
    return bundle;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The release's version, read from `<top>/lib/package.json` without unpacking the rest. */
async function versionInside(file: string): Promise<string> {
  let listing: string;
  try {
    listing = (await execFileAsync("tar", ["-tzf", file], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch {
    throw new BundleError("bad_bundle", "the file is not a .tar.gz archive");
  }
  const top = listing.split("\n")[0]?.split("/")[0];
  const manifest = `${top}/lib/package.json`;
  if (!top || !listing.split("\n").some((l) => l === manifest))
    throw new BundleError("bad_bundle", "the archive is not a supervisor release bundle");
  const text = (await execFileAsync("tar", ["-xzOf", file, manifest])).stdout;
  let version: unknown;
  try {
    version = (JSON.parse(text) as { version?: unknown }).version;
  } catch {
    version = undefined;
  }
  if (typeof version !== "string" || !VERSION.test(version))
    throw new BundleError("bad_bundle", "the bundle's lib/package.json holds no valid version");
  return version;
}

export function getReleaseBundle(dataDir: string, id: string): ReleaseBundle | null {
  if (!/^[0-9a-f]{64}$/.test(id)) return null;
  const meta = join(bundlesDir(dataDir), `${id}.json`);
  if (!existsSync(meta) || !existsSync(join(bundlesDir(dataDir), `${id}.tar.gz`))) return null;
  return JSON.parse(readFileSync(meta, "utf8")) as ReleaseBundle;
}

export function readReleaseBundleBytes(dataDir: string, id: string): Buffer {
  return readFileSync(join(bundlesDir(dataDir), `${id}.tar.gz`));
}

export function listReleaseBundles(dataDir: string): ReleaseBundle[] {
  const dir = bundlesDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
    .map((f) => getReleaseBundle(dataDir, f.slice(0, 64)))
    .filter((b): b is ReleaseBundle => b !== null)
    .sort((a, b) => b.uploaded_at.localeCompare(a.uploaded_at));
}
