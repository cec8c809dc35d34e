import type { Quality } from "@bms/schemas";
import type { ScriptRunner } from "../core/script-runner";
import type {
  AlertEvent,
  MultiInputs,
  NodeContext,
  NodeDefinition,
  NodeInputs,
  NodeOutputs,
  NodeValue,
  Payload,
  RecordedValue,
  Scalar,
  WriteRequest,
} from "../core/types";
import { combineItems } from "../core/values";

export const T0 = 1_700_000_000_000;

/** A value given to a port in a table: a plain payload means a good value stamped with the scan time. */
export type InputSpec = Payload | NodeValue | undefined;

export function v(value: Payload, quality: Quality = "good", reason?: string): NodeValue {
  const out: NodeValue = { value, quality, timestamp: 0 };
  if (reason !== undefined) out.reason = reason;
  return out;
}

function isNodeValue(spec: InputSpec): spec is NodeValue {
  return typeof spec === "object" && spec !== null && !Array.isArray(spec) && "quality" in spec;
}

export interface RunnerOptions {
  start?: number;
  parameters?: Record<string, Scalar>;
  points?: Record<string, NodeValue>;
  aliases?: Record<string, NodeValue>;
  subflowInputs?: Record<string, NodeValue>;
  /** The runner `script` nodes use; in this thread when absent. */
  scripts?: ScriptRunner;
}

/**
 * Runs one node's executor the way FlowRuntime does (config parsed by its schema, state kept, dt and the
 * scan count from a fake clock), so table-driven node tests need no flow around each case. A port marked
 * `multiple` takes an array of specs, one per connection.
 */
export function nodeRunner<C, S>(
  definition: NodeDefinition<C, S>,
  rawConfig: unknown = {},
  options: RunnerOptions = {},
) {
  const config = definition.config.parse(rawConfig);
  let state = (definition.initialState?.(config) ?? {}) as S;
  let now = options.start ?? T0;
  let scan = 0;
  let lastRun: number | undefined;
  const parameters = new Map(Object.entries(options.parameters ?? {}));
  const points = new Map(Object.entries(options.points ?? {}));
  const aliases = new Map(Object.entries(options.aliases ?? {}));
  const alerts: AlertEvent[] = [];
  const writes: WriteRequest[] = [];
  const records: RecordedValue[] = [];
  const logs: string[] = [];
  const multiple = new Set(definition.inputs.filter((p) => p.multiple).map((p) => p.name));

  const stamp = (spec: InputSpec): NodeValue | undefined => {
    if (spec === undefined) return undefined;
    if (isNodeValue(spec)) return { ...spec, timestamp: spec.timestamp || now };
    return { value: spec, quality: "good", timestamp: now };
  };

  return {
    config,
    get state(): S {
      return state;
    },
    set state(next: S) {
      state = next;
    },
    get now() {
      return now;
    },
    alerts,
    writes,
    records,
    logs,
    parameters,
    points,
    aliases,
    async prepare() {
      await definition.prepare?.(config);
    },
    /** A scan in which this node did not run (disabled, untaken branch): the clock and scan count move. */
    skip(advanceMs = 0) {
      now += advanceMs;
      scan++;
    },
    /** One execution of a synchronous executor; an asynchronous one (script, loop, subflow) needs runAsync. */
    run(specs: Record<string, InputSpec | InputSpec[]> = {}, advanceMs = 0): NodeOutputs {
      const outputs = this.runAsync(specs, advanceMs);
      if (outputs instanceof Promise) {
        // Do not leave the promise unhandled: its failure is reported by the error below.
        outputs.catch(() => undefined);
        throw new Error(`${definition.type} executes asynchronously: use runAsync`);
      }
      return outputs;
    },
    /** One execution: the outputs, or a promise of them when the executor is asynchronous. */
    runAsync(
      specs: Record<string, InputSpec | InputSpec[]> = {},
      advanceMs = 0,
    ): NodeOutputs | Promise<NodeOutputs> {
      now += advanceMs;
      scan++;
      const inputs: NodeInputs = {};
      const multi: MultiInputs = {};
      for (const [port, spec] of Object.entries(specs)) {
        if (multiple.has(port) && Array.isArray(spec)) {
          const items = (spec as InputSpec[]).map(stamp).filter((x): x is NodeValue => x !== undefined);
          multi[port] = items;
          inputs[port] = combineItems(items);
        } else {
          inputs[port] = stamp(spec as InputSpec);
        }
      }
      const dt = lastRun === undefined ? 0 : (now - lastRun) / 1000;
      lastRun = now;
      const at = now;
      const ctx: NodeContext = {
        now: at,
        dt,
        scan,
        nodeId: "node",
        flowId: "flow",
        trigger: "interval",
        readPoint: (point) => points.get(point),
        writePoint: (request) => writes.push({ ...request, nodeId: "node" }),
        parameter: (name) => parameters.get(name),
        lookup: (alias) => aliases.get(alias),
        emitAlert: (alert) => alerts.push({ ...alert, nodeId: "node", timestamp: at }),
        record: (name, value) =>
          records.push({ nodeId: "node", name, value: value.value, quality: value.quality, timestamp: at }),
        log: {
          info: (m) => logs.push(`info: ${m}`),
          warn: (m) => logs.push(`warn: ${m}`),
          error: (m) => logs.push(`error: ${m}`),
        },
        subflowInput: (name) => options.subflowInputs?.[name],
        scripts: options.scripts,
      };
      return definition.execute(inputs, config, state, ctx, multi);
    },
  };
}

/** The JSON round trip a persisted state goes through: a restart must not change behaviour. */
export function roundTrip<S>(state: S): S {
  return JSON.parse(JSON.stringify(state)) as S;
}
