import { type CommandHolder, key, type WriteManager } from "../engine/write-manager";

/**
 * A commissioning write test's command on the write manager's list (runtime.db `commanded_points`): put
 * there before the test value is written and taken off once the test relinquished it, so a supervisor
 * killed in between finds it at its next start and relinquishes it through the write manager, like a
 * flow's command: a relinquish the device refuses stays on the list, tried again at the next stop and
 * the next start. The holder has no flow; its node column names the run.
 */

const PREFIX = "commissioning ";

export function testHolder(runId: string): CommandHolder {
  return { flowId: null, nodeId: `${PREFIX}${runId}` };
}

/** The run whose write test holds a command, or undefined for a flow's (or an older row's) command. */
export function runOf(holder: CommandHolder | undefined): string | undefined {
  return holder?.flowId === null && holder.nodeId?.startsWith(PREFIX)
    ? holder.nodeId.slice(PREFIX.length)
    : undefined;
}

export interface LeftoverCommand {
  run: string;
  point: string;
  priority: number;
  /** NULL written at the priority; refused (still on the list); or left alone: a running flow commands it. */
  outcome: "relinquished" | "refused" | "left_to_flow";
  error?: string;
}

/**
 * Relinquishes every write-test command a previous process left on the list. A slot that a running flow
 * commands at the same priority (`flowCommands`, `ref@priority` as deploy keeps them) is never NULLed: the
 * flow rewrites its own command at its next scan, so the entry is only taken off the list.
 */
export async function relinquishLeftovers(
  writes: WriteManager,
  flowCommands: ReadonlySet<string>,
  now = Date.now(),
): Promise<LeftoverCommand[]> {
  const leftovers = writes.commandedPoints().flatMap((c) => {
    const run = runOf(writes.holder(c.ref, c.priority));
    return run ? [{ ...c, run }] : [];
  });
  const results: LeftoverCommand[] = [];
  for (const l of leftovers)
    if (flowCommands.has(key(l.ref, l.priority))) {
      writes.forget(l.ref, l.priority);
      results.push({ run: l.run, point: l.ref, priority: l.priority, outcome: "left_to_flow" });
    }
  const outcomes = await writes.relinquishHeldBy((h) => runOf(h) !== undefined, flowCommands, now);
  for (const o of outcomes) {
    const run = leftovers.find((l) => l.ref === o.point && l.priority === o.priority)?.run ?? "";
    results.push({
      run,
      point: o.point,
      priority: o.priority,
      outcome: o.ok ? "relinquished" : "refused",
      ...(o.ok ? {} : { error: o.error ?? "refused" }),
    });
  }
  return results;
}

/** One sentence for the report and the event log. */
export function describeLeftover(l: LeftoverCommand): string {
  const what = `the write test's command on ${l.point} at priority ${l.priority}`;
  if (l.outcome === "relinquished") return `${what} was relinquished at the next start`;
  if (l.outcome === "left_to_flow")
    return `${what} was left in place at the next start: a running flow commands that slot and rewrites it`;
  return `${what} could not be relinquished at the next start (${l.error}): it is tried again at the next stop and start`;
}
