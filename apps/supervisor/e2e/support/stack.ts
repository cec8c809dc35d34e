import { buildDeploymentPackage } from "@bms/schemas";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { skeletonFlow } from "../../test/fixtures";

export const DEPLOYED_BY = "commissioning engineer";

export interface DashboardStack {
  sim: SimulatorHandle;
  sup: SupervisorHandle;
  stop(): Promise<void>;
}

/**
 * The real thing the dashboard watches: the simulator's skeleton controller, a supervisor that
 * discovered it, and the skeleton flow (zone temp -> threshold -> cooling command) running at 500 ms.
 * Each test file passes its own loopback address and ports.
 */
export async function startStack(options: {
  simBind: string;
  simPort: number;
  supervisorBacnetPort: number;
  /** Reads without sign-in (`--public-read`, as `pnpm start`); the sign-in tests turn it off. */
  publicRead?: boolean;
  env?: Record<string, string>;
}): Promise<DashboardStack> {
  const sim = await startSimulator({ bind: options.simBind, port: options.simPort, site: "skeleton" });
  const sup = await startSupervisor({
    bacnetPort: options.supervisorBacnetPort,
    broadcast: `127.255.255.255:${options.simPort}`,
    publicRead: options.publicRead ?? true,
    ...(options.env ? { env: options.env } : {}),
  });
  const deviceFound = await api<{ devices: { device_id: number }[] }>(
    sup.url,
    "/api/devices/discover?wait=true",
    {
      body: { timeout_ms: 1500 },
      token: sup.token,
    },
  );
  if (!deviceFound.body.devices.some((d) => d.device_id === 1001)) {
    throw new Error(`the supervisor did not discover the simulator: ${JSON.stringify(deviceFound.body)}`);
  }
  // As packageOf() in test/fixtures, plus who deployed it (inside the checksum), which the overview shows.
  const pkg = buildDeploymentPackage({
    project_id: "skeleton",
    project_name: "Skeleton",
    configuration: skeletonFlow({ limit: 24.5, name: "Zone cooling" }),
    bacnet_objects: [],
    created_at: new Date().toISOString(),
    deployed_by: DEPLOYED_BY,
  });
  const deploy = await api(sup.url, "/api/config/deploy", { body: pkg, token: sup.token });
  if (deploy.status !== 200)
    throw new Error(`deploy failed: ${deploy.status} ${JSON.stringify(deploy.body)}`);
  // A few scans, so every view has something to show.
  await eventually(async () => {
    const { body } = await api<{ execution_count: number }>(sup.url, "/api/execution/status", {
      token: sup.token,
    });
    return body.execution_count >= 4 ? true : undefined;
  });
  return {
    sim,
    sup,
    async stop() {
      await sup.stop();
      await sim.stop();
    },
  };
}
