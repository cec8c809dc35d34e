import { networkInterfaces } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type { TrendLogMapping } from "./engine/trend-backfill";
import type { SparkplugOptions } from "./northbound/sparkplug-options";
import type { DeviceAddress } from "./protocols/bacnet/device-address";
import type { WireLimits } from "./protocols/bacnet/wire-checks";

export interface SupervisorOptions {
  httpPort: number;
  httpHost: string;
  dataDir: string;
  bacnetBind: string;
  bacnetPort: number;
  broadcast: string;
  logLevel: string;
  /** Admin token; when absent one is generated on first start and stored in the data directory. */
  token?: string;
  /** Reads (viewer routes) need no identity: `--public-read`, for a demo or a lobby display. */
  publicRead?: boolean;
  /** Extra host names the HTTP server answers to (`--allowed-hosts`); loopback names always. */
  allowedHosts?: string[];
  /** `--tls-cert/--tls-key` or `--tls self-signed`, resolved to PEM text by the server. */
  tls?: { cert: string; key: string };
  /** Dashboard sessions: idle timeout and absolute lifetime. */
  sessionIdleMinutes?: number;
  sessionHours?: number;
  /** Failed logins or bad tokens per source before a lockout, and its window and length. */
  authFailureLimit?: number;
  /** Audit retention in days (at least 90). */
  auditDays?: number;
  /** Alarm webhook targets allowed (host or host:port); loopback/link-local need an explicit entry. */
  webhookAllow?: string[];
  /** `all` executes flows; `serve` keeps deploys and BACnet browsing but runs no flow. */
  execute: boolean;
  requestTimeoutMs: number;
  retries: number;
  perDeviceConcurrency: number;
  /** History is kept this many hours (whole hours are dropped). */
  historyRetentionHours: number;
  /** And in at most this many MB (oldest hours dropped first); default DEFAULT_HISTORY_MAX_MB. */
  historyMaxMb?: number;
  /** A point's value is stored on change, at most once per this interval. */
  historyMinIntervalMs: number;
  /**
   * `--state-save-interval` / BMS_STATE_SAVE_INTERVAL_S: periodic node state (PID integrals, filters, math's
   * `last`) is written at most this often, in seconds (default 10; see DEFAULT_STATE_SAVE_INTERVAL_MS).
   */
  stateSaveIntervalS?: number;
  /** Devices whose BACnet address is fixed (`--bacnet-pin`): an I-Am never moves them. */
  bacnetPins?: ReadonlyMap<number, DeviceAddress>;
  /** `--bbmd`/`--bbmd-ttl`: register as a foreign device and broadcast through that BBMD. */
  bbmd?: { bbmd: string; ttlS: number };
  /** `--bacnet-network`: our own B/IP network number, which no router may claim. */
  bacnetNetwork?: number;
  /** Caps on devices created by I-Am and on list lengths devices report. */
  bacnetLimits?: WireLimits;
  /** Script worker threads (BMS_SCRIPT_WORKERS; default min(2, cores)). */
  scriptWorkers?: number;
  /** The Sparkplug B northbound (`--sparkplug-url`); absent: off. */
  sparkplug?: SparkplugOptions;
  /** A Who-Is right after start (default on); tests that count requests turn it off. */
  discoverOnStart?: boolean;
  /** `--plugins-dir` / BMS_PLUGINS_DIR: point I/O plugins loaded beside the built-in ones. */
  pluginsDir?: string;
  /** `--plugins-config` / BMS_PLUGINS_CONFIG: JSON, each plugin's section by protocol. */
  pluginsConfig?: string;
  /**
   * `--first-start-demo`: when runtime.db has never held a config, deploy the demo building's site
   * (the quick start); later starts keep whatever was deployed.
   */
  firstStartDemo?: boolean;
  /** `--trend-log <device>:<instance>[=<ref>]`: device Trend Logs that backfill a point's history. */
  trendLogs?: TrendLogMapping[];
  /** `--trend-backfill auto|off`: also backfill from every Trend Log of devices with recorded points. */
  trendBackfill?: "auto" | "off";
  /** BMS_TREND_BACKFILL_INTERVAL_S: how often each log is read on from its cursor (default 300). */
  trendBackfillIntervalS?: number;
  /** `--device-alarms auto|off|<id,id,…>`: which devices' Notification Classes we register with. */
  deviceAlarms?: "auto" | "off" | number[];
  /** BMS_DEVICE_ALARMS_CONFIRMED=0 asks for Unconfirmed EventNotifications instead (default confirmed). */
  deviceAlarmsConfirmed?: boolean;
  /** `--device-alarm-webhook <url>`: where device alarm transitions are posted (allowlisted as any webhook). */
  deviceAlarmWebhook?: string;
  /** BMS_DEVICE_ALARM_PASS_S: how often to look for devices to register with (default 60). */
  deviceAlarmPassS?: number;
  /** `--mqtt-url` / `BMS_MQTT_URL`: the MQTT plugin's broker, over the plugins file's `mqtt.url`. */
  mqttUrl?: string;
}

/** Paths are relative to where the user typed the command, even when pnpm runs us from the package. */
export function userPath(path: string): string {
  if (isAbsolute(path)) return path;
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

/**
 * The broadcast address of the interface we bind, so Who-Is stays on that subnet. 0.0.0.0 has no
 * subnet: then the limited broadcast is the only choice. Loopback development uses 127.255.255.255.
 */
export function defaultBroadcast(bind: string): string {
  if (bind === "0.0.0.0") return "255.255.255.255";
  if (bind.startsWith("127.")) return "127.255.255.255";
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family !== "IPv4" || info.address !== bind) continue;
      const ip = info.address.split(".").map(Number);
      const mask = info.netmask.split(".").map(Number);
      return ip.map((octet, i) => (octet & mask[i]!) | (~mask[i]! & 255)).join(".");
    }
  }
  return "255.255.255.255";
}

/** The longest state save interval: an hour of a PID integral is as much as anyone should lose. */
export const MAX_STATE_SAVE_INTERVAL_S = 3600;

/**
 * `--state-save-interval`: seconds, 0 to an hour. 0 writes periodic state at the end of every scan that
 * changed it, as on-change state is (a plant that must lose nothing, on an SSD rather than an SD card).
 */
export function stateSaveIntervalS(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > MAX_STATE_SAVE_INTERVAL_S)
    throw new Error(
      `--state-save-interval must be a number of seconds from 0 (every scan) to ${MAX_STATE_SAVE_INTERVAL_S}, got "${text}"`,
    );
  return n;
}

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name}=${raw} is not a number`);
  return n;
}
