import { OBJECT_TYPES, PROPERTIES } from "@bms/bacnet";
import {
  DEMO_REHEAT_VALVE,
  DEMO_VAV1,
  DEMO_ZONE_TEMP,
  deployPackage,
  discoverDevice,
  eventually,
  type SiteStack,
  startSiteStack,
  testFlow,
} from "@bms/test-support";
import { openProbe, targetOf } from "./bacnet-probe";
import { packageOf } from "./fixtures";

/**
 * The set-up of the commissioning write-test files (cancel, crash): the simulator's demo building, a
 * supervisor with VAV-1's flow deployed, which holds the reheat valve at 35 % on priority 8 and reads
 * the zone temperature, and a separate BACnet client (the probe) that reads the valve's priority array
 * from the device itself, through the demo's router (VAV-1 is on network 2001).
 */

/** Loopback addresses and UDP ports of the file's own. */
export interface ValveNetwork {
  simBind: string;
  simPort: number;
  supBind: string;
  supPort: number;
  probeBind: string;
  probePort: number;
}

/** The value VAV-1's flow holds the reheat valve at, and its priority. */
export const FLOW_LEVEL = 35;
export const FLOW_PRIORITY = 8;

export function valveSite() {
  return testFlow({
    name: "VAV-1",
    intervalMs: 300,
    nodes: [
      { id: "zone", type: "sensor_read", config: { point: DEMO_ZONE_TEMP } },
      { id: "level", type: "constant", config: { value: FLOW_LEVEL } },
      {
        id: "reheat",
        type: "actuator_write",
        config: { point: DEMO_REHEAT_VALVE, priority: FLOW_PRIORITY },
      },
    ],
    connections: [{ from_node: "level", from_output: "value", to_node: "reheat", to_input: "value" }],
  });
}

export interface ValveStack extends SiteStack {
  /** The valve's 16 slots as the device answers the probe. */
  priorityArray(): Promise<unknown[]>;
}

export async function startValveStack(network: ValveNetwork, siteName: string): Promise<ValveStack> {
  const site = await startSiteStack({
    site: "demo",
    simBind: network.simBind,
    simPort: network.simPort,
    supBind: network.supBind,
    supPort: network.supPort,
  });
  const stopSite = site.stop;
  let probe: Awaited<ReturnType<typeof openProbe>> | undefined;
  try {
    const opened = await openProbe(network.probeBind, network.probePort);
    probe = opened;
    const vav = targetOf(await discoverDevice(site.sup, DEMO_VAV1, 2000));
    const stack: ValveStack = Object.assign(site, {
      async priorityArray() {
        const slots: unknown[] = [];
        for (let p = 1; p <= 16; p++)
          slots.push(
            (await opened.read(vav, OBJECT_TYPES.analogOutput, 2, PROPERTIES.priorityArray, p))[0] ?? null,
          );
        return slots;
      },
      async stop() {
        opened.close();
        await stopSite();
      },
    });
    await deployPackage(site.sup, packageOf(valveSite(), siteName));
    await eventually(async () =>
      (await stack.priorityArray())[FLOW_PRIORITY - 1] === FLOW_LEVEL ? true : undefined,
    );
    return stack;
  } catch (error) {
    probe?.close();
    await stopSite();
    throw error;
  }
}
