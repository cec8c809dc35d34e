import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { arch } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT, type RunningProcess, startProcess, tempDir } from "./processes";
import { type SimulatorHandle, startSimulator } from "./programs";

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

/**
 * What an installed supervisor's /api/health answers, or undefined while it does not answer (its launcher
 * is switching releases, or it is not up yet).
 */
export async function installedHealth<T = { version: string }>(
  base: string,
  token?: string,
): Promise<T | undefined> {
  try {
    const answer = await fetch(`${base}/api/health`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return answer.status === 200 ? ((await answer.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The launcher's own record of the releases in a data directory (current, pending, rolled_back_from). */
export function launcherState(dataDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dataDir, "releases", "state.json"), "utf8")) as Record<string, unknown>;
}

/**
 * The set-up the release tests share: a work directory with a temporary root, signed releases built by
 * `pnpm release` into it, the first one installed by install.sh, and the simulator's skeleton site the
 * installed supervisors poll. Each test file passes its own loopback addresses and ports.
 */
export class InstalledSite {
  readonly work: string;
  readonly root: string;
  readonly releases: ReleaseBuilder;
  private sim: SimulatorHandle | undefined;

  constructor(
    name: string,
    private readonly options: {
      sim: { bind: string; port: number };
      /** What every launcher of this site gets. */
      bacnetPort: number;
      token: string;
      healthWindowMs: number;
    },
  ) {
    this.work = tempDir(name);
    this.root = join(this.work, "root");
    this.releases = new ReleaseBuilder(this.work);
  }

  /** A path inside the temporary root ("/var/lib/..." as install.sh was given it). */
  inRoot(path: string): string {
    return join(this.root, path);
  }

  /** Builds `versions` (signed), installs the first with `dataDir` (a path inside the root), starts the simulator. */
  async setUp(versions: string[], dataDir: string): Promise<void> {
    for (const version of versions) this.releases.build(version);
    installBundle(this.releases.tarball(versions[0]!), {
      root: this.root,
      dataDir,
      updateKey: this.releases.pubFile,
    });
    this.sim = await startSimulator({
      bind: this.options.sim.bind,
      port: this.options.sim.port,
      site: "skeleton",
    });
  }

  /** The installed launcher on one loopback address, polling the skeleton controller (device 1001). */
  launch(supervisor: {
    dataDir: string;
    host: string;
    httpPort: number;
    name: string;
    extra?: string[];
  }): Promise<RunningProcess> {
    return startInstalledSupervisor({
      ...supervisor,
      root: this.root,
      bacnetPort: this.options.bacnetPort,
      simulator: `${this.options.sim.bind}:${this.options.sim.port}`,
      device: 1001,
      token: this.options.token,
      healthWindowMs: this.options.healthWindowMs,
      cwd: this.work,
    });
  }

  /** Stops the simulator and removes the work directory; the test stops its own launchers first. */
  async tearDown(): Promise<void> {
    await this.sim?.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
}
