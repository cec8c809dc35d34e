/**
 * Named and positional ports: one definition of a node's behaviour, two ways to call it.
 *
 * The engine calls a node's positional `run` (values by port position, gathered by slot indices resolved
 * at compile time: no lookup by port name in the scan loop, issue 15). Node tests, the docs and anything
 * that calls a node by hand may use the named `execute`, which `defineNode` derives here for a node
 * written positionally. Nothing here evaluates code: it only moves values between arrays and objects.
 */
import type {
  MultiInputs,
  NodeContext,
  NodeInputs,
  NodeOutputs,
  NodeValue,
  PortDefinition,
  PortValues,
} from "./types";

/** Each port's position by name (`IN.pv` is 0): how a positional node names its ports in its code. */
export function portIndex<const N extends string>(
  ports: readonly { name: N }[],
): { readonly [K in N]: number } {
  const index = {} as Record<N, number>;
  ports.forEach((port, i) => {
    index[port.name] = i;
  });
  return Object.freeze(index);
}

type PositionalRun<C, S> = (
  inputs: readonly (NodeValue | undefined)[],
  config: C,
  state: S,
  ctx: NodeContext,
  outputs: PortValues,
  multi: MultiInputs,
) => void | Promise<void>;

/** The named outputs of a positional call: every port it set, in port order. */
export function namedOutputs(ports: readonly string[], values: PortValues): NodeOutputs {
  const named: NodeOutputs = {};
  for (let k = 0; k < ports.length; k++) {
    const value = values[k];
    if (value !== undefined) named[ports[k]!] = value;
  }
  return named;
}

/** The named `execute` of a node written positionally: the same `run`, its ports looked up by name. */
export function namedFromPositional<C, S>(
  definition: { inputs: readonly PortDefinition[]; outputs: readonly PortDefinition[] },
  run: PositionalRun<C, S>,
): (
  inputs: NodeInputs,
  config: C,
  state: S,
  ctx: NodeContext,
  multi: MultiInputs,
) => NodeOutputs | Promise<NodeOutputs> {
  const inputNames = definition.inputs.map((port) => port.name);
  const outputNames = definition.outputs.map((port) => port.name);
  return (inputs, config, state, ctx, multi) => {
    const values: (NodeValue | undefined)[] = inputNames.map((name) => inputs[name]);
    const outputs: PortValues = new Array(outputNames.length).fill(undefined);
    const pending = run(values, config, state, ctx, outputs, multi ?? {});
    if (pending !== undefined)
      return (pending as Promise<void>).then(() => namedOutputs(outputNames, outputs));
    return namedOutputs(outputNames, outputs);
  };
}
