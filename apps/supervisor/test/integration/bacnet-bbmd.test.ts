import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type RunningProcess, startProcess, tempDir, tsxArgs } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Discovery across two subnets through a BBMD, on real network stacks: two network namespaces
 * (bmsnet-sup with 10.43.1.0/24, bmsnet-dev with 10.43.2.0/24) joined by a veth pair, created here and
 * always removed. The supervisor's broadcast never reaches the other subnet, so discovery finds nothing
 * without the BBMD; registered as a foreign device it finds the device. The traffic is on the veth, not
 * on lo, so this file runs its own tshark capture there and asserts nothing is malformed. Needs root
 * (ip netns); skipped otherwise.
 */
const SUP_NS = "bmsnet-sup";
const DEV_NS = "bmsnet-dev";
const SUP_IP = "10.43.1.2";
const BBMD_IP = "10.43.2.1";
const DEVICE_IP = "10.43.2.10";
const PORT = 47808;
const TOKEN = "bbmd-test-token-0123456789abcdef";
const TSHARK = ["/usr/bin/tshark", "/usr/local/bin/tshark"].find((p) => existsSync(p));

const canNetns = process.getuid?.() === 0 && spawnSync("ip", ["netns", "list"]).status === 0;

function ip(...args: string[]): void {
  const run = spawnSync("ip", args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`ip ${args.join(" ")}: ${run.stderr}`);
}

function removeNamespaces(): void {
  for (const ns of [SUP_NS, DEV_NS]) spawnSync("ip", ["netns", "delete", ns]);
}

/** GET inside a namespace (its loopback is not ours). */
function getIn<T>(ns: string, url: string): T {
  const run = spawnSync(
    "ip",
    ["netns", "exec", ns, "curl", "-s", "-H", `authorization: Bearer ${TOKEN}`, url],
    {
      encoding: "utf8",
    },
  );
  return JSON.parse(run.stdout) as T;
}

function postIn<T>(ns: string, url: string, body: unknown): T {
  const run = spawnSync(
    "ip",
    [
      "netns",
      "exec",
      ns,
      "curl",
      "-s",
      "-X",
      "POST",
      "-H",
      "content-type: application/json",
      "-H",
      `authorization: Bearer ${TOKEN}`,
      "-d",
      JSON.stringify(body),
      url,
    ],
    { encoding: "utf8" },
  );
  return JSON.parse(run.stdout) as T;
}

async function inNamespace(ns: string, entry: string, args: string[], ready: RegExp, name: string) {
  const [cmd, argv] = tsxArgs(entry, args);
  return startProcess("ip", ["netns", "exec", ns, cmd, ...argv], {
    name,
    ready,
    env: { BMS_SUPERVISOR_TOKEN: TOKEN },
    readyTimeoutMs: 40_000,
  });
}

async function startSupervisorIn(extra: string[]): Promise<{ proc: RunningProcess; url: string }> {
  const proc = await inNamespace(
    SUP_NS,
    "apps/supervisor/src/cli.ts",
    [
      "all",
      "--http-port",
      "0",
      "--http-host",
      "127.0.0.1",
      "--data-dir",
      tempDir("bbmd-sup"),
      "--bacnet-bind",
      SUP_IP,
      "--bacnet-port",
      String(PORT),
      "--broadcast",
      `10.43.1.255:${PORT}`,
      "--log-level",
      "warn",
      ...extra,
    ],
    /bms-supervisor listening (https?:\/\/\S+)/,
    "supervisor",
  );
  const url = proc.output().match(/bms-supervisor listening (https?:\/\/\S+)/)?.[1] ?? "";
  return { proc, url };
}

interface Devices {
  devices: Array<{ device_id: number; address: string }>;
}

describe.skipIf(!canNetns)("discovery across subnets through a BBMD", () => {
  let sim: RunningProcess | undefined;
  let simWeb = "";
  let capture: ChildProcess | undefined;
  const pcap = join(tempDir("bbmd-pcap"), "veth.pcap");

  beforeAll(async () => {
    removeNamespaces();
    ip("netns", "add", SUP_NS);
    ip("netns", "add", DEV_NS);
    ip("link", "add", "bmsveth-sup", "type", "veth", "peer", "name", "bmsveth-dev");
    ip("link", "set", "bmsveth-sup", "netns", SUP_NS);
    ip("link", "set", "bmsveth-dev", "netns", DEV_NS);
    ip("-n", SUP_NS, "addr", "add", `${SUP_IP}/24`, "brd", "10.43.1.255", "dev", "bmsveth-sup");
    ip("-n", DEV_NS, "addr", "add", `${BBMD_IP}/24`, "brd", "10.43.2.255", "dev", "bmsveth-dev");
    ip("-n", DEV_NS, "addr", "add", `${DEVICE_IP}/24`, "dev", "bmsveth-dev");
    for (const [ns, dev] of [
      [SUP_NS, "bmsveth-sup"],
      [DEV_NS, "bmsveth-dev"],
    ] as const) {
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "link", "set", dev, "up");
    }
    // The two subnets reach each other by unicast over the link; broadcasts stay on their own subnet.
    ip("-n", SUP_NS, "route", "add", "10.43.2.0/24", "dev", "bmsveth-sup");
    ip("-n", DEV_NS, "route", "add", "10.43.1.0/24", "dev", "bmsveth-dev");
    if (TSHARK) {
      capture = spawn(
        "ip",
        ["netns", "exec", DEV_NS, TSHARK, "-i", "bmsveth-dev", "-f", "udp", "-w", pcap, "-q"],
        {
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      await new Promise<void>((resolve, reject) => {
        let err = "";
        const timer = setTimeout(() => reject(new Error(`tshark did not start: ${err}`)), 20_000);
        capture?.stderr?.on("data", (c: Buffer) => {
          err += c.toString();
          if (err.includes("Capturing on")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    }
    sim = await inNamespace(
      DEV_NS,
      "apps/simulator/src/cli.ts",
      [
        "--site",
        "skeleton",
        "--bind",
        DEVICE_IP,
        "--port",
        String(PORT),
        "--broadcast",
        "10.43.2.255",
        "--web-port",
        "0",
        "--bbmd",
        "--bbmd-address",
        BBMD_IP,
      ],
      /bms-sim ready \d+ devices/,
      "simulator",
    );
    simWeb = sim.output().match(/bms-sim web (http:\/\/\S+)/)?.[1] ?? "";
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
    if (capture) {
      const exited = new Promise((r) => capture?.once("exit", r));
      capture.kill("SIGINT");
      await exited;
    }
    removeNamespaces();
  });

  it("finds nothing without the BBMD: the broadcast stays on the supervisor's subnet", async () => {
    const sup = await startSupervisorIn([]);
    try {
      const found = postIn<Devices>(SUP_NS, `${sup.url}/api/devices/discover?wait=true`, {
        timeout_ms: 2000,
      });
      expect(found.devices).toHaveLength(0);
    } finally {
      await sup.proc.stop();
    }
  }, 60_000);

  it("registers as a foreign device and finds the device through Distribute-Broadcast-To-Network", async () => {
    const sup = await startSupervisorIn(["--bbmd", `${BBMD_IP}:${PORT}`, "--bbmd-ttl", "30"]);
    try {
      const found = postIn<Devices>(SUP_NS, `${sup.url}/api/devices/discover?wait=true`, {
        timeout_ms: 2000,
      });
      expect(found.devices.map((d) => d.device_id)).toEqual([1001]);
      expect(found.devices[0]?.address).toBe(`${DEVICE_IP}:${PORT}`);
      const view = getIn<{ foreign_device: { state: string; bbmd: string; registrations: number } }>(
        SUP_NS,
        `${sup.url}/api/devices/network`,
      );
      expect(view.foreign_device).toMatchObject({ state: "registered", bbmd: `${BBMD_IP}:${PORT}` });
      const bbmd = getIn<{
        bbmd: { fdt: Array<{ address: string; ttl_s: number }>; stats: { distributed: number } };
      }>(DEV_NS, `${simWeb}/api/network`);
      expect(bbmd.bbmd.fdt).toEqual([expect.objectContaining({ address: `${SUP_IP}:${PORT}`, ttl_s: 30 })]);
      expect(bbmd.bbmd.stats.distributed).toBeGreaterThanOrEqual(1);
      // Reads go straight to the device by unicast once it is known.
      const read = postIn<{ values: Array<{ quality: string }> }>(SUP_NS, `${sup.url}/api/points/read`, {
        points: ["bacnet:1001/analogInput:1"],
      });
      expect(read.values[0]?.quality).toBe("good");
    } finally {
      await sup.proc.stop();
    }
  }, 60_000);

  it.skipIf(!TSHARK)("puts no malformed packet on the veth (BVLL forwarding included)", async () => {
    await new Promise((r) => setTimeout(r, 300));
    const bad = spawnSync(
      TSHARK ?? "tshark",
      ["-r", pcap, "-d", "udp.port==47808,bvlc", "-Y", "_ws.malformed || _ws.expert.severity==error"],
      { encoding: "utf8" },
    );
    const forwarded = spawnSync(
      TSHARK ?? "tshark",
      ["-r", pcap, "-Y", "bvlc.function == 0x04", "-T", "fields", "-e", "frame.number"],
      {
        encoding: "utf8",
      },
    );
    expect(bad.stdout.trim()).toBe("");
    expect(forwarded.stdout.trim().split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(1);
  });
});
