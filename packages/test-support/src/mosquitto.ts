import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningProcess, startProcess, tempDir } from "./processes";

/**
 * A real Debian `mosquitto` broker for the MQTT, Sparkplug and fleet tests and benches, on a loopback
 * address and port the caller names, with a throw-away config. One helper for every caller:
 *  - `users` puts password authentication on the main listener;
 *  - `tls` makes the main listener TLS-only (mqtts://);
 *  - `tlsListener` adds a second listener with TLS and passwords beside a plain anonymous one.
 * `stop()` then `start()` (or `restart()`) is a broker outage on the same port.
 */
export interface MosquittoOptions {
  host: string;
  port: number;
  /** user -> password on the main listener; anonymous clients are then refused. */
  users?: Record<string, string>;
  /** PEM certificate and key: the main listener speaks TLS only. */
  tls?: { cert: string; key: string };
  /** A second listener with TLS and password authentication. */
  tlsListener?: { port: number; certPem: string; keyPem: string; users: Record<string, string> };
}

export interface Mosquitto {
  host: string;
  port: number;
  url: string;
  tlsUrl?: string;
  dir: string;
  process(): RunningProcess;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Everything the broker printed, across restarts. */
  output(): string;
}

/** @deprecated name kept for the fleet tests: the same handle. */
export type MosquittoHandle = Mosquitto;

function passwordFile(dir: string, name: string, users: Record<string, string>): string {
  const file = join(dir, name);
  writeFileSync(file, "", { mode: 0o600 });
  for (const [user, password] of Object.entries(users))
    execFileSync("mosquitto_passwd", ["-b", file, user, password], { stdio: "ignore" });
  return file;
}

function mosquittoBinary(): string {
  for (const path of ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]) if (existsSync(path)) return path;
  return "mosquitto";
}

export async function startMosquitto(options: MosquittoOptions): Promise<Mosquitto> {
  const dir = tempDir("mosquitto");
  const lines = [
    "per_listener_settings true",
    "persistence false",
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
    // Information level carries the ready line; it logs connections, not messages.
    "log_type information",
    // The default of 1,000 queued messages per client drops a historian's bursts.
    "max_queued_messages 100000",
    `listener ${options.port} ${options.host}`,
  ];
  // stderr: unbuffered, so the ready line arrives when printed (stdout to a pipe is block-buffered).
  // Started as root (CI containers), mosquitto drops to the `mosquitto` user, which cannot read our
  // 0600 temp files; staying the invoking user keeps the key and password files private.
  if (process.getuid?.() === 0) lines.unshift("user root");
  if (options.users)
    lines.push("allow_anonymous false", `password_file ${passwordFile(dir, "passwd", options.users)}`);
  else lines.push("allow_anonymous true");
  if (options.tls) {
    writeFileSync(join(dir, "main-cert.pem"), options.tls.cert);
    writeFileSync(join(dir, "main-key.pem"), options.tls.key, { mode: 0o600 });
    lines.push(`certfile ${join(dir, "main-cert.pem")}`, `keyfile ${join(dir, "main-key.pem")}`);
  }
  if (options.tlsListener) {
    writeFileSync(join(dir, "cert.pem"), options.tlsListener.certPem);
    writeFileSync(join(dir, "key.pem"), options.tlsListener.keyPem, { mode: 0o600 });
    lines.push(
      `listener ${options.tlsListener.port} ${options.host}`,
      `certfile ${join(dir, "cert.pem")}`,
      `keyfile ${join(dir, "key.pem")}`,
      "allow_anonymous false",
      `password_file ${passwordFile(dir, "passwords", options.tlsListener.users)}`,
    );
  }
  const config = join(dir, "mosquitto.conf");
  writeFileSync(config, `${lines.join("\n")}\n`);
  const launch = () =>
    startProcess(mosquittoBinary(), ["-c", config], {
      name: "mosquitto",
      ready: /mosquitto version \S+ running/,
      readyTimeoutMs: 15_000,
    });
  let broker: RunningProcess | undefined = await launch();
  let earlier = "";
  const result: Mosquitto = {
    host: options.host,
    port: options.port,
    url: `${options.tls ? "mqtts" : "mqtt"}://${options.host}:${options.port}`,
    dir,
    process: () => {
      if (!broker) throw new Error("mosquitto is stopped");
      return broker;
    },
    async start() {
      if (!broker) broker = await launch();
    },
    async stop() {
      if (!broker) return;
      earlier += broker.output();
      await broker.stop();
      broker = undefined;
    },
    async restart() {
      await result.stop();
      await result.start();
    },
    output: () => earlier + (broker?.output() ?? ""),
  };
  if (options.tlsListener) result.tlsUrl = `mqtts://${options.host}:${options.tlsListener.port}`;
  return result;
}
