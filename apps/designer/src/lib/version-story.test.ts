import { describe, expect, it } from "vitest";
import { activeConfig, versionStory } from "./version-story";

describe("versionStory", () => {
  const history = {
    active_version: 4,
    versions: [
      { version: 4, project_id: "p1", project_name: "AHU", project_version: 2 },
      { version: 3, project_id: "p1", project_name: "AHU", project_version: 1 },
    ],
  };

  it.each([
    [
      "the active config of this project",
      "p1",
      true,
      "project v2 → running as config v4 on Local supervisor",
    ],
    ["a stopped one", "p1", false, "project v2 → stopped as config v4 on Local supervisor"],
    [
      "another project's config",
      "p2",
      true,
      "Local supervisor is running another project (AHU) as config v4",
    ],
  ])("tells %s", (_what, projectId, running, expected) => {
    expect(versionStory(projectId, activeConfig(history), "Local supervisor", running)).toBe(expected);
  });

  it("says when nothing is deployed, and when an older Designer did not record the version", () => {
    expect(versionStory("p1", activeConfig({ active_version: null, versions: [] }), "Site A")).toBe(
      "not deployed on Site A",
    );
    expect(versionStory("p1", { version: 7, project_id: "p1", project_version: null }, "Site A")).toBe(
      "project (version not recorded) → running as config v7 on Site A",
    );
  });
});
