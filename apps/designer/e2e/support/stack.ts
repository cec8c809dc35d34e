import { buildDeploymentPackage } from "@bms/schemas";
import {
  deployPackage,
  reheatOverrideFlow,
  type SimulatorHandle,
  type SupervisorHandle,
  type SupervisorOptions,
  startSiteStack,
} from "@bms/test-support";
import { type BrowserSession, openBrowser } from "./browser";
import { type DesignerHandle, startDesigner } from "./designer";

export interface DesignerStack {
  sim: SimulatorHandle;
  sup: SupervisorHandle;
  designer: DesignerHandle;
  browser: BrowserSession;
  stop(): Promise<void>;
}

/**
 * What the browser tests drive: the simulator's skeleton site, a supervisor on it, the built Designer
 * pointed at that supervisor, and a fresh Chromium. Each test file passes its own address and ports.
 */
export async function startDesignerStack(options: {
  simBind: string;
  simPort: number;
  supervisorPort: number;
  /** The supervisor's BACnet address (127.0.0.1 unless given). */
  supervisorBind?: string;
  /** A built-in simulator site; the skeleton (one controller) unless a test needs the demo building. */
  site?: string;
  /** More simulator flags (`--routed`, `--trunk-latency`). */
  simArgs?: string[];
  /** Discovery by the supervisor before the Designer starts (most tests discover from the UI). */
  discover?: { device?: number; timeoutMs?: number };
  /** More supervisor settings (environment, flags), e.g. device-alarm registration. */
  supervisor?: Pick<SupervisorOptions, "env" | "extraArgs">;
  /** More Designer environment, e.g. a pinned report signing key for the local supervisor. */
  designerEnv?: Record<string, string>;
}): Promise<DesignerStack> {
  const { sim, sup } = await startSiteStack({
    site: options.site ?? "skeleton",
    simBind: options.simBind,
    simPort: options.simPort,
    supPort: options.supervisorPort,
    ...(options.supervisorBind ? { supBind: options.supervisorBind } : {}),
    ...(options.simArgs ? { simArgs: options.simArgs } : {}),
    ...(options.discover ? { discover: options.discover } : {}),
    ...(options.supervisor ? { supervisor: options.supervisor } : {}),
  });
  const designer = await startDesigner({
    supervisorUrl: sup.url,
    supervisorToken: sup.token,
    ...(options.designerEnv ? { env: options.designerEnv } : {}),
  });
  const browser = await openBrowser();
  return {
    sim,
    sup,
    designer,
    browser,
    async stop() {
      await browser.close();
      await designer.stop();
      await sup.stop();
      await sim.stop();
    },
  };
}

/**
 * The demo building with its supervisor (discovery done) running reheatOverrideFlow() as the "Demo
 * plant" project, deployed straight to the supervisor: what the commissioning tests start from.
 */
export async function startDemoPlantStack(addresses: {
  simBind: string;
  simPort: number;
  supervisorBind: string;
  supervisorPort: number;
  designerEnv?: Record<string, string>;
}): Promise<DesignerStack> {
  const stack = await startDesignerStack({ ...addresses, site: "demo", discover: {} });
  await deployPackage(
    stack.sup,
    buildDeploymentPackage({
      project_id: "demo-plant",
      project_name: "Demo plant",
      configuration: reheatOverrideFlow(),
      bacnet_objects: [],
      created_at: new Date().toISOString(),
    }),
  );
  return stack;
}
