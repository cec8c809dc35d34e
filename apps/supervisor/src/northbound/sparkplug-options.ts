import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Role } from "@bms/schemas";
import { type BrokerConfig, idProblem, parseBrokerUrl, readPem } from "@bms/sparkplug";
import { type Command, Option } from "commander";
import { envNumber } from "../options";

/** Everything the Sparkplug northbound needs, resolved from flags and the environment. */
export interface SparkplugOptions {
  broker: BrokerConfig;
  group: string;
  /** The edge node id: the supervisor's name (`--name`, default the host name). */
  nodeId: string;
  site: string | undefined;
  hostId: string | undefined;
  commands: boolean;
  hostRole: Role;
  bufferMaxRows: number;
  healthIntervalMs: number;
  keepaliveSeconds: number;
  replayPointsPerSecond: number;
}

export interface SparkplugFlags {
  sparkplugUrl?: string;
  sparkplugGroup: string;
  name?: string;
  site?: string;
  sparkplugHostId?: string;
  sparkplugCommands?: boolean;
  sparkplugUsername?: string;
  sparkplugPasswordFile?: string;
  sparkplugCa?: string;
  sparkplugCert?: string;
  sparkplugKey?: string;
  sparkplugBuffer: string;
}

export function withSparkplugFlags(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--sparkplug-url <url>",
        "MQTT broker for the Sparkplug B northbound (mqtt:// or mqtts://)",
      ).env("BMS_SPARKPLUG_URL"),
    )
    .addOption(
      new Option("--sparkplug-group <id>", "Sparkplug group id").env("BMS_SPARKPLUG_GROUP").default("bms"),
    )
    .addOption(
      new Option(
        "--name <id>",
        "this supervisor's name: the Sparkplug edge node id (default: host name)",
      ).env("BMS_NAME"),
    )
    .addOption(
      new Option("--site <name>", "the site this supervisor serves, shown by the fleet service").env(
        "BMS_SITE",
      ),
    )
    .addOption(
      new Option(
        "--sparkplug-host-id <id>",
        "primary host application (the fleet service): data waits on disk while it is offline; the only source of commands",
      ).env("BMS_SPARKPLUG_HOST_ID"),
    )
    .addOption(
      new Option(
        "--sparkplug-commands",
        "accept NCMD/DCMD (point writes as operator, audited) from the primary host",
      ).env("BMS_SPARKPLUG_COMMANDS"),
    )
    .addOption(new Option("--sparkplug-username <name>", "broker user name").env("BMS_SPARKPLUG_USERNAME"))
    .addOption(
      new Option(
        "--sparkplug-password-file <file>",
        "file holding the broker password (or BMS_SPARKPLUG_PASSWORD); never a flag, so it stays out of process lists",
      ).env("BMS_SPARKPLUG_PASSWORD_FILE"),
    )
    .addOption(new Option("--sparkplug-ca <file>", "PEM CA of an mqtts:// broker").env("BMS_SPARKPLUG_CA"))
    .addOption(
      new Option("--sparkplug-cert <file>", "PEM client certificate (mutual TLS)").env("BMS_SPARKPLUG_CERT"),
    )
    .addOption(new Option("--sparkplug-key <file>", "PEM client key (mutual TLS)").env("BMS_SPARKPLUG_KEY"))
    .addOption(
      new Option(
        "--sparkplug-buffer <rows>",
        "store-and-forward bound in values; the oldest go first past it",
      )
        .env("BMS_SPARKPLUG_BUFFER")
        .default("1000000"),
    );
}

/** Resolves the flags; undefined when no broker is configured (the northbound is off). */
export function sparkplugOptions(flags: SparkplugFlags): SparkplugOptions | undefined {
  if (!flags.sparkplugUrl) return undefined;
  const url = parseBrokerUrl(flags.sparkplugUrl);
  if (!url.ok) throw new Error(`--sparkplug-url: ${url.message}`);
  const nodeId = flags.name ?? hostname();
  for (const [id, what] of [
    [flags.sparkplugGroup, "--sparkplug-group"],
    [nodeId, "--name (the edge node id)"],
    ...(flags.sparkplugHostId ? [[flags.sparkplugHostId, "--sparkplug-host-id"]] : []),
  ] as [string, string][]) {
    const problem = idProblem(id, what);
    if (problem) throw new Error(problem);
  }
  if (flags.sparkplugCommands && !flags.sparkplugHostId)
    throw new Error("--sparkplug-commands needs --sparkplug-host-id: commands are taken from that host only");
  const bufferMaxRows = Number(flags.sparkplugBuffer);
  if (!Number.isInteger(bufferMaxRows) || bufferMaxRows < 1)
    throw new Error(`--sparkplug-buffer must be a positive whole number, got "${flags.sparkplugBuffer}"`);
  let password = process.env.BMS_SPARKPLUG_PASSWORD;
  if (flags.sparkplugPasswordFile) {
    try {
      password = readFileSync(flags.sparkplugPasswordFile, "utf8").trim();
    } catch (error) {
      throw new Error(`--sparkplug-password-file: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`);
    }
  }
  if ((flags.sparkplugCert && !flags.sparkplugKey) || (!flags.sparkplugCert && flags.sparkplugKey))
    throw new Error("--sparkplug-cert and --sparkplug-key go together");
  if ((flags.sparkplugCa || flags.sparkplugCert) && !url.tls)
    throw new Error("TLS files were given but the broker URL is mqtt://; use mqtts://");
  const ca = readPem(flags.sparkplugCa, "--sparkplug-ca");
  const cert = readPem(flags.sparkplugCert, "--sparkplug-cert");
  const key = readPem(flags.sparkplugKey, "--sparkplug-key");
  return {
    broker: {
      url: url.url.href,
      ...(flags.sparkplugUsername ? { username: flags.sparkplugUsername } : {}),
      ...(password ? { password } : {}),
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
    },
    group: flags.sparkplugGroup,
    nodeId,
    site: flags.site,
    hostId: flags.sparkplugHostId,
    commands: flags.sparkplugCommands === true,
    // A command host acts as an operator: the role an API point write needs, never admin.
    hostRole: "operator",
    bufferMaxRows,
    healthIntervalMs: envNumber("BMS_SPARKPLUG_HEALTH_MS", 10_000),
    keepaliveSeconds: envNumber("BMS_SPARKPLUG_KEEPALIVE_S", 15),
    replayPointsPerSecond: Math.max(1, envNumber("BMS_SPARKPLUG_REPLAY_RATE", 2000)),
  };
}
