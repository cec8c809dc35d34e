import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";

const UNIT = readFileSync(
  new URL("../../../../scripts/release/bms-supervisor.service", import.meta.url),
  "utf8",
);

/** The unit as install.sh writes it, into a scratch root whose launcher exists (verify checks ExecStart). */
function installedUnit(): { file: string; text: string } {
  const root = tempDir("unit");
  mkdirSync(join(root, "opt/current/bin"), { recursive: true });
  mkdirSync(join(root, "data"));
  const launcher = join(root, "opt/current/bin/bms-supervisor-launcher");
  writeFileSync(launcher, "#!/bin/sh\n");
  chmodSync(launcher, 0o755);
  const text = UNIT.replaceAll("@PREFIX@", join(root, "opt")).replaceAll("@DATA_DIR@", join(root, "data"));
  const file = join(root, "bms-supervisor.service");
  writeFileSync(file, text);
  return { file, text };
}

function directives(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[2]!]);
  }
  return map;
}

describe("the systemd unit install.sh writes", () => {
  it("is hardened: read-only system, only the data dir writable, no privileges, private /tmp", () => {
    const { text } = installedUnit();
    const d = directives(text);
    expect(d.get("ProtectSystem")).toEqual(["strict"]);
    expect(d.get("NoNewPrivileges")).toEqual(["true"]);
    expect(d.get("CapabilityBoundingSet")).toEqual([""]);
    expect(d.get("PrivateTmp")).toEqual(["true"]);
    expect(d.get("User")).toEqual(["bms"]);
    const dataDir = d
      .get("Environment")!
      .find((e) => e.startsWith("BMS_DATA_DIR="))!
      .slice("BMS_DATA_DIR=".length);
    expect(d.get("ReadWritePaths")).toEqual([dataDir]);
    expect(d.get("ExecStart")![0]).toMatch(/\/current\/bin\/bms-supervisor-launcher all$/);
    expect(text).not.toMatch(/@[A-Z_]+@/);
  });

  const analyze = spawnSync("systemd-analyze", ["--version"]).status === 0;
  it.skipIf(!analyze)(
    "passes systemd-analyze verify with no warning (unknown keys would be reported)",
    () => {
      const { file } = installedUnit();
      const run = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr.trim()).toBe("");
      // The check does catch a misspelt hardening key.
      writeFileSync(file, readFileSync(file, "utf8").replace("ProtectSystem=", "ProtectSystm="));
      expect(spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" }).stderr).toMatch(
        /Unknown key/,
      );
    },
  );

  it("install.sh is valid POSIX sh", () => {
    execFileSync("sh", ["-n", new URL("../../../../scripts/release/install.sh", import.meta.url).pathname]);
  });
});
