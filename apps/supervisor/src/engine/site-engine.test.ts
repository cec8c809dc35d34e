import { describe, expect, it } from "vitest";
import { ownershipProblem } from "./deployer";
import { diffFlows } from "./site-engine";

describe("diffFlows", () => {
  const running = new Map([
    ["ahu", { checksum: "a1", name: "AHU-1" }],
    ["vav", { checksum: "v1", name: "VAV" }],
    ["plant", { checksum: "p1", name: "Plant" }],
  ]);
  it.each([
    [
      "same content: left alone",
      [{ flow_id: "ahu", name: "AHU-1", checksum: "a1" }],
      ["ahu:unchanged", "vav:removed", "plant:removed"],
    ],
    [
      "one flow edited, one added, one removed",
      [
        { flow_id: "ahu", name: "AHU-1", checksum: "a1" },
        { flow_id: "vav", name: "VAV", checksum: "v2" },
        { flow_id: "light", name: "Lighting", checksum: "l1" },
      ],
      ["ahu:unchanged", "vav:restarted", "light:added", "plant:removed"],
    ],
    [
      "a renamed flow keeps its id: a change, not a removal",
      [
        { flow_id: "ahu", name: "AHU-1 north", checksum: "a2" },
        { flow_id: "vav", name: "VAV", checksum: "v1" },
        { flow_id: "plant", name: "Plant", checksum: "p1" },
      ],
      ["ahu:restarted", "vav:unchanged", "plant:unchanged"],
    ],
  ])("%s", (_name, next, expected) => {
    expect(diffFlows(running, next).map((c) => `${c.flow_id}:${c.action}`)).toEqual(expected);
  });

  it("a first deploy adds every flow", () => {
    expect(diffFlows(new Map(), [{ flow_id: "ahu", name: "AHU-1", checksum: "a1" }])).toEqual([
      { flow_id: "ahu", name: "AHU-1", action: "added" },
    ]);
  });
});

describe("ownershipProblem", () => {
  const alpha = { project_id: "alpha", project_name: "Alpha tower" };
  it.each([
    ["empty supervisor", undefined, "beta", "update", false],
    ["same project", alpha, "alpha", "update", false],
    ["another project", alpha, "beta", "update", true],
    ["another project, replace asked for", alpha, "beta", "replace", false],
  ] as const)("%s", (_name, active, incoming, mode, refused) => {
    const problem = ownershipProblem(active, { id: incoming, name: "Beta annex" }, mode);
    expect(problem !== undefined).toBe(refused);
    if (problem) {
      expect(problem.path).toBe("project.id");
      expect(problem.message).toContain('runs project "Alpha tower" (alpha)');
      expect(problem.message).toContain('mode "replace"');
    }
  });
});
