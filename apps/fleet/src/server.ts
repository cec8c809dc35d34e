import { isIP } from "node:net";
import { join } from "node:path";
import { loadOrCreateBootstrapToken } from "@bms/security";
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

export interface RunningFleet {
  app: FastifyInstance;
  consumer: SparkplugConsumer;
  history: HistoryWriter;
  close(): Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<RunningFleet> {
  // The bootstrap admin token: BMS_FLEET_TOKEN, else generated once into <data-dir>/fleet-admin-token.
  const { token, created } = loadOrCreateBootstrapToken(
    join(options.dataDir, "fleet-admin-token"),
    options.adminToken,
    "BMS_FLEET_TOKEN",
  );
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
