import { buildDeploymentPackage } from "@bms/schemas";
import { api, deployPackage, eventually, type SiteStack, startSiteStack } from "@bms/test-support";
import { skeletonFlow } from "../../test/fixtures";

export const DEPLOYED_BY = "commissioning engineer";

export type DashboardStack = SiteStack;

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
  const stack = await startSiteStack({
    site: "skeleton",
    simBind: options.simBind,
    simPort: options.simPort,
    supPort: options.supervisorBacnetPort,
    supervisor: { publicRead: options.publicRead ?? true, ...(options.env ? { env: options.env } : {}) },
    discover: { device: 1001 },
  });
  // As packageOf() in test/fixtures, plus who deployed it (inside the checksum), which the overview shows.
  const pkg = buildDeploymentPackage({
    project_id: "skeleton",
    project_name: "Skeleton",
    configuration: skeletonFlow({ limit: 24.5, name: "Zone cooling" }),
    bacnet_objects: [],
    created_at: new Date().toISOString(),
    deployed_by: DEPLOYED_BY,
  });
  const { sup } = stack;
  await deployPackage(sup, pkg);
  // A few scans, so every view has something to show.
  await eventually(async () => {
    const { body } = await api<{ execution_count: number }>(sup.url, "/api/execution/status", {
      token: sup.token,
    });
    return body.execution_count >= 4 ? true : undefined;
  });
  return stack;
}
