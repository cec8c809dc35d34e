// `pnpm bench`: runs every bench/*.bench.ts one after another (they measure; running them in parallel
// on a 2-core machine would measure each other). Each writes its results to bench/results/, its
// summary keys to bench/results/summary.json and its section of bench/results/REPORT.md (bench/report.ts).
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);
const files = readdirSync(join(root, "bench"))
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
// A full run starts the summary and the report afresh, so every figure in them is from this run; a run of
// some benches updates their keys and sections and keeps the others'.
if (only.length === 0) {
  for (const stale of ["summary.json", "REPORT.md", "report", "charts"])
    rmSync(join(root, "bench", "results", stale), { recursive: true, force: true });
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "bench", file)], {
    cwd: root,
    stdio: "inherit",
  });
  if (run.status !== 0) failed++;
}
console.log(`\n${files.length - failed}/${files.length} benchmarks ran; results in bench/results/`);
process.exit(failed > 0 ? 1 : 0);
