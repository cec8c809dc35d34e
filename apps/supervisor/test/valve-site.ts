import { OBJECT_TYPES, PROPERTIES } from "@bms/bacnet";
import {
  api,
  DEMO_REHEAT_VALVE,
  DEMO_VAV1,
  DEMO_ZONE_TEMP,
  discoverDevice,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  type SupervisorOptions,
  startSimulator,
  startSupervisor,
  testFlow,
} from "@bms/test-support";
import { openProbe, type ProbeTarget, targetOf } from "./bacnet-probe";
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

export interface ValveStack {
  sim: SimulatorHandle;
  sup: SupervisorHandle;
  /** A supervisor on the same addresses (a restart: pass the data dir of the one before). */
  startSupervisor(dataDir?: string): Promise<SupervisorHandle>;
  /** The valve's 16 slots as the device answers the probe. */
  priorityArray(): Promise<unknown[]>;
  stop(): Promise<void>;
}

export async function startValveStack(network: ValveNetwork, siteName: string): Promise<ValveStack> {
  const supervisor = (dataDir?: string) =>
    startSupervisor({
      bacnetBind: network.supBind,
      bacnetPort: network.supPort,
      broadcast: `127.255.255.255:${network.simPort}`,
      ...(dataDir ? { dataDir } : {}),
    } satisfies SupervisorOptions);
  const sim = await startSimulator({ bind: network.simBind, port: network.simPort, site: "demo" });
  let probe: Awaited<ReturnType<typeof openProbe>> | undefined;
  let vav: ProbeTarget = "";
  const stack: ValveStack = {
    sim,
    sup: undefined as never,
    startSupervisor: async (dataDir) => {
      stack.sup = await supervisor(dataDir);
      return stack.sup;
    },
    async priorityArray() {
      const slots: unknown[] = [];
      for (let p = 1; p <= 16; p++)
        slots.push(
          (await probe!.read(vav, OBJECT_TYPES.analogOutput, 2, PROPERTIES.priorityArray, p))[0] ?? null,
        );
      return slots;
    },
    async stop() {
      probe?.close();
      await stack.sup?.stop();
      await sim.stop();
    },
  };
  try {
    const sup = await stack.startSupervisor();
    probe = await openProbe(network.probeBind, network.probePort);
    vav = targetOf(await discoverDevice(sup, DEMO_VAV1, 2000));
    const deployed = await api(sup.url, "/api/config/deploy", {
      body: packageOf(valveSite(), siteName),
      token: sup.token,
    });
    if (deployed.status !== 200)
      throw new Error(`deploy: ${deployed.status} ${JSON.stringify(deployed.body)}`);
    await eventually(async () =>
      (await stack.priorityArray())[FLOW_PRIORITY - 1] === FLOW_LEVEL ? true : undefined,
    );
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
