// The supervisor's launcher: what systemd runs (bin/bms-supervisor-launcher). It runs the current release
// and is the part of an over-the-air update that survives a bad one:
// - the supervisor unpacks a verified bundle under <data-dir>/releases/, records it as `current` (the old
//   one as `previous`, marked `pending`) in <data-dir>/releases/state.json and exits with code 75;
// - the launcher starts the new current and polls GET /api/health on loopback; if the new version does not
//   answer healthy within the window (BMS_UPDATE_HEALTH_WINDOW_MS, default 60 s), or exits first, the
//   launcher stops it and runs `previous` again. Only a healthy start clears `pending`.
// - before a release on probation first starts, the launcher copies runtime.db aside: a new release may
//   migrate the schema, and the old one cannot read a newer schema. A rollback puts the copy back, so
//   the old release finds its own database (what the new one recorded on probation is given up).
// Plain JavaScript with no dependencies, so it never depends on the release it may have to roll back.
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { get } from "node:http";
import { get as getTls } from "node:https";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MALLOC_ARENA_MAX, DEFAULT_NODE_FLAGS } from "./node-flags.mjs";

export const RESTART_FOR_UPDATE = 75;
const own = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
};
const dataDir = resolve(flag("--data-dir") ?? process.env.BMS_DATA_DIR ?? "./data");
const releasesDir = join(dataDir, "releases");
const stateFile = join(releasesDir, "state.json");
const httpPort = Number(flag("--http-port") ?? process.env.BMS_HTTP_PORT ?? 8080);
const bindHost = flag("--http-host") ?? process.env.BMS_HTTP_HOST ?? "127.0.0.1";
// A supervisor bound to every interface still answers on loopback.
const healthHost = bindHost === "0.0.0.0" ? "127.0.0.1" : bindHost === "::" ? "::1" : bindHost;
const windowMs = Number(process.env.BMS_UPDATE_HEALTH_WINDOW_MS ?? 60_000);
// Under TLS the supervisor answers https only: the probe speaks https and trusts exactly the certificate
// the supervisor serves (the --tls-cert file, or the one --tls self-signed keeps in the data dir). It is
// pinned by fingerprint rather than checked by name, since the probe calls a loopback address the
// certificate need not name.
const tlsMode = flag("--tls") ?? process.env.BMS_TLS;
const tlsCertFile =
  flag("--tls-cert") ??
  process.env.BMS_TLS_CERT ??
  (tlsMode === "self-signed" ? join(dataDir, "tls", "cert.pem") : undefined);
// V8 flags for the supervisor, as bin/bms-supervisor passes them (node-flags.mjs says why these).
const nodeFlags = (process.env.BMS_NODE_FLAGS ?? DEFAULT_NODE_FLAGS).split(/\s+/).filter(Boolean);
const log = (message) => console.log(`bms-launcher: ${message}`);

function readState() {
  if (!existsSync(stateFile)) return { current: own, previous: null, pending: false };
  const state = JSON.parse(readFileSync(stateFile, "utf8"));
  // A release that has gone missing (deleted by hand) is no reason to stay down.
  if (!existsSync(join(state.current, "lib", "app", "supervisor.mjs")))
    return { current: own, previous: null, pending: false };
  return state;
}
function writeState(state) {
  mkdirSync(releasesDir, { recursive: true });
  writeFileSync(`${stateFile}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${stateFile}.tmp`, stateFile);
}
// The database with its WAL: copied while no supervisor runs, so the three files are consistent.
const DB_FILES = ["runtime.db", "runtime.db-wal", "runtime.db-shm"];
const snapshotDir = join(releasesDir, "db-before-update");
function snapshotDatabase() {
  rmSync(snapshotDir, { recursive: true, force: true });
  mkdirSync(snapshotDir, { recursive: true, mode: 0o700 });
  for (const file of DB_FILES) {
    if (existsSync(join(dataDir, file))) copyFileSync(join(dataDir, file), join(snapshotDir, file));
  }
}
function restoreDatabase() {
  if (!existsSync(join(snapshotDir, "runtime.db"))) return false;
  for (const file of DB_FILES) rmSync(join(dataDir, file), { force: true });
  for (const file of DB_FILES) {
    if (existsSync(join(snapshotDir, file))) copyFileSync(join(snapshotDir, file), join(dataDir, file));
  }
  rmSync(snapshotDir, { recursive: true, force: true });
  return true;
}
const versionOf = (dir) => JSON.parse(readFileSync(join(dir, "lib", "package.json"), "utf8")).version;

/** The pinned fingerprint, read at each probe: a self-signed certificate appears on the first start. */
function expectedFingerprint() {
  try {
    return new X509Certificate(readFileSync(tlsCertFile)).fingerprint256;
  } catch {
    return null;
  }
}

function healthy(expectVersion) {
  const pin = tlsCertFile ? expectedFingerprint() : null;
  if (tlsCertFile && !pin) return Promise.resolve(false);
  return new Promise((done) => {
    const options = {
      host: healthHost,
      port: httpPort,
      path: "/api/health",
      timeout: 2000,
      // A loopback name is always an allowed host, whatever address the supervisor binds.
      headers: { host: "localhost" },
    };
    const onAnswer = (res) => {
      // The pin, checked before the answer counts: another process on this port cannot vouch for a release.
      if (pin && res.socket.getPeerCertificate().fingerprint256 !== pin) {
        res.destroy();
        done(false);
        return;
      }
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => {
        try {
          const body = JSON.parse(text);
          done(res.statusCode === 200 && body.status === "ok" && body.version === expectVersion);
        } catch {
          done(false);
        }
      });
    };
    const req = pin
      ? getTls({ ...options, rejectUnauthorized: false, agent: false }, onAnswer)
      : get(options, onAnswer);
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(false));
  });
}

let child = null;
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    stopping = true;
    if (child) child.kill(signal);
    else process.exit(0);
  });
}

async function runOnce() {
  const state = readState();
  const version = versionOf(state.current);
  log(`starting ${version} from ${state.current}${state.pending ? " (new: on probation)" : ""}`);
  // Once per update: a launcher restarted during probation keeps the copy taken before the first start.
  if (state.pending && state.snapshot_for !== state.current) {
    snapshotDatabase();
    state.snapshot_for = state.current;
    writeState(state);
  }
  child = spawn(
    process.execPath,
    [...nodeFlags, join(state.current, "lib", "app", "supervisor.mjs"), ...args],
    {
      stdio: "inherit",
      env: {
        MALLOC_ARENA_MAX: DEFAULT_MALLOC_ARENA_MAX,
        ...process.env,
        BMS_RELEASE_DIR: state.current,
        BMS_RELEASES_DIR: releasesDir,
      },
    },
  );
  const exited = new Promise((done) =>
    child.once("exit", (code, signal) => done(code ?? (signal ? 128 : 1))),
  );
  if (state.pending) {
    const deadline = Date.now() + windowMs;
    let ok = false;
    let gone = false;
    exited.then(() => {
      gone = true;
    });
    while (!ok && !gone && Date.now() < deadline) {
      ok = await healthy(version);
      if (!ok) await new Promise((r) => setTimeout(r, 500));
    }
    if (ok) {
      const { snapshot_for: _taken, ...kept } = state;
      writeState({ ...kept, pending: false });
      rmSync(snapshotDir, { recursive: true, force: true });
      log(`${version} is healthy; the update stays`);
    } else if (!stopping) {
      log(`${version} did not become healthy within ${windowMs} ms: rolling back to ${state.previous}`);
      if (!gone) child.kill("SIGTERM");
      await exited;
      if (restoreDatabase()) log(`runtime.db restored as it was before ${version} started`);
      writeState({
        current: state.previous ?? own,
        previous: null,
        pending: false,
        rolled_back_from: version,
      });
      return "again";
    }
  }
  const code = await exited;
  child = null;
  if (stopping) return code;
  if (code === RESTART_FOR_UPDATE) return "again";
  return code;
}

for (;;) {
  const outcome = await runOnce();
  if (outcome !== "again") process.exit(typeof outcome === "number" ? outcome : 1);
}
