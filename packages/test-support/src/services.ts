import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, type RunningProcess, startProcess, tempDir, tsxArgs } from "./processes";

/**
 * Real infrastructure servers for integration tests and benchmarks: Debian's mosquitto and
 * PostgreSQL 15, each on a loopback address and port the caller picks, with a throw-away directory.
 * Installed by scripts/install-test-deps.sh.
 */

export interface PostgresHandle {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** postgres://user:password@host:port/database, for the service under test. */
  url: string;
  stop(): Promise<void>;
}

/** Debian's PostgreSQL binaries: BMS_PG_BIN, else the newest /usr/lib/postgresql/<major>/bin with initdb. */
function pgBin(): string {
  if (process.env.BMS_PG_BIN) return process.env.BMS_PG_BIN;
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => existsSync(join(root, d, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors[0]) throw new Error("PostgreSQL is not installed (pnpm test:deps installs it)");
  return join(root, majors[0], "bin");
}

/**
 * A throw-away PostgreSQL server: initdb into a temporary directory, then pg_ctl start on the given
 * loopback address and port with its socket in that directory (never /var/run/postgresql).
 * PostgreSQL refuses to run as root, so under root (CI, containers) both run as the `postgres`
 * system user (or `nobody`) through runuser, with the directory handed to that user.
 */
export async function startPostgres(options: {
  host: string;
  port: number;
  database?: string;
  /** Extra server settings (`-c name=value`), e.g. for a benchmark. */
  settings?: Record<string, string>;
}): Promise<PostgresHandle> {
  const dir = tempDir("postgres");
  const data = join(dir, "data");
  const user = "bms";
  const password = `pw-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const database = options.database ?? "bms_fleet";
  writeFileSync(join(dir, "pwfile"), `${password}\n`);
  const PG_BIN = pgBin();
  const asRoot = process.getuid?.() === 0;
  const runAs = asRoot ? systemUser() : undefined;
  if (runAs) {
    chmodSync(dir, 0o700);
    chownSync(dir, runAs.uid, runAs.gid);
    chownSync(join(dir, "pwfile"), runAs.uid, runAs.gid);
  }
  const run = (binary: string, args: string[], env: Record<string, string> = {}) => {
    const [cmd, argv] = runAs
      ? ["runuser", ["-u", runAs.name, "--", join(PG_BIN, binary), ...args]]
      : [join(PG_BIN, binary), args];
    return execFileSync(cmd, argv, {
      stdio: ["ignore", "pipe", "pipe"],
      cwd: dir,
      env: { ...process.env, ...env },
    }).toString();
  };
  try {
    run("initdb", [
      "-D",
      data,
      "-U",
      user,
      "--auth=scram-sha-256",
      `--pwfile=${join(dir, "pwfile")}`,
      "-E",
      "UTF8",
      "--no-sync",
    ]);
    const settings = {
      listen_addresses: options.host,
      port: String(options.port),
      unix_socket_directories: dir,
      max_connections: "50",
      ...options.settings,
    };
    const serverArgs = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(" ");
    run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", serverArgs, "-w", "-t", "60", "start"]);
    run("createdb", ["-h", options.host, "-p", String(options.port), "-U", user, database], {
      PGPASSWORD: password,
    });
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    throw new Error(`PostgreSQL did not start: ${e.stderr?.toString() ?? e.message}`);
  }
  return {
    host: options.host,
    port: options.port,
    user,
    password,
    database,
    url: `postgres://${user}:${encodeURIComponent(password)}@${options.host}:${options.port}/${database}`,
    async stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } catch {
        // already down
      }
      // A cluster is ~40 MB: a day of test runs must not fill /tmp.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function systemUser(): { name: string; uid: number; gid: number } {
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name]).toString().trim());
      const gid = Number(execFileSync("id", ["-g", name]).toString().trim());
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { name, uid, gid };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error("running as root and no postgres or nobody user to run PostgreSQL as");
}

export interface FleetHandle extends RunningProcess {
  url: string;
  token: string;
}

/** Starts `bms-fleet` (apps/fleet) against a broker and a PostgreSQL server. */
export async function startFleetService(options: {
  mqttUrl: string;
  pgUrl: string;
  hostId: string;
  httpHost?: string;
  env?: Record<string, string>;
  extraArgs?: string[];
}): Promise<FleetHandle> {
  const token = "fleet-test-token-0123456789abcdef";
  const [cmd, argv] = tsxArgs("apps/fleet/src/cli.ts", [
    "--http-host",
    options.httpHost ?? "127.0.0.1",
    "--http-port",
    "0",
    "--data-dir",
    tempDir("fleet"),
    "--mqtt-url",
    options.mqttUrl,
    "--host-id",
    options.hostId,
    "--log-level",
    "warn",
    ...(options.extraArgs ?? []),
  ]);
  const proc = await startProcess(cmd, argv, {
    name: "fleet",
    cwd: join(REPO_ROOT, "apps/fleet"),
    // The PostgreSQL URL holds a password: it goes in the environment, never on the command line.
    env: { BMS_FLEET_TOKEN: token, BMS_FLEET_PG_URL: options.pgUrl, ...options.env },
    ready: /bms-fleet listening (https?:\/\/\S+)/,
  });
  const url = proc.output().match(/bms-fleet listening (https?:\/\/\S+)/)?.[1] ?? "";
  return Object.assign(proc, { url, token });
}
