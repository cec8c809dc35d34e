import {
  expandSubflowInstances,
  type FlowConfigurationInput,
  type SubflowDefinition,
  type SubflowInstance,
} from "@bms/schemas";
import { flowHarness, testFlow } from "./harness";

/**
 * A flow holding one instance of a library subflow (node id `unit`), expanded as the Designer expands it
 * before packaging, and run through the real compiler and runtime. `extra` adds host nodes and wires
 * around the instance (a demand signal into its inputs, say).
 */
export function instanceHarness(
  library: readonly SubflowDefinition[],
  instance: Omit<SubflowInstance, "parameters"> & { parameters?: SubflowInstance["parameters"] },
  extra: {
    nodes?: FlowConfigurationInput["nodes"];
    connections?: FlowConfigurationInput["connections"];
  } = {},
) {
  const host = testFlow(
    [
      { id: "unit", type: "subflow", label: "Unit", config: { library: { parameters: {}, ...instance } } },
      ...(extra.nodes ?? []),
    ],
    extra.connections ?? [],
  );
  const expanded = expandSubflowInstances(host, library);
  if (expanded.problems.length > 0)
    throw new Error(`instance does not expand: ${JSON.stringify(expanded.problems)}`);
  const h = flowHarness(expanded.flow);
  return {
    ...h,
    /** Advances `seconds` one scan per `periodS`, calling `each` before every scan; returns every write. */
    async run(seconds: number, periodS = 1, each?: (t: number) => void) {
      const writes: { point: string; value: unknown; at: number }[] = [];
      for (let t = 0; t < seconds; t += periodS) {
        each?.(t);
        for (const w of (await h.scan(periodS * 1000)).writes)
          writes.push({ point: w.point, value: w.value, at: t });
      }
      return writes;
    },
  };
}

/** The last value written to each point in a list of writes. */
export function lastWrites(writes: readonly { point: string; value: unknown }[]): Map<string, unknown> {
  const last = new Map<string, unknown>();
  for (const w of writes) last.set(w.point, w.value);
  return last;
}
