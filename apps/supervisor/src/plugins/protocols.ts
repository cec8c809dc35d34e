import { mkdirSync } from "node:fs";
import { join } from "node:path";
import fp from "fastify-plugin";
import { HttpError } from "../http/route";
import type { SupervisorOptions } from "../options";
import { BacnetPointIO } from "../protocols/bacnet/bacnet-plugin";
import type { BacnetService } from "../protocols/bacnet/bacnet-service";
import type { DiscoveryService } from "../protocols/bacnet/discovery";
import { BUILTIN_PLUGINS } from "../protocols/builtin";
import { loadPluginsConfig, loadPluginsDir, type PluginsConfig } from "../protocols/plugin-loader";
import type { PluginContext, PointIOPluginModule } from "../protocols/point-io";
import { PointIORegistry } from "../protocols/registry";

declare module "fastify" {
  interface FastifyInstance {
    /** Every protocol's point I/O: read, write, subscribe, browse and health go through it. */
    points: PointIORegistry;
    /** BACnet's own extras (priority arrays, discovery, browsing); a 503 when no BACnet plugin is loaded. */
    bacnet: BacnetService;
    discovery: DiscoveryService;
  }
}

export interface ProtocolsPluginOptions {
  options: SupervisorOptions;
  /** Plugins to run instead of the built-in list (tests: an in-memory protocol, no sockets). */
  plugins?: readonly PointIOPluginModule[];
  /** `--plugins-dir`: more plugins, loaded beside the built-in ones. */
  pluginsDir?: string;
  /** `--plugins-config`: each plugin's section, by protocol. */
  pluginsConfig?: string;
  now: () => number;
}

/**
 * Creates the point I/O registry: the built-in plugins (or the injected ones), then those of the
 * plugins directory, each given its section of the configuration file, and starts them. A bad plugins
 * directory or configuration file stops the start with an error naming the path.
 */
export const protocolsPlugin = fp<ProtocolsPluginOptions>(
  async (app, { options, plugins, pluginsDir, pluginsConfig, now }) => {
    const config: PluginsConfig = pluginsConfig ? loadPluginsConfig(pluginsConfig) : {};
    const host = { options, devices: app.repos.devices, events: app.repos.events };
    const modules: PointIOPluginModule[] = plugins
      ? [...plugins]
      : BUILTIN_PLUGINS.flatMap((builtin) => builtin(host) ?? []);
    if (pluginsDir) modules.push(...(await loadPluginsDir(pluginsDir)));

    const registry = new PointIORegistry(now);
    for (const module of modules) {
      const protocol = module.protocol;
      const dataDir = join(options.dataDir, "plugins", protocol);
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const context: PluginContext = {
        config: config[protocol],
        logger: {
          info: (msg, data) => app.log.info({ plugin: module.name, ...data }, msg),
          // Warnings are for the integrator too: they land in the event log under the protocol's name.
          warn: (msg, data) => {
            app.log.warn({ plugin: module.name, ...data }, msg);
            app.repos.events.add("warn", protocol, msg, data);
          },
        },
        now,
        dataDir,
      };
      const io = await module.create(context);
      registry.register({ name: module.name, protocol, version: module.version }, io);
      app.log.info(
        { plugin: module.name, version: module.version },
        `point I/O plugin for ${protocol}: loaded`,
      );
    }
    for (const protocol of Object.keys(config)) {
      if (!registry.get(protocol))
        app.log.warn(`plugins configuration has a section for "${protocol}", which no plugin serves`);
    }
    await registry.start();
    app.decorate("points", registry);
    const bacnet = () => {
      const io = registry.find("bacnet", BacnetPointIO);
      if (!io) throw new HttpError(503, "no BACnet plugin is loaded in this supervisor");
      return io;
    };
    app.decorate("bacnet", { getter: () => bacnet().service });
    app.decorate("discovery", { getter: () => bacnet().discovery });
    app.addHook("onClose", async () => registry.shutdown());
  },
  { name: "protocols", dependencies: ["storage"] },
);
