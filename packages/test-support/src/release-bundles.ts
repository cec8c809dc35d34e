import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { arch } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT, type RunningProcess, startProcess } from "./processes";

/** Where install.sh puts the releases under its root, as on a real system. */
export const INSTALL_PREFIX = "/opt/bms-supervisor";

const topDir = (version: string) => `bms-supervisor-${version}-linux-${arch()}`;

/**
 * Signed releases as the key holder builds them: an ed25519 update key pair written into `work`, and
 * `pnpm release` tarballs (each with its .sig) in `work/dist`.
 */
export class ReleaseBuilder {
  readonly dist: string;
  readonly keyFile: string;
  /** The public key a supervisor pins (install.sh --update-key). */
  readonly pubFile: string;
  readonly privateKey: KeyObject;

  constructor(readonly work: string) {
    this.dist = join(work, "dist");
    this.keyFile = join(work, "update-key.pem");
    this.pubFile = join(work, "update-key.pub");
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    this.privateKey = privateKey;
    mkdirSync(work, { recursive: true });
    writeFileSync(this.keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(this.pubFile, publicKey.export({ type: "spki", format: "pem" }));
  }

  tarball(version: string): string {
    return join(this.dist, `${topDir(version)}.tar.gz`);
  }

  /** The .sig `pnpm release` wrote beside the tarball. */
  releaseSignature(version: string): string {
    return readFileSync(`${this.tarball(version)}.sig`, "utf8");
  }

  /** Runs `pnpm release` for this version, signed with the update key. */
  build(version: string): void {
    execFileSync(
      process.execPath,
      ["scripts/release.mjs", "--version", version, "--out", this.dist, "--sign", this.keyFile],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
  }

  /** A detached signature of these bytes by the update key (what the key holder ships as .sig). */
  sign(bytes: Buffer): string {
    return sign(null, bytes, this.privateKey).toString("base64");
  }

  /**
   * A release the key holder built from `from` as version `to`, changed by `edit` (given the unpacked
   * release's top directory): a signed release that misbehaves. Returns the new tarball's path.
   */
  variant(from: string, to: string, edit: (top: string) => void): string {
    const scratch = join(this.work, `variant-${to}`);
    mkdirSync(scratch);
    execFileSync("tar", ["-xzf", this.tarball(from), "-C", scratch]);
    const top = join(scratch, topDir(to));
    cpSync(join(scratch, topDir(from)), top, { recursive: true });
    rmSync(join(scratch, topDir(from)), { recursive: true });
    const manifest = join(top, "lib/package.json");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(from, to));
    edit(top);
    const file = join(this.work, `${topDir(to)}.tar.gz`);
    execFileSync("tar", ["-czf", file, "-C", scratch, topDir(to)]);
    return file;
  }
}

/**
 * Installs a release tarball as a system installer does: unpacks it and runs its install.sh into `root`
 * (a temporary root, no systemd), with the data directory (a path inside root) and the pinned update key.
 */
export function installBundle(
  tarball: string,
  options: { root: string; dataDir: string; updateKey: string },
): void {
  mkdirSync(options.root, { recursive: true });
  const unpacked = mkdtempSync(join(dirname(options.root), "unpacked-"));
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
  const [top] = readdirSync(unpacked);
  if (!top) throw new Error(`${tarball} is empty`);
  execFileSync(
    "sh",
    [
      join(unpacked, top, "install", "install.sh"),
      "--root",
      options.root,
      "--prefix",
      INSTALL_PREFIX,
      "--data-dir",
      options.dataDir,
      "--update-key",
      options.updateKey,
      "--no-systemd",
    ],
    { encoding: "utf8" },
  );
}

/**
 * Runs the launcher of the release installed under `root` (`all` mode) on one loopback address, polling
 * the simulator's device `device` at `simulator` (host:port). Only Node.js and the system's tools are on
 * the PATH: nothing from the workspace.
 */
export function startInstalledSupervisor(options: {
  root: string;
  dataDir: string;
  host: string;
  httpPort: number;
  bacnetPort: number;
  simulator: string;
  device: number;
  token: string;
  healthWindowMs: number;
  name: string;
  cwd: string;
  extra?: string[];
}): Promise<RunningProcess> {
  const { host, simulator } = options;
  return startProcess(
    join(options.root, INSTALL_PREFIX, "current", "bin", "bms-supervisor-launcher"),
    [
      "all",
      "--data-dir",
      options.dataDir,
      "--http-host",
      host,
      "--http-port",
      String(options.httpPort),
      "--bacnet-bind",
      host,
      "--bacnet-port",
      String(options.bacnetPort),
      "--broadcast",
      simulator,
      "--allowed-hosts",
      host,
      "--bacnet-pin",
      `${options.device}=${simulator}`,
      ...(options.extra ?? []),
    ],
    {
      name: options.name,
      cwd: options.cwd,
      // tar is needed for updates; NODE_OPTIONS is emptied so the test runner's loaders stay out.
      env: {
        PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
        NODE_OPTIONS: "",
        BMS_SUPERVISOR_TOKEN: options.token,
        BMS_UPDATE_HEALTH_WINDOW_MS: String(options.healthWindowMs),
      },
      ready: /bms-supervisor listening/,
    },
  );
}
