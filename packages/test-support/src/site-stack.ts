import {
  api,
  discoverDevice,
  type SimulatorHandle,
  type SupervisorHandle,
  type SupervisorOptions,
  startSimulator,
  startSupervisor,
} from "./programs";

export interface SiteStack {
  sim: SimulatorHandle;
  /** The supervisor: the one `startSupervisor` started last. */
  sup: SupervisorHandle;
  /**
   * Starts a supervisor on the same addresses, options and (given) data dir in place of `sup`: a restart
   * after the caller stopped or killed the one before. `stop` stops this one.
   */
  startSupervisor(dataDir?: string): Promise<SupervisorHandle>;
  stop(): Promise<void>;
}

/**
 * A simulator site and a supervisor on it, what most end-to-end tests start from; each test file passes
 * its own loopback addresses and BACnet ports. `beforeSupervisor` runs between the two (an alarm that
 * must already stand). With `discover`, the supervisor runs discovery (Who-Is, waiting for the answers)
 * before this returns, and a `device` that did not answer fails the set-up with what was found. A set-up
 * that fails stops what it started.
 */
export async function startSiteStack(options: {
  /** A built-in simulator site, or a site file. */
  site: string;
  simBind: string;
  simPort: number;
  /** The supervisor's BACnet address (127.0.0.1 unless given). */
  supBind?: string;
  supPort: number;
  supervisor?: Omit<SupervisorOptions, "bacnetBind" | "bacnetPort" | "broadcast">;
  simArgs?: string[];
  beforeSupervisor?: (sim: SimulatorHandle) => Promise<unknown>;
  discover?: { device?: number; timeoutMs?: number };
}): Promise<SiteStack> {
  const sim = await startSimulator({
    bind: options.simBind,
    port: options.simPort,
    site: options.site,
    ...(options.simArgs ? { extraArgs: options.simArgs } : {}),
  });
  const stack: SiteStack = {
    sim,
    sup: undefined as never,
    async startSupervisor(dataDir) {
      stack.sup = await startSupervisor({
        ...options.supervisor,
        ...(options.supBind ? { bacnetBind: options.supBind } : {}),
        bacnetPort: options.supPort,
        broadcast: `127.255.255.255:${options.simPort}`,
        ...(dataDir ? { dataDir } : {}),
      });
      return stack.sup;
    },
    async stop() {
      await stack.sup?.stop();
      await sim.stop();
    },
  };
  try {
    await options.beforeSupervisor?.(sim);
    const sup = await stack.startSupervisor();
    const discover = options.discover;
    if (discover?.device !== undefined) await discoverDevice(sup, discover.device, discover.timeoutMs);
    else if (discover)
      await api(sup.url, "/api/devices/discover?wait=true", {
        body: { timeout_ms: discover.timeoutMs ?? 1500 },
        token: sup.token,
      });
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Deploys a package (a site or one flow's); a refusal fails the set-up with the supervisor's answer. */
export async function deployPackage(sup: { url: string; token: string }, pkg: unknown): Promise<void> {
  const deployed = await api(sup.url, "/api/config/deploy", { body: pkg, token: sup.token });
  if (deployed.status !== 200)
    throw new Error(`deploy refused: ${deployed.status} ${JSON.stringify(deployed.body)}`);
}

/** What `point` holds at `priority` in the device's own priority array (null: the slot is empty). */
export async function prioritySlot(
  sup: { url: string; token: string },
  point: string,
  priority: number,
): Promise<unknown> {
  const r = await api<{ slots: { priority: number; value: unknown }[] }>(
    sup.url,
    `/api/points/priority?point=${encodeURIComponent(point)}`,
    { token: sup.token },
  );
  return r.body.slots.find((s) => s.priority === priority)?.value ?? null;
}

/** Sets a simulated object's present value (`analogInput/1`), as the plant would move it; null releases it. */
export function overrideObject(
  sim: { webUrl: string },
  device: number,
  object: string,
  value: number | boolean | null,
) {
  return api(sim.webUrl, `/api/devices/${device}/objects/${object}/override`, { body: { value } });
}

/** A node's output value as the supervisor reports it now (`GET /api/execution/state`). */
export async function nodeOutput(sup: { url: string }, nodeId: string, port: string): Promise<unknown> {
  const { body } = await api<{
    node_statuses: { node_id: string; output_values: Record<string, { value: unknown }> }[];
  }>(sup.url, "/api/execution/state");
  return body.node_statuses.find((n) => n.node_id === nodeId)?.output_values[port]?.value;
}
