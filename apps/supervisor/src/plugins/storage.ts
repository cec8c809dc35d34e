import fp from "fastify-plugin";
import { AlertsRepo } from "../storage/alerts-repo";
import { BackfillsRepo } from "../storage/backfills-repo";
import { CommandsRepo } from "../storage/commands-repo";
import { ConfigsRepo } from "../storage/configs-repo";
import { type Db, migrate, openDatabase } from "../storage/database";
import { DevicesRepo } from "../storage/devices-repo";
import { EventsRepo } from "../storage/events-repo";
import { FlowRunStateRepo } from "../storage/flow-run-state-repo";
import { NodeStateRepo } from "../storage/node-state-repo";
import { OverridesRepo } from "../storage/overrides-repo";
import { ParametersRepo } from "../storage/parameters-repo";
import { TimeseriesRepo } from "../storage/timeseries-repo";
import { WatchListRepo } from "../storage/watch-list-repo";

export interface Repos {
  alerts: AlertsRepo;
  backfills: BackfillsRepo;
  commands: CommandsRepo;
  configs: ConfigsRepo;
  devices: DevicesRepo;
  events: EventsRepo;
  flowRunState: FlowRunStateRepo;
  nodeState: NodeStateRepo;
  overrides: OverridesRepo;
  parameters: ParametersRepo;
  timeseries: TimeseriesRepo;
  watchList: WatchListRepo;
}

declare module "fastify" {
  interface FastifyInstance {
    db: Db;
    repos: Repos;
  }
}

/**
 * runtime.db and its repositories, closed last when the app closes. A database handed in (`storage`,
 * for tests) is migrated and used, and left open: its owner closes it.
 */
export const storagePlugin = fp<{ dataDir: string; storage?: Db }>(
  async (app, { dataDir, storage }) => {
    const db = storage ?? openDatabase(dataDir);
    if (storage) migrate(storage);
    app.decorate("db", db);
    app.decorate("repos", {
      alerts: new AlertsRepo(db),
      backfills: new BackfillsRepo(db),
      commands: new CommandsRepo(db),
      configs: new ConfigsRepo(db),
      devices: new DevicesRepo(db),
      events: new EventsRepo(db),
      flowRunState: new FlowRunStateRepo(db),
      nodeState: new NodeStateRepo(db),
      overrides: new OverridesRepo(db),
      parameters: new ParametersRepo(db),
      timeseries: new TimeseriesRepo(db),
      watchList: new WatchListRepo(db),
    });
    // Housekeeping of the event log: a week of it, at most 200,000 rows.
    const prune = () => app.repos.events.prune(Date.now() - 7 * 24 * 3_600_000);
    prune();
    const housekeeping = setInterval(prune, 10 * 60_000);
    housekeeping.unref();
    app.addHook("onClose", async () => {
      clearInterval(housekeeping);
      if (!storage) db.close();
    });
  },
  { name: "storage" },
);
