import { OBJECT_TYPES as T, unitsId } from "@bms/bacnet";
import type { SimDevice } from "../../device/sim-device";
import { SimObject, type SimObjectInit } from "../../objects/sim-object";

type Extra = Partial<
  Pick<SimObjectInit, "description" | "covIncrement" | "minPresValue" | "maxPresValue" | "initialValue">
>;

function units(name: string): number {
  const id = unitsId(name);
  if (id === undefined) throw new Error(`unknown unit ${name}`);
  return id;
}

/**
 * Creates an equipment model's points on its device: instance = base + offset, name = "<equipment>
 * <point>", so ten VAVs on one device would still get distinct ids and names.
 */
export class PointFactory {
  constructor(
    private readonly device: SimDevice,
    private readonly base: number,
    private readonly prefix: string,
  ) {}

  private add(init: SimObjectInit): SimObject {
    const object = new SimObject({
      ...init,
      instance: this.base + init.instance,
      name: `${this.prefix} ${init.name}`,
    });
    this.device.addObject(object);
    return object;
  }

  ai(offset: number, name: string, unit: string, extra: Extra = {}): SimObject {
    return this.add({
      type: T.analogInput,
      instance: offset,
      name,
      units: units(unit),
      covIncrement: 0.1,
      ...extra,
    });
  }

  ao(offset: number, name: string, unit: string, relinquishDefault: number, extra: Extra = {}): SimObject {
    return this.add({
      type: T.analogOutput,
      instance: offset,
      name,
      units: units(unit),
      relinquishDefault,
      covIncrement: 1,
      minPresValue: 0,
      maxPresValue: 100,
      ...extra,
    });
  }

  av(offset: number, name: string, unit: string, relinquishDefault: number, extra: Extra = {}): SimObject {
    return this.add({
      type: T.analogValue,
      instance: offset,
      name,
      units: units(unit),
      commandable: true,
      relinquishDefault,
      covIncrement: 0.1,
      ...extra,
    });
  }

  bi(
    offset: number,
    name: string,
    texts: [active: string, inactive: string] = ["On", "Off"],
    extra: Extra = {},
  ): SimObject {
    return this.add({
      type: T.binaryInput,
      instance: offset,
      name,
      activeText: texts[0],
      inactiveText: texts[1],
      ...extra,
    });
  }

  bo(
    offset: number,
    name: string,
    relinquishDefault: 0 | 1,
    texts: [string, string] = ["On", "Off"],
    extra: Extra = {},
  ): SimObject {
    return this.add({
      type: T.binaryOutput,
      instance: offset,
      name,
      relinquishDefault,
      activeText: texts[0],
      inactiveText: texts[1],
      ...extra,
    });
  }

  bv(
    offset: number,
    name: string,
    relinquishDefault: 0 | 1,
    texts: [string, string] = ["Enabled", "Disabled"],
    extra: Extra & { commandable?: boolean } = {},
  ): SimObject {
    return this.add({
      type: T.binaryValue,
      instance: offset,
      name,
      commandable: true,
      relinquishDefault,
      activeText: texts[0],
      inactiveText: texts[1],
      ...extra,
    });
  }

  msi(offset: number, name: string, states: string[]): SimObject {
    return this.add({ type: T.multiStateInput, instance: offset, name, stateText: states, initialValue: 1 });
  }

  mso(offset: number, name: string, states: string[], relinquishDefault: number): SimObject {
    return this.add({
      type: T.multiStateOutput,
      instance: offset,
      name,
      stateText: states,
      relinquishDefault,
    });
  }

  msv(
    offset: number,
    name: string,
    states: string[],
    relinquishDefault: number,
    extra: Extra = {},
  ): SimObject {
    return this.add({
      type: T.multiStateValue,
      instance: offset,
      name,
      commandable: true,
      relinquishDefault,
      stateText: states,
      ...extra,
    });
  }
}
