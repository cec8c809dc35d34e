import type { ModbusProfile } from "@bms/schemas";
import { BUILTIN_MODBUS_PROFILES_DIR, loadModbusProfiles } from "@bms/schemas/modbus-profile-files";
import type { SimDevice } from "../device/sim-device";
import type { SimObject } from "../objects/sim-object";
import { SiteBuildError } from "../site/build-site";
import type { SiteSpec } from "../site/site-schema";
import { RegisterBank } from "./register-bank";

let shipped: Map<string, ModbusProfile> | undefined;

/** The profiles shipped in packages/schemas: the same files the supervisor's plugin reads. */
export function shippedProfiles(): Map<string, ModbusProfile> {
  shipped ??= loadModbusProfiles([BUILTIN_MODBUS_PROFILES_DIR]);
  return shipped;
}

/**
 * The site's Modbus units by unit id. Every binding must name a register of the profile and an object
 * of the device; a register left unbound is simply not served (reads of it answer illegal address).
 */
export function buildModbusUnits(
  site: SiteSpec,
  devices: readonly SimDevice[],
  profiles: ReadonlyMap<string, ModbusProfile> = shippedProfiles(),
): Map<number, RegisterBank> {
  const units = new Map<number, RegisterBank>();
  site.devices.forEach((spec, i) => {
    const device = devices.find((d) => d.instance === spec.instance);
    spec.modbus?.forEach((m, j) => {
      const path = `devices[${i}].modbus[${j}]`;
      const profile = profiles.get(m.profile);
      if (!profile) {
        throw new SiteBuildError(
          `${path}.profile`,
          `no Modbus profile "${m.profile}" (have: ${[...profiles.keys()].sort().join(", ")})`,
        );
      }
      const bindings = new Map<string, SimObject>();
      for (const [name, key] of Object.entries(m.bind)) {
        if (!profile.registers.some((r) => r.name === name)) {
          throw new SiteBuildError(`${path}.bind.${name}`, `profile ${profile.id} has no register "${name}"`);
        }
        const object = device?.objects.find((o) => o.key === key);
        if (!object) throw new SiteBuildError(`${path}.bind.${name}`, `${key} does not exist on this device`);
        bindings.set(name, object);
      }
      units.set(m.unit, new RegisterBank(m.unit, profile, bindings));
    });
  });
  return units;
}
