import { isAbsolute, resolve } from "node:path";
import { idProblem, parseBrokerUrl, readPem } from "@bms/sparkplug";
import { Command, Option } from "commander";
import { FLEET_VERSION, startFleet } from "./server";

interface Flags {
  httpHost: string;
  httpPort: string;
  dataDir: string;
  pgUrl?: string;
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPasswordFile?: string;
  mqttCa?: string;
  mqttCert?: string;
  mqttKey?: string;
  group?: string;
  hostId: string;
  logLevel: string;
}

const program = new Command()
  .name("bms-fleet")
  .description(
    "Central historian and fleet service: consumes Sparkplug B from the broker into PostgreSQL and serves\n" +
      "every supervisor's status, history and alarms. Admin token: BMS_FLEET_TOKEN, else generated into\n" +
      "<data-dir>/fleet-admin-token.",
  )
  .version(FLEET_VERSION)
  .addOption(
    new Option("--http-host <ip>", "address the API binds (loopback by default)")
      .env("BMS_FLEET_HTTP_HOST")
      .default("127.0.0.1"),
  )
  .addOption(new Option("--http-port <port>", "API port").env("BMS_FLEET_HTTP_PORT").default("8070"))
  .addOption(
    new Option("--data-dir <dir>", "where the admin token lives").env("BMS_DATA_DIR").default("./data"),
  )
  .addOption(
    new Option(
      "--pg-url <url>",
      "PostgreSQL, postgres://user@host:port/db (password: PGPASSWORD or in the URL)",
    ).env("BMS_FLEET_PG_URL"),
  )
  .addOption(
    new Option("--mqtt-url <url>", "the Sparkplug broker (mqtt:// or mqtts://)").env("BMS_SPARKPLUG_URL"),
  )
  .addOption(new Option("--mqtt-username <name>", "broker user name").env("BMS_SPARKPLUG_USERNAME"))
  .addOption(
    new Option(
      "--mqtt-password-file <file>",
      "file holding the broker password (or BMS_SPARKPLUG_PASSWORD)",
    ).env("BMS_SPARKPLUG_PASSWORD_FILE"),
  )
  .addOption(new Option("--mqtt-ca <file>", "PEM CA of an mqtts:// broker").env("BMS_SPARKPLUG_CA"))
  .addOption(new Option("--mqtt-cert <file>", "PEM client certificate").env("BMS_SPARKPLUG_CERT"))
  .addOption(new Option("--mqtt-key <file>", "PEM client key").env("BMS_SPARKPLUG_KEY"))
  .addOption(
    new Option("--group <ids>", "comma-separated Sparkplug groups to consume (default: all)").env(
      "BMS_FLEET_GROUPS",
    ),
  )
  .addOption(
    new Option("--host-id <id>", "this primary host's id; supervisors name it in --sparkplug-host-id")
      .env("BMS_FLEET_HOST_ID")
      .default("bms-fleet"),
  )
  .addOption(
    new Option("--log-level <level>", "fatal|error|warn|info|debug")
      .env("BMS_LOG_LEVEL")
      .default("info")
      .choices(["fatal", "error", "warn", "info", "debug", "trace"]),
  )
  .action(async (flags: Flags) => {
    if (!flags.pgUrl) throw new Error("--pg-url (or BMS_FLEET_PG_URL) is required");
    if (!flags.mqttUrl) throw new Error("--mqtt-url (or BMS_SPARKPLUG_URL) is required");
    const url = parseBrokerUrl(flags.mqttUrl);
    if (!url.ok) throw new Error(`--mqtt-url: ${url.message}`);
    const groups = (flags.group ?? "")
      .split(",")
      .map((g) => g.trim())
      .filter(Boolean);
    for (const [id, what] of [...groups.map((g) => [g, "--group"]), [flags.hostId, "--host-id"]] as [
      string,
      string,
    ][]) {
      const problem = idProblem(id, what);
      if (problem) throw new Error(problem);
    }
    const port = Number(flags.httpPort);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--http-port must be a port, got "${flags.httpPort}"`);
    let password = process.env.BMS_SPARKPLUG_PASSWORD;
    if (flags.mqttPasswordFile) password = readPem(flags.mqttPasswordFile, "--mqtt-password-file")?.trim();
    const ca = readPem(flags.mqttCa, "--mqtt-ca");
    const cert = readPem(flags.mqttCert, "--mqtt-cert");
    const key = readPem(flags.mqttKey, "--mqtt-key");
    const fleet = await startFleet({
      httpHost: flags.httpHost,
      httpPort: port,
      // Relative to where the user typed the command, even when pnpm runs us from the package.
      dataDir: isAbsolute(flags.dataDir)
        ? flags.dataDir
        : resolve(process.env.INIT_CWD ?? process.cwd(), flags.dataDir),
      pgUrl: flags.pgUrl,
      broker: {
        url: url.url.href,
        ...(flags.mqttUsername ? { username: flags.mqttUsername } : {}),
        ...(password ? { password } : {}),
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
      },
      groups,
      hostId: flags.hostId,
      logLevel: flags.logLevel,
      adminToken: process.env.BMS_FLEET_TOKEN,
      batchRows: Number(process.env.BMS_FLEET_BATCH_ROWS ?? 5000),
      flushMs: Number(process.env.BMS_FLEET_FLUSH_MS ?? 200),
    });
    const shutdown = async () => {
      await fleet.close();
      process.exit(0);
    };
    process.once("SIGINT", () => void shutdown());
    process.once("SIGTERM", () => void shutdown());
  });

program.parseAsync().catch((error: unknown) => {
  // Never echo the PostgreSQL URL: it may hold a password.
  console.error(`bms-fleet: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
