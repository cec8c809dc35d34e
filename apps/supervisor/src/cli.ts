import { normalizePointRef } from "@bms/schemas";
import { Command, Option } from "commander";
import { DEFAULT_STATE_SAVE_INTERVAL_MS } from "./engine/flow-engine";
import { DEFAULT_HISTORY_HOURS, DEFAULT_HISTORY_MAX_MB } from "./engine/history-recorder";
import { defaultScriptWorkers } from "./engine/script-pool";
import type { TrendLogMapping } from "./engine/trend-backfill";
import { type SparkplugFlags, sparkplugOptions, withSparkplugFlags } from "./northbound/sparkplug-options";
import { defaultBroadcast, envNumber, type SupervisorOptions, stateSaveIntervalS, userPath } from "./options";
import { normalizeIpPort, parsePins } from "./protocols/bacnet/device-address";
import { DEFAULT_WIRE_LIMITS } from "./protocols/bacnet/wire-checks";
import { type VerifyFlags, verifyReportFile } from "./report-verify-cli";
import { startServer, type TlsChoice } from "./server";
import { addToken, listTokens, revokeToken } from "./token-cli";
import { SUPERVISOR_VERSION } from "./version";

interface Flags extends SparkplugFlags {
  httpPort: string;
  httpHost: string;
  dataDir: string;
  bacnetBind: string;
  bacnetPort: string;
  broadcast?: string;
  logLevel: string;
  bacnetPin?: string[];
  trendLog?: string[];
  trendBackfill: "auto" | "off";
  deviceAlarms: string;
  deviceAlarmWebhook?: string;
  bbmd?: string;
  bbmdTtl: string;
  bacnetNetwork?: string;
  publicRead?: boolean;
  allowedHosts?: string;
  tls?: string;
  tlsCert?: string;
  tlsKey?: string;
  webhookAllow?: string;
  historyHours: string;
  historyMaxMb: string;
  stateSaveInterval: string;
  pluginsDir?: string;
  pluginsConfig?: string;
  firstStartDemo?: boolean;
  mqttUrl?: string;
}

const list = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function dataDirOption(): Option {
  return new Option("--data-dir <dir>", "where runtime.db and the admin token live")
    .env("BMS_DATA_DIR")
    .default("./data");
}

function withCommonFlags(command: Command): Command {
  return withSparkplugFlags(command)
    .addOption(
      new Option("--http-port <port>", "HTTP port of the API and dashboard")
        .env("BMS_HTTP_PORT")
        .default("8080"),
    )
    .addOption(
      new Option(
        "--http-host <ip>",
        "address the HTTP server binds (loopback by default; a LAN address needs a 32+ character token)",
      )
        .env("BMS_HTTP_HOST")
        .default("127.0.0.1"),
    )
    .addOption(dataDirOption())
    .addOption(
      new Option("--bacnet-bind <ip>", "local IPv4 address for BACnet/IP (the LAN interface on site)")
        .env("BMS_BACNET_BIND")
        .default("0.0.0.0"),
    )
    .addOption(
      new Option("--bacnet-port <port>", "local UDP port for BACnet/IP")
        .env("BMS_BACNET_PORT")
        .default("47808"),
    )
    .addOption(
      new Option(
        "--broadcast <ip[:port]>",
        "where Who-Is goes (default: the bound interface's subnet broadcast)",
      ).env("BMS_BACNET_BROADCAST"),
    )
    .addOption(
      new Option(
        "--bacnet-pin <instance=ip:port>",
        "fix a device's BACnet address: I-Ams for it from elsewhere are ignored (repeatable, or comma-separated in the env)",
      )
        .env("BMS_BACNET_PINS")
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .addOption(
      new Option(
        "--trend-log <device:instance[=ref]>",
        "backfill a point's history from this device Trend Log (repeatable); without =ref, the point it logs",
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .addOption(
      new Option(
        "--trend-backfill <mode>",
        "auto: also backfill from every Trend Log on devices whose points are in history; off: only --trend-log",
      )
        .choices(["auto", "off"])
        .default("auto")
        .env("BMS_TREND_BACKFILL"),
    )
    .addOption(
      new Option(
        "--device-alarms <which>",
        "register in devices' Notification Class recipient lists: off, auto (every discovered device), or device ids (1201,1202). Off unless asked: it changes the devices' configuration",
      )
        .default("off")
        .env("BMS_DEVICE_ALARMS"),
    )
    .addOption(
      new Option(
        "--device-alarm-webhook <url>",
        "post device alarm transitions here (the host must be in --webhook-allow, as for alert nodes)",
      ).env("BMS_DEVICE_ALARM_WEBHOOK"),
    )
    .addOption(
      new Option(
        "--bbmd <ip:port>",
        "register as a foreign device with this BBMD and broadcast through it (devices on another subnet)",
      ).env("BMS_BBMD"),
    )
    .addOption(
      new Option("--bbmd-ttl <seconds>", "foreign-device time-to-live; renewed at half of it")
        .env("BMS_BBMD_TTL")
        .default("300"),
    )
    .addOption(
      new Option(
        "--bacnet-network <n>",
        "our own B/IP network's number on this site, if it has one: no router may claim it",
      ).env("BMS_BACNET_NETWORK"),
    )
    .addOption(
      new Option("--log-level <level>", "fatal|error|warn|info|debug|trace")
        .env("BMS_LOG_LEVEL")
        .default("info")
        .choices(["fatal", "error", "warn", "info", "debug", "trace"]),
    )
    .addOption(
      new Option(
        "--public-read",
        "let anyone who reaches the HTTP port read (dashboard, points, flows); changes still need a token",
      ).env("BMS_PUBLIC_READ"),
    )
    .addOption(
      new Option(
        "--allowed-hosts <names>",
        "comma-separated host names browsers may use to reach this server (loopback names always)",
      ).env("BMS_ALLOWED_HOSTS"),
    )
    .addOption(
      new Option("--tls <mode>", "self-signed: create a certificate in the data dir on first start")
        .env("BMS_TLS")
        .choices(["self-signed"]),
    )
    .addOption(new Option("--tls-cert <file>", "PEM certificate (with --tls-key)").env("BMS_TLS_CERT"))
    .addOption(new Option("--tls-key <file>", "PEM private key (with --tls-cert)").env("BMS_TLS_KEY"))
    .addOption(
      new Option("--history-hours <hours>", "how long point history is kept (whole hours)")
        .env("BMS_HISTORY_HOURS")
        .default(String(DEFAULT_HISTORY_HOURS)),
    )
    .addOption(
      new Option(
        "--history-max-mb <mb>",
        "most disk point history may take; the oldest hours go first (1 MB = 10^6 bytes)",
      )
        .env("BMS_HISTORY_MAX_MB")
        .default(String(DEFAULT_HISTORY_MAX_MB)),
    )
    .addOption(
      new Option(
        "--state-save-interval <seconds>",
        "how often periodic node state (PID integrals, filters) is written; latches, counters and alarms: every change",
      )
        .env("BMS_STATE_SAVE_INTERVAL_S")
        .default(String(DEFAULT_STATE_SAVE_INTERVAL_MS / 1000)),
    )
    .addOption(
      new Option(
        "--webhook-allow <targets>",
        "comma-separated host[:port] alarm webhooks may post to (loopback/link-local only if named literally)",
      ).env("BMS_WEBHOOK_ALLOW"),
    )
    .addOption(
      new Option(
        "--plugins-dir <dir>",
        "load point I/O plugins from this directory (each *.js/*.mjs or folder/index.mjs; see docs/plugins.md)",
      ).env("BMS_PLUGINS_DIR"),
    )
    .addOption(
      new Option("--plugins-config <file>", "JSON with each plugin's configuration, keyed by protocol").env(
        "BMS_PLUGINS_CONFIG",
      ),
    )
    .addOption(
      new Option(
        "--first-start-demo",
        "if runtime.db has never held a config, deploy the demo building's site (pnpm start); later starts keep what was deployed",
      ).env("BMS_FIRST_START_DEMO"),
    )
    .addOption(
      new Option(
        "--mqtt-url <url>",
        "MQTT broker (mqtt://host:1883 or mqtts://host:8883); put credentials in the plugins file or its password_env",
      ).env("BMS_MQTT_URL"),
    );
}

/** BMS_SCRIPT_WORKERS: how many worker threads evaluate script nodes (1..16; default min(2, cores)). */
function scriptWorkers(): number {
  const n = envNumber("BMS_SCRIPT_WORKERS", defaultScriptWorkers());
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new Error(`BMS_SCRIPT_WORKERS must be a whole number from 1 to 16, got ${n}`);
  }
  return n;
}

function tlsChoice(flags: Flags): TlsChoice {
  if (flags.tls && (flags.tlsCert || flags.tlsKey))
    throw new Error("give either --tls self-signed or --tls-cert/--tls-key, not both");
  if (flags.tls === "self-signed") return { mode: "self-signed" };
  if (flags.tlsCert || flags.tlsKey) {
    if (!flags.tlsCert || !flags.tlsKey) throw new Error("--tls-cert and --tls-key go together");
    return { mode: "files", cert: flags.tlsCert, key: flags.tlsKey };
  }
  return { mode: "off" };
}

/** `--bbmd 10.0.2.1:47808 --bbmd-ttl 300`, checked: an IPv4 address with a port, a TTL of 10..65535 s. */
function foreignDevice(address: string, ttlText: string): { bbmd: string; ttlS: number } {
  const bbmd = normalizeIpPort(address);
  if (!bbmd) throw new Error(`--bbmd must be an IPv4 address with an optional port, got "${address}"`);
  const ttlS = Number(ttlText);
  if (!Number.isInteger(ttlS) || ttlS < 10 || ttlS > 65535) {
    throw new Error(`--bbmd-ttl must be 10..65535 seconds, got "${ttlText}"`);
  }
  return { bbmd, ttlS };
}

/** `--trend-log 1201:1=bacnet:1201/analogInput:1`; the point ref is checked like any other. */
function parseTrendLog(text: string): TrendLogMapping {
  const match = /^(\d+):(\d+)(?:=(.+))?$/.exec(text.trim());
  const deviceId = Number(match?.[1]);
  const logInstance = Number(match?.[2]);
  if (!match || deviceId > 4194302 || logInstance > 4194302) {
    throw new Error(`--trend-log must be <device>:<trend log instance>[=<point ref>], got "${text}"`);
  }
  if (match[3] === undefined) return { deviceId, logInstance };
  try {
    return { deviceId, logInstance, pointRef: normalizePointRef(match[3]) };
  } catch (error) {
    throw new Error(`--trend-log ${text}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function deviceAlarmDevices(text: string): "auto" | "off" | number[] {
  if (text === "auto" || text === "off") return text;
  const ids = text.split(",").map((part) => Number(part.trim()));
  if (ids.length === 0 || ids.some((id) => !Number.isInteger(id) || id < 0 || id > 4194302)) {
    throw new Error(`--device-alarms must be auto, off or device instances (1201,1202), got "${text}"`);
  }
  return ids;
}

function networkNumber(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65534)
    throw new Error(`--bacnet-network must be 1..65534, got "${text}"`);
  return n;
}

function toOptions(flags: Flags, execute: boolean): SupervisorOptions {
  const port = (text: string, name: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new Error(`${name} must be a port number, got "${text}"`);
    return n;
  };
  const token = process.env.BMS_SUPERVISOR_TOKEN;
  const pins = parsePins(flags.bacnetPin ?? []);
  const sparkplug = sparkplugOptions(flags);
  if (!pins.ok) throw new Error(`--bacnet-pin: ${pins.problems.join("; ")}`);
  const positive = (text: string, name: string) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${text}"`);
    return n;
  };
  const cap = (name: string, fallback: number) => {
    const n = envNumber(name, fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${n}`);
    return n;
  };
  return {
    httpPort: port(flags.httpPort, "--http-port"),
    httpHost: flags.httpHost,
    dataDir: userPath(flags.dataDir),
    bacnetBind: flags.bacnetBind,
    bacnetPort: port(flags.bacnetPort, "--bacnet-port"),
    broadcast: flags.broadcast ?? defaultBroadcast(flags.bacnetBind),
    logLevel: flags.logLevel,
    ...(token ? { token } : {}),
    publicRead: flags.publicRead === true,
    allowedHosts: list(flags.allowedHosts),
    webhookAllow: list(flags.webhookAllow),
    sessionIdleMinutes: envNumber("BMS_SESSION_IDLE_MINUTES", 30),
    sessionHours: envNumber("BMS_SESSION_HOURS", 12),
    auditDays: envNumber("BMS_AUDIT_DAYS", 365),
    authFailureLimit: envNumber("BMS_AUTH_FAILURE_LIMIT", 10),
    execute,
    requestTimeoutMs: envNumber("BMS_BACNET_TIMEOUT_MS", 2000),
    retries: envNumber("BMS_BACNET_RETRIES", 2),
    perDeviceConcurrency: envNumber("BMS_BACNET_DEVICE_CONCURRENCY", 4),
    historyRetentionHours: positive(flags.historyHours, "--history-hours"),
    historyMaxMb: positive(flags.historyMaxMb, "--history-max-mb"),
    historyMinIntervalMs: envNumber("BMS_HISTORY_MIN_INTERVAL_MS", 5000),
    stateSaveIntervalS: stateSaveIntervalS(flags.stateSaveInterval),
    bacnetPins: pins.pins,
    trendLogs: (flags.trendLog ?? []).map(parseTrendLog),
    trendBackfill: flags.trendBackfill,
    deviceAlarms: deviceAlarmDevices(flags.deviceAlarms),
    deviceAlarmsConfirmed: envNumber("BMS_DEVICE_ALARMS_CONFIRMED", 1) !== 0,
    ...(flags.deviceAlarmWebhook ? { deviceAlarmWebhook: flags.deviceAlarmWebhook } : {}),
    deviceAlarmPassS: positive(String(envNumber("BMS_DEVICE_ALARM_PASS_S", 60)), "BMS_DEVICE_ALARM_PASS_S"),
    trendBackfillIntervalS: positive(
      String(envNumber("BMS_TREND_BACKFILL_INTERVAL_S", 300)),
      "BMS_TREND_BACKFILL_INTERVAL_S",
    ),
    ...(flags.bbmd ? { bbmd: foreignDevice(flags.bbmd, flags.bbmdTtl) } : {}),
    ...(flags.bacnetNetwork ? { bacnetNetwork: networkNumber(flags.bacnetNetwork) } : {}),
    bacnetLimits: {
      maxDevices: cap("BMS_BACNET_MAX_DEVICES", DEFAULT_WIRE_LIMITS.maxDevices),
      maxListLength: cap("BMS_BACNET_MAX_LIST_LENGTH", DEFAULT_WIRE_LIMITS.maxListLength),
    },
    scriptWorkers: scriptWorkers(),
    ...(flags.pluginsDir ? { pluginsDir: userPath(flags.pluginsDir) } : {}),
    ...(flags.pluginsConfig ? { pluginsConfig: userPath(flags.pluginsConfig) } : {}),
    firstStartDemo: flags.firstStartDemo === true,
    ...(sparkplug ? { sparkplug } : {}),
    ...(flags.mqttUrl ? { mqttUrl: flags.mqttUrl } : {}),
  };
}

const program = new Command()
  .name("bms-supervisor")
  .description(
    "The site's BACnet/IP authority: runs deployed control flows, serves the REST API and dashboard.\n" +
      "The bootstrap admin token comes from BMS_SUPERVISOR_TOKEN, or is generated on first start into\n" +
      "<data-dir>/admin-token. Named tokens with roles: `bms-supervisor token add|list|revoke`.",
  )
  .version(SUPERVISOR_VERSION);

withCommonFlags(
  program.command("all").description("API, dashboard, BACnet and flow execution (production)"),
).action(async (flags: Flags) => {
  await startServer(toOptions(flags, true), tlsChoice(flags));
});
withCommonFlags(
  program
    .command("serve")
    .description("API, dashboard and BACnet browsing; deploys are stored but no flow runs"),
).action(async (flags: Flags) => {
  await startServer(toOptions(flags, false), tlsChoice(flags));
});
withCommonFlags(
  program
    .command("execute")
    .description("flow execution with the API bound to loopback only (headless; the dashboard stays local)"),
).action(async (flags: Flags) => {
  await startServer({ ...toOptions(flags, true), httpHost: "127.0.0.1" }, tlsChoice(flags));
});

const token = program
  .command("token")
  .description("named API tokens in <data-dir>/runtime.db (works while the supervisor runs)");
token
  .command("add <name>")
  .description("create a token; its secret is printed once")
  .addOption(
    new Option("--role <role>", "viewer, operator or admin")
      .choices(["viewer", "operator", "admin"])
      .makeOptionMandatory(),
  )
  .option("--expires <when>", "30d, 12h, 90m or a date; default never")
  .addOption(dataDirOption())
  .action((name: string, flags: { role: string; expires?: string; dataDir: string }) => {
    addToken(userPath(flags.dataDir), name, flags.role, flags.expires);
  });
token
  .command("list")
  .description("list tokens (never their secrets)")
  .addOption(dataDirOption())
  .action((flags: { dataDir: string }) => listTokens(userPath(flags.dataDir)));
token
  .command("revoke <id>")
  .description("revoke a token for good; its sessions end with it")
  .addOption(dataDirOption())
  .action((id: string, flags: { dataDir: string }) => revokeToken(userPath(flags.dataDir), id));

program
  .command("verify-report <report.json>")
  .description(
    "check a commissioning report's signature offline; exit 0 valid by the given key, 1 invalid (reason printed), 2 usage, 3 valid but no key given",
  )
  .option("--key <pub>", "the supervisor's public key: a PEM file, or the key in base64 or hex")
  .option("--fingerprint <hex>", "the supervisor's signing key fingerprint (SHA-256, AB:CD:… or plain hex)")
  .action((file: string, flags: VerifyFlags) => {
    process.exitCode = verifyReportFile(file, flags);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`bms-supervisor: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
