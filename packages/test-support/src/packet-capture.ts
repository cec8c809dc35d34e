// vitest globalSetup for the integration tier: captures every BACnet/IP datagram the whole run puts on
// loopback (ports 47808-47899) and, at the end, asks Wireshark's dissector whether any packet is
// malformed or carries error-level expert info. One library on both ends hides symmetric encoding
// bugs; an independent dissector does not.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TSHARK = ["/usr/bin/tshark", "/usr/local/bin/tshark"].find((p) => existsSync(p));
const FIRST_PORT = 47808;
const LAST_PORT = 47899;
const DECODE_AS = Array.from({ length: LAST_PORT - FIRST_PORT }, (_, i) => [
  "-d",
  `udp.port==${FIRST_PORT + 1 + i},bvlc`,
]).flat();

/**
 * Packets our programs sent: simulators, supervisors and probes all bind ports in the range. The fuzz
 * tests send garbage on purpose from ephemeral ports; the answers to that garbage are still checked.
 */
const OURS = `udp.srcport >= ${FIRST_PORT} && udp.srcport <= ${LAST_PORT}`;

let capture: ChildProcess | undefined;
let pcap = "";

export async function setup(): Promise<void> {
  if (!TSHARK) {
    console.warn(
      "[packet-capture] tshark is not installed: the run is not checked at packet level (pnpm test:deps)",
    );
    return;
  }
  pcap = join(mkdtempSync(join(tmpdir(), "bms-pcap-")), "integration.pcap");
  let stderr = "";
  capture = spawn(TSHARK, ["-i", "lo", "-f", `udp portrange ${FIRST_PORT}-${LAST_PORT}`, "-w", pcap, "-q"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${stderr}`)), 20_000);
    capture?.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("Capturing on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    capture?.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tshark exited (${code}): ${stderr}`));
    });
  });
}

export async function teardown(): Promise<void> {
  if (!capture || !TSHARK) return;
  // Let the last datagrams land, then stop the capture cleanly so the file is complete.
  await new Promise((r) => setTimeout(r, 500));
  const exited = new Promise((resolve) => capture?.once("exit", resolve));
  capture.kill("SIGINT");
  await exited;
  const count = spawnSync(
    TSHARK,
    ["-r", pcap, ...DECODE_AS, "-Y", "bvlc", "-T", "fields", "-e", "frame.number"],
    {
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
    },
  );
  const packets = count.stdout.split("\n").filter(Boolean).length;
  const bad = spawnSync(
    TSHARK,
    ["-r", pcap, ...DECODE_AS, "-Y", `${OURS} && (_ws.malformed || _ws.expert.severity==error)`],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (bad.status !== 0) throw new Error(`tshark could not read the capture: ${bad.stderr}`);
  const lines = bad.stdout.split("\n").filter(Boolean);
  console.log(
    `[packet-capture] ${packets} BACnet/IP packets checked by tshark, ${lines.length} flagged (${pcap})`,
  );
  if (lines.length > 0) {
    // vitest prints an error thrown here but still exits 0; the exit code must say the run failed.
    process.exitCode = 1;
    throw new Error(
      `tshark flagged ${lines.length} packets as malformed or erroneous:\n${lines.slice(0, 30).join("\n")}`,
    );
  }
}
