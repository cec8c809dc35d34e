import type { PluginContext, PointIOPluginModule } from "../point-io";
import { MqttConfigSchema, resolveBroker } from "./mqtt-config";
import { MqttPointIO } from "./mqtt-plugin";

/**
 * The MQTT plugin (message/topic pattern): topics are points, flows publish. Configured by the `mqtt`
 * section of the plugins file; the broker URL by `--mqtt-url` / `BMS_MQTT_URL` too. Without a broker it
 * is created disabled, so a site without MQTT loses nothing.
 */
export function createMqttPointIO(
  context: PluginContext,
  env: NodeJS.ProcessEnv = process.env,
  cliUrl?: string,
): MqttPointIO {
  const parsed = MqttConfigSchema.safeParse(context.config ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `mqtt.${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`invalid MQTT plugin configuration: ${problems.join("; ")}`);
  }
  const broker = resolveBroker(parsed.data, env, cliUrl);
  if (broker && !broker.ok) throw new Error(`invalid MQTT plugin configuration: ${broker.message}`);
  return new MqttPointIO(parsed.data, broker?.target, context);
}

/** The built-in module; `cliUrl` is `--mqtt-url`, which wins over the environment and the file. */
export function mqttPluginModule(cliUrl?: string): PointIOPluginModule {
  return {
    name: "@bms/mqtt",
    protocol: "mqtt",
    version: "1.0.0",
    create: (context) => createMqttPointIO(context, process.env, cliUrl),
  };
}

export default mqttPluginModule();
