import { watch } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_ROUTING, Simulator } from "./simulator";
import { SiteBuildError } from "./site/build-site";
import { largeDevice, parseRoutedSpec, type RoutedSpec, routedDevices } from "./site/extra-devices";
import { loadSiteFile, resolveSiteSource, SiteLoadError } from "./site/load-site";
import { scaleSite } from "./site/scale-site";
import type { SiteSpec } from "./site/site-schema";
import { buildWebApp, listenWeb } from "./web/web-server";

function integer(min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer ${min}..${max}`);
    }
    return value;
  };
}

function positive(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError("expected a number > 0");
  return value;
}

function ipv4(raw: string): string {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(raw) || raw.split(".").some((p) => Number(p) > 255)) {
    throw new InvalidArgumentError("expected an IPv4 address such as 127.0.0.2");
  }
  return raw;
}

function routedSpec(raw: string): RoutedSpec {
  const spec = parseRoutedSpec(raw);
  if (!spec) {
    throw new InvalidArgumentError(
      "expected <networks>:<devices-per-network>, e.g. 2001,2002:25 (networks 1..65534, 1..127 devices)",
    );
  }
  return spec;
}

function latencyRange(raw: string): { minMs: number; maxMs: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(raw.trim());
  const minMs = Number(match?.[1]);
  const maxMs = Number(match?.[2] ?? match?.[1]);
  if (!match || minMs > maxMs || maxMs > 10_000) {
    throw new InvalidArgumentError("expected <ms> or <min>-<max> in ms, e.g. 30-150");
  }
  return { minMs, maxMs };
}

function endpoints(raw: string): Array<{ address: string; port: number }> {
  return raw
    .split(",")
    .filter(Boolean)
    .map((entry) => {
      const [host = "", portText = "47808"] = entry.trim().split(":");
      const port = Number(portText);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new InvalidArgumentError(`"${entry}": expected ip:port`);
      }
      return { address: ipv4(host), port };
    });
}

function multipleOf50(text: string): number {
  const n = integer(50, 1000)(text);
  if (n % 50 !== 0) throw new InvalidArgumentError(`${n} is not a multiple of 50`);
  return n;
}

interface CliOptions {
  site: string;
  devices?: number;
  pointsPerDevice: number;
  bind: string;
  port: number;
  webPort: number;
  webHost: string;
  broadcast: string;
  speed: number;
  watch: boolean;
  modbusPort?: number;
  modbusBind: string;
  routed?: RoutedSpec;
  trunkLatency: { minMs: number; maxMs: number };
  ipNetwork: number;
  bbmd: boolean;
  bbmdAddress?: string;
  bdt: Array<{ address: string; port: number }>;
  segmentation: boolean;
  dropSegment?: number;
  objects?: number;
}

const program = new Command()
  .name("bms-sim")
  .description(
    "BACnet/IP simulator: virtual controllers with physics, COV and fault injection.\n\n" +
      "Each device owns a UDP socket on its own address (--bind, then the next ones), all on --port; " +
      "one shared socket on <broadcast>:<port> hands every Who-Is to all devices. Clients bind " +
      "another port (e.g. 127.0.0.1:47809) and broadcast to <broadcast>:<port>; replies go to " +
      "the requester's own address and port. Prints 'bms-sim ready <n> devices' when serving.",
  )
  .option(
    "--site <name|file.json>",
    "built-in site (skeleton, demo) or a site JSON file, reloaded on change",
    "demo",
  )
  .option(
    "--devices <n>",
    "scale mode: n generated devices of 50 points each (replaces --site)",
    integer(1, 5000),
  )
  .option(
    "--points-per-device <n>",
    "scale mode: points per generated device, a multiple of 50 (250: the 50,000-point scale bench)",
    multipleOf50,
    50,
  )
  .option(
    "--bind <ip>",
    "address of the first device; the next devices take the following addresses",
    ipv4,
    "127.0.0.2",
  )
  .option(
    "--port <udp>",
    "BACnet/IP UDP port of every device and of the broadcast listener",
    integer(1, 65535),
    47808,
  )
  .option("--web-port <tcp>", "web UI and REST API port; 0 picks a free port", integer(0, 65535), 8090)
  .option("--web-host <ip>", "address the web UI listens on", "127.0.0.1")
  .option("--broadcast <ip>", "broadcast address clients send Who-Is to", ipv4, "127.255.255.255")
  .option(
    "--speed <factor>",
    "time acceleration of the physics (1 = real time, 60 = a minute per second)",
    positive,
    1,
  )
  .option("--no-watch", "do not reload the site file when it changes")
  .option(
    "--modbus-port <tcp>",
    "serve the site's Modbus units (meter, VFDs) over Modbus TCP on this port; 0 picks a free port",
    integer(0, 65535),
  )
  .option("--modbus-bind <ip>", "address the Modbus TCP face listens on", ipv4, "127.0.0.1")
  .option(
    "--routed <networks:count>",
    "add controllers behind a BACnet/IP-to-MS/TP router, e.g. 2001,2002:25 (25 on each network)",
    routedSpec,
  )
  .option(
    "--trunk-latency <ms|min-max>",
    "request latency of the MS/TP devices behind the router, spread over the range",
    latencyRange,
    DEFAULT_ROUTING.latency,
  )
  .option(
    "--ip-network <n>",
    "network number of the B/IP side, used by the router as SNET",
    integer(1, 65534),
    DEFAULT_ROUTING.ipNetwork,
  )
  .option("--bbmd", "act as a BBMD (BDT and FDT) for this subnet")
  .option("--bbmd-address <ip>", "the BBMD's address (default: the address after the router's)", ipv4)
  .option("--bdt <ip:port,...>", "peer BBMDs on other subnets", endpoints, [])
  .option("--segmentation", "IP devices send segmented Complex-ACKs to clients that accept them")
  .option(
    "--drop-segment <n>",
    "withhold the first transmission of segment n of every segmented reply (recovery tests)",
    integer(1, 255),
  )
  .option(
    "--objects <n>",
    "add a controller with n analog values (5000: a segmented Object_List)",
    integer(1, 100_000),
  )
  .showHelpAfterError();

function loadSpec(options: CliOptions): { spec: SiteSpec; file?: string } {
  const loaded = loadBaseSpec(options);
  return { ...loaded, spec: withExtras(loaded.spec, options) };
}

/** Extra devices follow the site's own, so the site's devices keep their addresses. */
function withExtras(spec: SiteSpec, options: CliOptions): SiteSpec {
  const devices = [...spec.devices];
  if (options.routed) devices.push(...routedDevices(options.routed));
  if (options.objects !== undefined) devices.push(largeDevice(options.objects));
  return { ...spec, devices };
}

function loadBaseSpec(options: CliOptions): { spec: SiteSpec; file?: string } {
  if (options.devices !== undefined) return { spec: scaleSite(options.devices, options.pointsPerDevice) };
  const source = resolveSiteSource(options.site, process.env.INIT_CWD ?? process.cwd());
  return { spec: loadSiteFile(source), file: source.builtIn ? undefined : source.file };
}

async function main(): Promise<void> {
  program.parse();
  const options = program.opts<CliOptions>();
  let loaded: { spec: SiteSpec; file?: string };
  try {
    loaded = loadSpec(options);
  } catch (err) {
    process.stderr.write(`bms-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }

  const sim = new Simulator(
    {
      bind: options.bind,
      port: options.port,
      broadcastAddress: options.broadcast,
      routing: { ipNetwork: options.ipNetwork, latency: options.trunkLatency },
      bbmd: options.bbmd ? { address: options.bbmdAddress, peers: options.bdt } : undefined,
      segmentation: options.segmentation,
      dropSegment: options.dropSegment,
    },
    options.speed,
  );
  try {
    await sim.start(loaded.spec);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `bms-sim: cannot bind the BACnet sockets (${reason}).\n` +
        "Each device needs its own address:port free; is another simulator using this --port and --bind range?\n",
    );
    process.exit(3);
  }

  const web = buildWebApp(sim);
  let webPort: number;
  try {
    webPort = await listenWeb(web, options.webHost, options.webPort);
  } catch (err) {
    process.stderr.write(`bms-sim: cannot listen on web port ${options.webPort}: ${String(err)}\n`);
    await sim.stop();
    process.exit(3);
  }

  if (options.modbusPort !== undefined) {
    try {
      const modbusPort = await sim.listenModbus(options.modbusBind, options.modbusPort);
      process.stdout.write(
        `bms-sim modbus ${options.modbusBind}:${modbusPort} units ${[...sim.modbusUnits.keys()].join(",") || "none"}\n`,
      );
    } catch (err) {
      process.stderr.write(`bms-sim: cannot listen on Modbus port ${options.modbusPort}: ${String(err)}\n`);
      await Promise.allSettled([web.close(), sim.stop()]);
      process.exit(3);
    }
  }

  process.stdout.write(`bms-sim web http://${options.webHost}:${webPort}\n`);
  const router = sim.router;
  if (router) {
    process.stdout.write(`bms-sim router ${router.view().address} networks ${router.networks.join(",")}\n`);
  }
  const bbmd = sim.bbmdView;
  if (bbmd) process.stdout.write(`bms-sim bbmd ${bbmd.address}\n`);
  process.stdout.write(`bms-sim ready ${sim.devices.length} devices\n`);

  if (loaded.file && options.watch) watchSite(loaded.file, sim, (spec) => withExtras(spec, options));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([web.close(), sim.stop()]);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/**
 * Reloads on change. Editors save in bursts (truncate, write, rename), so wait for the file to settle;
 * a broken edit keeps the running site and prints the errors with their paths.
 */
function watchSite(file: string, sim: Simulator, extend: (spec: SiteSpec) => SiteSpec): void {
  let timer: NodeJS.Timeout | undefined;
  let lastText = "";
  const reload = async () => {
    try {
      const spec = loadSiteFile({ label: file, file, builtIn: false });
      const text = JSON.stringify(spec);
      if (text === lastText) return;
      lastText = text;
      await sim.reload(extend(spec));
      process.stdout.write(`bms-sim reloaded ${sim.devices.length} devices\n`);
    } catch (err) {
      const message =
        err instanceof SiteLoadError
          ? err.message
          : err instanceof SiteBuildError
            ? `invalid site ${file}:\n  ${err.message}`
            : `reload failed: ${String(err)}`;
      process.stderr.write(`bms-sim: ${message}\nbms-sim: keeping the previous site running\n`);
    }
  };
  try {
    lastText = JSON.stringify(loadSiteFile({ label: file, file, builtIn: false }));
  } catch {
    // Already validated at start; a race with an editor is handled by the next change event.
  }
  // Watch the file itself; fs.watch follows the inode, so re-arm after editors replace the file.
  const arm = () => {
    try {
      const watcher = watch(file, () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          void reload();
          watcher.close();
          arm();
        }, 200);
      });
      watcher.on("error", () => setTimeout(arm, 500));
    } catch {
      setTimeout(arm, 500);
    }
  };
  arm();
}

void main();
