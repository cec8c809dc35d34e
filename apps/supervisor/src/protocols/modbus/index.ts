import type { ValidationProblem } from "@bms/schemas";
import {
  BUILTIN_MODBUS_PROFILES_DIR,
  loadModbusProfiles,
  ModbusProfileError,
} from "@bms/schemas/modbus-profile-files";
import type { PluginContext, PointIOPluginModule } from "../point-io";
import { parseModbusConfig } from "./modbus-config";
import { ModbusPointIO } from "./modbus-plugin";

/** The plugin's configuration or one of its profiles is unusable: every problem, with its path. */
export class ModbusConfigError extends Error {
  override name = "ModbusConfigError";
  constructor(
    readonly code: "config_invalid" | "invalid_profile",
    readonly problems: ValidationProblem[],
  ) {
    super(`Modbus plugin: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  }
}

/** Validates the plugin's config section, loads the shipped and site profiles, and builds the plugin. */
export function createModbusPointIO(
  context: Pick<PluginContext, "config" | "now" | "logger">,
): ModbusPointIO {
  const parsed = parseModbusConfig(context.config);
  if (!parsed.ok) throw new ModbusConfigError("config_invalid", parsed.errors);
  const config = parsed.value;
  let profiles: ReturnType<typeof loadModbusProfiles>;
  try {
    const dirs = [BUILTIN_MODBUS_PROFILES_DIR];
    if (config.profiles_dir) dirs.push(config.profiles_dir);
    profiles = loadModbusProfiles(dirs);
  } catch (err) {
    if (err instanceof ModbusProfileError) {
      throw new ModbusConfigError(
        "invalid_profile",
        err.problems.map((p) => ({ path: `${err.file}: ${p.path}`, message: p.message })),
      );
    }
    throw new ModbusConfigError("config_invalid", [
      { path: "profiles_dir", message: `cannot read ${config.profiles_dir}: ${String(err)}` },
    ]);
  }
  const unknown = config.devices.flatMap((d, i) =>
    d.profile !== undefined && !profiles.has(d.profile)
      ? [
          {
            path: `devices[${i}].profile`,
            message: `no profile "${d.profile}" (have: ${[...profiles.keys()].sort().join(", ")})`,
          },
        ]
      : [],
  );
  if (unknown.length > 0) throw new ModbusConfigError("config_invalid", unknown);
  return new ModbusPointIO(config, profiles, { now: context.now, logger: context.logger });
}

const modbusPlugin: PointIOPluginModule = {
  name: "@bms/modbus",
  protocol: "modbus",
  version: "1.0.0",
  create: (context) => createModbusPointIO(context),
};

export default modbusPlugin;
