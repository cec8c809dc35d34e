import fp from "fastify-plugin";
import { ConfigsRepo } from "../storage/configs-repo";
import { type Db, openDatabase } from "../storage/database";
import { DevicesRepo } from "../storage/devices-repo";
import { EventsRepo } from "../storage/events-repo";
import { NodeStateRepo } from "../storage/node-state-repo";
import { TimeseriesRepo } from "../storage/timeseries-repo";

export interface Repos {
  configs: ConfigsRepo;
  devices: DevicesRepo;
  events: EventsRepo;
  nodeState: NodeStateRepo;
  timeseries: TimeseriesRepo;
}

declare module "fastify" {
  interface FastifyInstance {
    db: Db;
    repos: Repos;
  }
}

/** runtime.db and its repositories, closed last when the app closes. */
export const storagePlugin = fp<{ dataDir: string }>(
  async (app, { dataDir }) => {
    const db = openDatabase(dataDir);
    app.decorate("db", db);
    app.decorate("repos", {
      configs: new ConfigsRepo(db),
      devices: new DevicesRepo(db),
      events: new EventsRepo(db),
      nodeState: new NodeStateRepo(db),
      timeseries: new TimeseriesRepo(db),
    });
    app.addHook("onClose", async () => {
      db.close();
    });
  },
  { name: "storage" },
);
