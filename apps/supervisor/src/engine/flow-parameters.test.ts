import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../storage/database";
import { FlowRunStateRepo } from "../storage/flow-run-state-repo";
import { ParametersRepo } from "../storage/parameters-repo";
import { FlowParameters } from "./flow-parameters";

const A = "flow-a";
const B = "flow-b";

describe("flow parameters", () => {
  it("keeps one namespace per flow, and an operator's values across a reopen of runtime.db", () => {
    const dir = tempDir("params");
    const first = new FlowParameters(new ParametersRepo(openDatabase(dir)));
    first.forFlow(A).set("setpoint", 20);
    first.forFlow(B).set("setpoint", 20);
    first.set(A, "setpoint", 23);
    first.signal(B, "latch_reset:trip", 5);
    expect([first.get(A, "setpoint"), first.get(B, "setpoint")]).toEqual([23, 20]);
    expect(first.get(A, "latch_reset:trip")).toBeUndefined();

    const reopened = new FlowParameters(new ParametersRepo(openDatabase(dir)));
    expect(reopened.get(A, "setpoint")).toBe(23);
    // Defaults and one-shot tokens are not kept: only what an operator set.
    expect(reopened.get(B, "setpoint")).toBeUndefined();
    expect(reopened.get(B, "latch_reset:trip")).toBeUndefined();
  });

  it("remembers which flows an operator stopped until they are started", () => {
    const dir = tempDir("runstate");
    const repo = new FlowRunStateRepo(openDatabase(dir));
    repo.markStopped(A, "op");
    repo.markStopped(B, "op");
    repo.clear([A]);
    expect([...new FlowRunStateRepo(openDatabase(dir)).stopped()]).toEqual([B]);
    repo.clear();
    expect(repo.stopped().size).toBe(0);
  });
});
