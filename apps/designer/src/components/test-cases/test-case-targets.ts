import { describeNode, nodeTestInputs, nodeWrites, presentPorts } from "@bms/nodes/definitions";
import { type FlowTestCase, nodeDisplayName, normalizePointRef } from "@bms/schemas";

/**
 * What a test case of the open flow can set and check, named as the canvas names it: the points its
 * nodes read and the parameters they publish (inputs), each node's output ports and the points it
 * commands (expectations). The form offers these in its pickers; the key is what a row stores.
 */

export interface FlowNodeFacts {
  id: string;
  type: string;
  label?: string | undefined;
  config: Record<string, unknown>;
}

export interface InputTarget {
  key: string;
  label: string;
  set: { point: string } | { parameter: string };
}

export interface ExpectTarget {
  key: string;
  label: string;
  check: { point: string } | { output: { node: string; port: string } };
}

export interface TestTargets {
  inputs: InputTarget[];
  expects: ExpectTarget[];
  /** Node id → the name the canvas draws, for messages. */
  names: Map<string, string>;
}

/** Rows match targets by the canonical ref, as the runner compares them; text that is no ref stays as typed. */
function canonical(ref: string): string {
  try {
    return normalizePointRef(ref);
  } catch {
    return ref;
  }
}

/** A ref as the canvas shows it: without the default property. */
export const shortRef = (ref: string): string => ref.replace(/\.presentValue$/, "");

export const inputKey = (step: { point?: string | undefined; parameter?: string | undefined }): string =>
  step.point !== undefined
    ? `point:${canonical(step.point)}`
    : step.parameter !== undefined
      ? `parameter:${step.parameter}`
      : "";

export const expectKey = (e: {
  point?: string | undefined;
  output?: { node: string; port: string } | undefined;
}): string =>
  e.point !== undefined
    ? `point:${canonical(e.point)}`
    : e.output
      ? `output:${e.output.node}/${e.output.port}`
      : "";

export function testTargets(nodes: readonly FlowNodeFacts[]): TestTargets {
  const inputs = new Map<string, InputTarget>();
  const expects = new Map<string, ExpectTarget>();
  const names = new Map<string, string>();
  for (const node of nodes) {
    const descriptor = describeNode(node.type);
    const name = nodeDisplayName(node, descriptor);
    names.set(node.id, name);
    const { reads, parameters } = nodeTestInputs(node);
    for (const point of reads) {
      const key = inputKey({ point });
      if (!inputs.has(key)) inputs.set(key, { key, label: `${name}: ${shortRef(point)}`, set: { point } });
    }
    for (const parameter of parameters) {
      const key = inputKey({ parameter });
      if (!inputs.has(key))
        inputs.set(key, { key, label: `${name}: parameter ${parameter}`, set: { parameter } });
    }
    for (const port of descriptor ? presentPorts(descriptor.outputs, node.config) : []) {
      const output = { node: node.id, port: port.name };
      const key = expectKey({ output });
      expects.set(key, { key, label: `${name} → ${port.label ?? port.name}`, check: { output } });
    }
    for (const write of nodeWrites(node)) {
      const key = expectKey({ point: write.ref });
      if (!expects.has(key))
        expects.set(key, {
          key,
          label: `${name} writes ${shortRef(write.ref)} @ ${write.priority}`,
          check: { point: write.ref },
        });
    }
  }
  return { inputs: [...inputs.values()], expects: [...expects.values()], names };
}

/** "Input 2 (Zone: bacnet:1001/analogInput:1)" / "Expectation 1 (Calc → Result)" for a row of a case. */
export function rowName(
  test: Partial<Pick<FlowTestCase, "inputs" | "expect">>,
  list: "inputs" | "expect",
  index: number,
  targets: TestTargets,
): string {
  const noun = list === "inputs" ? "Input" : "Expectation";
  const row = (test[list] as Record<string, unknown>[] | undefined)?.[index];
  if (!row) return `${noun} ${index + 1}`;
  const key = list === "inputs" ? inputKey(row) : expectKey(row);
  const known =
    list === "inputs"
      ? targets.inputs.find((t) => t.key === key)?.label
      : targets.expects.find((t) => t.key === key)?.label;
  const shown = known ?? (key ? shortRef(key.replace(/^(point|parameter|output):/, "")) : "");
  return shown ? `${noun} ${index + 1} (${shown})` : `${noun} ${index + 1}`;
}

export interface TestCaseProblem {
  /** Dotted machine path, e.g. `expect.0.max` ("" for the whole case). */
  path: string;
  /** For people: the row named as the canvas names its node, then the field. */
  message: string;
}

/**
 * The schema's issues as `{path, message}` (the Designer's 422 contract), each message naming its row
 * by the canvas ("Expectation 1 (Calc → Result): max: between needs …").
 */
export function testCaseProblems(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  test: Record<string, unknown>,
  targets: TestTargets,
): TestCaseProblem[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    const [list, index, ...rest] = issue.path;
    if ((list === "inputs" || list === "expect") && typeof index === "number") {
      const where = rowName(test as Partial<FlowTestCase>, list, index, targets);
      const field = rest.length ? `${rest.map(String).join(".")}: ` : "";
      return { path, message: `${where}: ${field}${issue.message}` };
    }
    return { path, message: path ? `${path}: ${issue.message}` : issue.message };
  });
}
