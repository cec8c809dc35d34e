import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The workspace root: `next start` runs in apps/designer, `pnpm start` at the root; both must agree. */
function findRepoRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}

/** Where projects.db lives: BMS_DATA_DIR, else `<repo>/data` (ARCHITECTURE.md: all data in ./data). */
export function dataDir(): string {
  const dir = process.env.BMS_DATA_DIR?.trim() || join(findRepoRoot(process.cwd()), "data");
  mkdirSync(dir, { recursive: true });
  return dir;
}
