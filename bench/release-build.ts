// The release bundle as a site box installs it (`pnpm release`, unpacked), for the benches that measure
// the supervisor as shipped: bin/bms-supervisor runs it with the V8 flags the release passes by default.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, tempDir } from "@bms/test-support";

export interface ReleaseBuild {
  /** Where it was unpacked (a fresh temp dir). */
  work: string;
  /** bin/bms-supervisor: `exec node <default flags> lib/app/supervisor.mjs`, so its pid is the supervisor's. */
  bin: string;
  /** The V8 flags bin/bms-supervisor passes when BMS_NODE_FLAGS is unset (read from the script itself). */
  defaultFlags: string;
}

export function buildRelease(prefix: string): ReleaseBuild {
  const work = tempDir(prefix);
  execFileSync(process.execPath, ["scripts/release.mjs", "--version", "0.0.0-bench", "--out", work], {
    cwd: REPO_ROOT,
  });
  execFileSync("tar", ["-xzf", join(work, `bms-supervisor-0.0.0-bench-linux-${arch()}.tar.gz`), "-C", work]);
  const bin = join(work, `bms-supervisor-0.0.0-bench-linux-${arch()}`, "bin/bms-supervisor");
  const defaultFlags = /\$\{BMS_NODE_FLAGS-([^}]*)\}/.exec(readFileSync(bin, "utf8"))?.[1];
  if (defaultFlags === undefined) throw new Error(`${bin} does not show its default node flags`);
  return { work, bin, defaultFlags: defaultFlags.trim() };
}

/**
 * The flags a bench's supervisor runs with: BMS_NODE_FLAGS when set (as a site would set it), else the
 * release's default; BMS_CHILD_NODE_ARGS (profiling: --cpu-prof, --heap-prof) is added either way.
 */
export function shippedFlags(build: ReleaseBuild): string {
  const base = process.env.BMS_NODE_FLAGS ?? build.defaultFlags;
  return [base, process.env.BMS_CHILD_NODE_ARGS ?? ""].join(" ").trim();
}
