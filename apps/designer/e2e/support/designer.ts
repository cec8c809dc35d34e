import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, type RunningProcess, startProcess, tempDir } from "@bms/test-support";
import { freePort } from "./ports";

export const DESIGNER_DIR = join(REPO_ROOT, "apps/designer");

export interface DesignerHandle extends RunningProcess {
  url: string;
  dataDir: string;
}

/**
 * Starts the built Designer (`next start`) as a real process with its own data directory. The root
 * `pnpm test:e2e` builds it first; a missing build is reported plainly instead of a 60 s timeout.
 */
export async function startDesigner(options: {
  supervisorUrl?: string;
  supervisorToken?: string;
  dataDir?: string;
  env?: Record<string, string>;
}): Promise<DesignerHandle> {
  if (!existsSync(join(DESIGNER_DIR, ".next", "BUILD_ID"))) {
    throw new Error(
      "apps/designer is not built: run `pnpm --filter @bms/designer build` (pnpm test:e2e does)",
    );
  }
  const port = await freePort();
  const dataDir = options.dataDir ?? tempDir("designer");
  const nextBin = join(DESIGNER_DIR, "node_modules", "next", "dist", "bin", "next");
  const proc = await startProcess(
    process.execPath,
    [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      name: "designer",
      cwd: DESIGNER_DIR,
      env: {
        BMS_DATA_DIR: dataDir,
        BMS_SUPERVISOR_URL: options.supervisorUrl ?? "http://127.0.0.1:9",
        BMS_SUPERVISOR_TOKEN: options.supervisorToken ?? "",
        NEXT_TELEMETRY_DISABLED: "1",
        NODE_ENV: "production",
        ...options.env,
      },
      ready: /Ready in/,
    },
  );
  return Object.assign(proc, { url: `http://127.0.0.1:${port}`, dataDir });
}
