import {
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
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
  /** A built-in simulator site; the skeleton (one controller) unless a test needs the demo building. */
  site?: string;
  /** More simulator flags (`--routed`, `--trunk-latency`). */
  simArgs?: string[];
}): Promise<DesignerStack> {
  const sim = await startSimulator({
    bind: options.simBind,
    port: options.simPort,
    site: options.site ?? "skeleton",
    ...(options.simArgs ? { extraArgs: options.simArgs } : {}),
  });
  const sup = await startSupervisor({
    bacnetPort: options.supervisorPort,
    broadcast: `127.255.255.255:${options.simPort}`,
  });
  const designer = await startDesigner({ supervisorUrl: sup.url, supervisorToken: sup.token });
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
