import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import type { BrokerConfig } from "@bms/sparkplug";
import type { FastifyInstance } from "fastify";
import { buildFleetApp } from "./http/app";
import { SparkplugConsumer } from "./ingest/sparkplug-consumer";
import { migrate, openPool } from "./storage/database";
import { FleetRepo } from "./storage/fleet-repo";
import { HistoryWriter } from "./storage/history-writer";
import { TokensRepo } from "./storage/tokens-repo";

export const FLEET_VERSION = "0.1.0";

export interface FleetOptions {
  httpHost: string;
  httpPort: number;
  dataDir: string;
  pgUrl: string;
  broker: BrokerConfig;
  groups: string[];
  hostId: string;
  logLevel: string;
  adminToken: string | undefined;
  /** Rows per INSERT and the flush interval of the history writer. */
  batchRows: number;
  flushMs: number;
}

const isLoopback = (host: string) =>
  host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));

/** The bootstrap admin token: BMS_FLEET_TOKEN, else generated once into <data-dir>/fleet-admin-token (0600). */
function resolveAdminToken(dataDir: string, given: string | undefined): { token: string; created: boolean } {
  if (given) {
    if (given.length < 16) throw new Error("BMS_FLEET_TOKEN must be at least 16 characters");
    return { token: given, created: false };
  }
  const file = join(dataDir, "fleet-admin-token");
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return { token: readFileSync(file, "utf8").trim(), created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true };
}

export interface RunningFleet {
  app: FastifyInstance;
  consumer: SparkplugConsumer;
  history: HistoryWriter;
  close(): Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<RunningFleet> {
  const { token, created } = resolveAdminToken(options.dataDir, options.adminToken);
  if (!isLoopback(options.httpHost) && token.length < 32)
    throw new Error(`binding ${options.httpHost} (not loopback) needs an admin token of 32+ characters`);
  const pool = openPool(options.pgUrl);
  await migrate(pool);
  const repo = new FleetRepo(pool);
  const tokens = new TokensRepo(pool);
  let app: FastifyInstance | undefined;
  const log = (level: "info" | "warn", message: string) => {
    if (app) app.log[level](message);
    else console.log(`bms-fleet ${level}: ${message}`);
  };
  const history = new HistoryWriter(pool, {
    maxBatch: options.batchRows,
    intervalMs: options.flushMs,
    onError: (error) => log("warn", `history write failed (kept, retried): ${error.message}`),
  });
  const consumer = new SparkplugConsumer(
    { broker: options.broker, groups: options.groups, hostId: options.hostId },
    repo,
    history,
    log,
  );
  app = await buildFleetApp({
    pool,
    repo,
    tokens,
    consumer,
    history,
    adminToken: token,
    logLevel: options.logLevel,
    version: FLEET_VERSION,
  });
  history.start();
  consumer.start();
  const address = await app.listen({ host: options.httpHost, port: options.httpPort });
  if (created)
    console.log(
      `bms-fleet admin token generated in ${options.dataDir}/fleet-admin-token (mode 0600; read it there)`,
    );
  console.log(`bms-fleet listening ${address}`);
  const close = async () => {
    await consumer.stop();
    await history.stop();
    await app!.close();
    await pool.end();
  };
  return { app, consumer, history, close };
}
