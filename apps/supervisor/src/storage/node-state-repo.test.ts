import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database";
import { NodeStateRepo } from "./node-state-repo";

const state = (nodeId: string, integral: number) =>
  JSON.stringify({ node_id: nodeId, state: { integral }, outputs: null, last_run_at: 1000 });

describe("NodeStateRepo", () => {
  it("writes the saves of one event-loop turn, from every flow, in one transaction", () => {
    const dir = tempDir("node-state");
    const turns: (() => void)[] = [];
    const repo = new NodeStateRepo(openDatabase(dir), (flush) => turns.push(flush));
    repo.save("ahu", [{ nodeId: "pid", json: state("pid", 1) }]);
    repo.save("vav", [
      { nodeId: "pid", json: state("pid", 2) },
      { nodeId: "timer", json: state("timer", 3) },
    ]);
    // A later save of the same node in the same turn replaces the earlier one.
    repo.save("ahu", [{ nodeId: "pid", json: state("pid", 4) }]);
    expect(turns).toHaveLength(1);
    expect(repo.transactions).toBe(0);

    turns[0]!();
    expect(repo.transactions).toBe(1);
    const reopened = new NodeStateRepo(openDatabase(dir));
    expect(reopened.load("ahu")).toEqual([JSON.parse(state("pid", 4))]);
    expect(reopened.load("vav").map((s) => s.node_id)).toEqual(["pid", "timer"]);
  });

  it("a load writes what is pending first, so a redeploy resumes from the last scan", () => {
    const repo = new NodeStateRepo(openDatabase(tempDir("node-state")), () => {});
    repo.save("ahu", [{ nodeId: "pid", json: state("pid", 7) }]);
    expect(repo.load("ahu")).toEqual([JSON.parse(state("pid", 7))]);
    expect(repo.transactions).toBe(1);
  });

  it("a turn that ends after the database closed (shutdown) does not throw", () => {
    const db = openDatabase(tempDir("node-state"));
    const turns: (() => void)[] = [];
    const repo = new NodeStateRepo(db, (flush) => turns.push(flush));
    repo.save("ahu", [{ nodeId: "pid", json: state("pid", 1) }]);
    repo.flush();
    db.close();
    repo.save("ahu", [{ nodeId: "pid", json: state("pid", 2) }]);
    expect(() => turns[1]!()).not.toThrow();
    expect(repo.transactions).toBe(1);
  });
});
