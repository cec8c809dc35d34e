import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningProcess, startProcess, tempDir } from "./processes";

/**
 * A real Debian `mosquitto` broker for the MQTT tests, on a loopback address and port the test names,
 * with a throw-away config: anonymous plain listener, and optionally a TLS listener that requires a
 * user and password. `restart()` stops and starts the same broker (the reconnect tests).
 * (Merged beside services.ts's `startMosquitto`, which the fleet tests use: one of the two should go.)
 */
export interface MosquittoOptions {
  host: string;
  port: number;
  /** A second listener with TLS and password authentication. */
  tls?: { port: number; certPem: string; keyPem: string; users: Record<string, string> };
}

export interface Mosquitto {
  url: string;
  tlsUrl?: string;
  dir: string;
  process(): RunningProcess;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMqttBroker(options: MosquittoOptions): Promise<Mosquitto> {
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
    "max_queued_messages 100000",
    `listener ${options.port} ${options.host}`,
    "allow_anonymous true",
  ];
  // stderr: unbuffered, so the ready line arrives when printed (stdout to a pipe is block-buffered).
  // Started as root (CI containers), mosquitto drops to the `mosquitto` user, which cannot read our
  // 0600 temp files; staying the invoking user keeps the key and password files private.
  if (process.getuid?.() === 0) lines.unshift("user root");
  if (options.tls) {
    writeFileSync(join(dir, "cert.pem"), options.tls.certPem);
    writeFileSync(join(dir, "key.pem"), options.tls.keyPem, { mode: 0o600 });
    const passwords = join(dir, "passwords");
    writeFileSync(passwords, "", { mode: 0o600 });
    for (const [user, password] of Object.entries(options.tls.users))
      execFileSync("mosquitto_passwd", ["-b", passwords, user, password]);
    lines.push(
      `listener ${options.tls.port} ${options.host}`,
      `certfile ${join(dir, "cert.pem")}`,
      `keyfile ${join(dir, "key.pem")}`,
      "allow_anonymous false",
      `password_file ${passwords}`,
    );
  }
  const config = join(dir, "mosquitto.conf");
  writeFileSync(config, `${lines.join("\n")}\n`);
  const launch = () =>
    startProcess("mosquitto", ["-c", config], { name: "mosquitto", ready: /mosquitto version \S+ running/ });
  let broker = await launch();
  const result: Mosquitto = {
    url: `mqtt://${options.host}:${options.port}`,
    dir,
    process: () => broker,
    async restart() {
      await broker.stop();
      broker = await launch();
    },
    async stop() {
      await broker.stop();
    },
  };
  if (options.tls) result.tlsUrl = `mqtts://${options.host}:${options.tls.port}`;
  return result;
}
