import { join } from "node:path";
import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./db/client";
import { listProjects } from "./db/projects-repository";
import { buildProjectSite } from "./deploy-service";

describe("buildProjectSite", () => {
  // The supervisor's Overview shows it as "Deployed by": the editor's Deploy and a rollout name the person.
  it.each([
    ["ada", "ada (Designer)"],
    [undefined, "designer"],
  ])("records who deployed (%s → %s)", (user, expected) => {
    const db = openDatabase(join(tempDir("deploy-service"), "projects.db"));
    const demo = listProjects(db)[0]!;
    const site = buildProjectSite(db, demo.id, undefined, user);
    if (!site.ok) throw new Error(site.error);
    expect(site.pkg.deployed_by).toBe(expected);
    db.close();
  });
});
