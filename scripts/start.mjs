// `pnpm start`: the whole product on one machine - the BACnet simulator with the demo building, the
// supervisor commanding it, and the Designer with a demo project - with one banner saying where.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = process.env.BMS_DATA_DIR ?? join(root, "data");
const token = process.env.BMS_SUPERVISOR_TOKEN ?? "demo-admin-token-change-me";
const site = process.env.BMS_DEMO_SITE ?? "demo";
// Ports and addresses, each movable for a machine where the default is taken (docs/user-guide.md,
// "Another port or data directory"). One variable per thing; the defaults are the ones the docs quote.
const ports = {
  designer: process.env.BMS_DESIGNER_PORT ?? "3000",
  supervisor: process.env.BMS_SUPERVISOR_PORT ?? "8080",
  simulatorWeb: process.env.BMS_SIM_WEB_PORT ?? "8090",
  // The simulator's devices (from BMS_SIM_BIND up, one address each) and the UDP port they all share.
  simBind: process.env.BMS_SIM_BIND ?? "127.0.0.2",
  simPort: process.env.BMS_SIM_PORT ?? "47808",
  // The supervisor's own BACnet/IP socket: another address or port than the devices'.
  bacnetBind: process.env.BMS_SUPERVISOR_BACNET_BIND ?? "127.0.0.1",
  bacnetPort: process.env.BMS_SUPERVISOR_BACNET_PORT ?? "47809",
};
for (const [name, value] of Object.entries(ports)) {
  const bad = name.endsWith("Bind")
    ? !/^127(\.\d{1,3}){3}$/.test(value)
    : !/^\d{1,5}$/.test(value) || Number(value) > 65535;
  if (bad) {
    console.error(
      `[start] ${name}: ${JSON.stringify(value)} is not ${name.endsWith("Bind") ? "a loopback IPv4 address (127.x.y.z)" : "a port (0-65535)"}`,
    );
    process.exit(2);
  }
}
mkdirSync(dataDir, { recursive: true });

const designerDir = join(root, "apps/designer");
if (!existsSync(join(designerDir, ".next/BUILD_ID")) || process.argv.includes("--rebuild")) {
  console.log("[start] building the Designer (first start only; `pnpm start --rebuild` forces it)...");
  const built = spawnSync("pnpm", ["--filter", "@bms/designer", "build"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const tsx = (entry, args) => [process.execPath, ["--import", "tsx", join(root, entry), ...args]];
const programs = [
  {
    name: "simulator",
    cwd: join(root, "apps/simulator"),
    command: tsx("apps/simulator/src/cli.ts", [
      "--site",
      site,
      "--bind",
      ports.simBind,
      "--port",
      ports.simPort,
      "--web-port",
      ports.simulatorWeb,
    ]),
    ready: /bms-sim ready/,
  },
  {
    name: "supervisor",
    cwd: join(root, "apps/supervisor"),
    command: tsx("apps/supervisor/src/cli.ts", [
      "all",
      "--http-port",
      ports.supervisor,
      "--data-dir",
      dataDir,
      "--bacnet-bind",
      ports.bacnetBind,
      "--bacnet-port",
      ports.bacnetPort,
      "--broadcast",
      `127.255.255.255:${ports.simPort}`,
      // Loopback only (the default --http-host 127.0.0.1): the demo token below is published, so the
      // supervisor refuses it on any other address. Reads are open to this machine for the demo.
      "--http-host",
      "127.0.0.1",
      "--public-read",
      // The quick start runs something: the demo building's site (AHU, VAVs, plants, lighting, built
      // from the starter subflows) is deployed when runtime.db has never held a config; any later start
      // keeps whatever was deployed since.
      "--first-start-demo",
      // The demo building's controllers report their alarms to this supervisor. On a real site this is a
      // choice (it writes the supervisor into the devices' recipient lists), so it is off by default.
      "--device-alarms",
      "auto",
    ]),
    env: { BMS_SUPERVISOR_TOKEN: token },
    ready: /bms-supervisor listening/,
  },
  {
    name: "designer",
    cwd: designerDir,
    // server.ts: Next behind the browser guard, bound to 127.0.0.1 (the Designer's own default).
    command: tsx("apps/designer/server.ts", ["--port", ports.designer, "--http-host", "127.0.0.1"]),
    env: {
      BMS_DATA_DIR: dataDir,
      BMS_SUPERVISOR_URL: `http://127.0.0.1:${ports.supervisor}`,
      BMS_SUPERVISOR_TOKEN: token,
    },
    ready: /bms-designer listening/,
  },
];

const children = new Map();
let stopping = false;

/** SIGTERM, then up to `graceMs` for a clean exit, then SIGKILL. */
function stopChild(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

// The supervisor first, while the simulated building still answers: its clean stop takes it off the
// controllers' alarm recipient lists (--device-alarms auto). Stopped together, the supervisor spent a
// minute retrying dead devices after this script had exited, holding its BACnet port against the next
// `pnpm start`. Nothing is left running when this script exits.
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const name of ["supervisor", "designer", "simulator"]) {
    const child = children.get(name);
    if (child) await stopChild(child, 30_000);
  }
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));
process.on("SIGHUP", () => stopAll(0));
// The programs run in their own process group and session: a closed terminal's signals never reach
// them, only this script can stop them. So a log line this script cannot write (EPIPE from a closed
// pipe such as `| tee`, EIO from a closed terminal) must not end it mid-stop, and however it ends
// anyway, the programs still running are told to stop.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
process.on("exit", () => {
  for (const child of children.values())
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
});

function start(program) {
  return new Promise((resolve) => {
    // A stop begun while an earlier program was starting (Ctrl-C during start-up) starts nothing more:
    // stopAll has already passed this program by, and it would outlive the script.
    if (stopping) return;
    const [cmd, args] = program.command;
    const child = spawn(cmd, args, {
      cwd: program.cwd,
      env: { ...process.env, ...program.env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: a Ctrl-C in the terminal reaches this script alone, which stops the
      // programs in order (stopAll) instead of all at once.
      detached: true,
    });
    children.set(program.name, child);
    let ready = false;
    const onLine = (chunk) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        console.log(`[${program.name}] ${line}`);
        if (!ready && program.ready.test(line)) {
          ready = true;
          resolve();
        }
      }
    };
    child.stdout.on("data", onLine);
    child.stderr.on("data", onLine);
    child.on("exit", (code) => {
      console.log(`[${program.name}] exited with code ${code}`);
      stopAll(code ?? 1);
    });
  });
}

for (const program of programs) await start(program);
console.log(`
  BMS Supervisor Controller is running
  Designer           http://localhost:${ports.designer}   (loopback only; the first visit creates the admin account,
                                              or: pnpm designer user add <name> --role admin)
  Supervisor         http://localhost:${ports.supervisor}   (dashboard, API at /api, docs at /docs; on the first start
                                              it runs the demo site: AHU-1, VAV boxes, CHW/HW plants, lighting)
  Simulator          http://localhost:${ports.simulatorWeb}   (BACnet/IP devices from ${ports.simBind}:${ports.simPort})
  Admin token        ${token}   (demo credentials: sign in to the dashboard with it)
  Data               ${dataDir}
  The supervisor listens on loopback only (127.0.0.1), with demo credentials: its dashboard and API
  reads are open to this machine (--public-read); changes need the token. For a site: docs/security.md.
  Ctrl-C stops everything.
`);
