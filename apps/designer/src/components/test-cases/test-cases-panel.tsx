"use client";

import type { FlowTestResult } from "@bms/nodes/flow-test";
import { runFlowTestCase } from "@bms/nodes/flow-test";
import { expandProjectFlows, type FlowTestCase, FlowTestCaseSchema } from "@bms/schemas";
import { FlaskConical, Play, Plus, Trash2 } from "lucide-react";
import { useMemo, useState } from "react";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { Button } from "../ui/button";
import { testMarksOf } from "./test-marks";

/** A new case: ten minutes of the open flow, expecting its first output at the end (for the person to edit). */
function newCase(
  flowId: string,
  taken: ReadonlySet<string>,
  node?: { id: string; port: string },
): FlowTestCase {
  let n = taken.size + 1;
  while (taken.has(`test-${n}`)) n++;
  return FlowTestCaseSchema.parse({
    id: `test-${n}`,
    name: `Test ${n}`,
    flow_id: flowId,
    duration_s: 600,
    inputs: [],
    expect: [
      node
        ? { output: node, mode: "at_end", op: "eq", value: 0 }
        : { point: "bacnet:1/analogValue:1", mode: "at_end", op: "eq", value: 0 },
    ],
  });
}

/**
 * The project's flow test cases for the open flow (issue 16): list, edit (as JSON checked against the
 * shared schema), run here in the browser with the same runner as `pnpm flow-test` (the flows'
 * library instances expanded as for a deploy), and see the verdicts with their diffs, here and on the
 * canvas.
 */
export function TestCasesPanel() {
  const store = useEditorStoreApi();
  const flowId = useEditorStore((s) => s.activeFlowId);
  const allTests = useEditorStore((s) => s.tests);
  const tests = useMemo(() => (allTests ?? []).filter((t) => t.flow_id === flowId), [allTests, flowId]);
  const [results, setResults] = useState<Record<string, FlowTestResult>>({});
  const [running, setRunning] = useState(false);
  const [editing, setEditing] = useState<{ id: string | null; text: string; errors: string[] } | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const run = async (cases: FlowTestCase[]) => {
    setRunning(true);
    setMessage(null);
    try {
      const doc = store.getState().toDocument();
      const { flows, problems } = expandProjectFlows(doc);
      if (problems.length > 0) {
        setMessage(
          `The project does not expand: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
        );
        return;
      }
      const fresh: FlowTestResult[] = [];
      for (const c of cases) fresh.push(await runFlowTestCase(flows, c));
      const all = { ...results, ...Object.fromEntries(fresh.map((r) => [r.id, r])) };
      setResults(all);
      const state = store.getState();
      state.setTestMarks(
        testMarksOf(
          state.nodes.map((n) => ({ id: n.id, type: n.data.type, config: n.data.config })),
          tests,
          Object.values(all).filter((r) => r.flowId === flowId),
        ),
      );
      const failed = fresh.filter((r) => !r.passed).length;
      setMessage(`${fresh.length - failed} passed, ${failed} failed`);
    } finally {
      setRunning(false);
    }
  };

  const save = () => {
    if (!editing) return;
    let raw: unknown;
    try {
      raw = JSON.parse(editing.text);
    } catch (error) {
      setEditing({ ...editing, errors: [`not JSON: ${(error as Error).message}`] });
      return;
    }
    const parsed = FlowTestCaseSchema.safeParse(raw);
    if (!parsed.success) {
      setEditing({
        ...editing,
        errors: parsed.error.issues.map((i) => `${i.path.join(".") || "(case)"}: ${i.message}`),
      });
      return;
    }
    const others = (store.getState().tests ?? []).filter((t) => t.id !== editing.id);
    if (others.some((t) => t.id === parsed.data.id)) {
      setEditing({ ...editing, errors: [`id: another test case is called "${parsed.data.id}"`] });
      return;
    }
    const list = store.getState().tests ?? [];
    const at = list.findIndex((t) => t.id === editing.id);
    const next = at >= 0 ? list.map((t, i) => (i === at ? parsed.data : t)) : [...list, parsed.data];
    store.getState().setTests(next);
    setEditing(null);
  };

  const startNew = () => {
    const state = store.getState();
    const first = state.nodes.find((n) => n.data.type !== "sensor_read") ?? state.nodes[0];
    const port = first ? Object.keys(state.runtime[first.id]?.output_values ?? {})[0] : undefined;
    const created = newCase(
      flowId,
      new Set((state.tests ?? []).map((t) => t.id)),
      first ? { id: first.id, port: port ?? "result" } : undefined,
    );
    setEditing({ id: null, text: JSON.stringify(created, null, 2), errors: [] });
  };

  return (
    <div className="flex h-full text-xs" data-testid="test-cases-panel">
      <div className="flex min-w-0 flex-1 flex-col">
        <div className="flex items-center gap-2 border-b border-slate-100 px-3 py-1.5">
          <FlaskConical className="size-4 text-slate-600" />
          <span className="font-semibold">
            {tests.length} test case{tests.length === 1 ? "" : "s"} for this flow
          </span>
          <Button
            size="sm"
            variant="primary"
            onClick={() => run(tests)}
            disabled={running || tests.length === 0}
            data-testid="tests-run-all"
          >
            <Play /> {running ? "Running…" : "Run all"}
          </Button>
          <Button size="sm" variant="outline" onClick={startNew} data-testid="tests-new">
            <Plus /> New
          </Button>
          {message ? (
            <span data-testid="tests-summary" className="text-slate-700">
              {message}
            </span>
          ) : null}
        </div>
        <div className="min-h-0 flex-1 overflow-auto">
          {tests.map((t) => {
            const r = results[t.id];
            return (
              <div
                key={t.id}
                className="border-b border-slate-50 px-3 py-1"
                data-testid={`test-case-${t.id}`}
              >
                <div className="flex items-center gap-2">
                  {r ? (
                    <span
                      data-testid={`test-result-${t.id}`}
                      data-passed={String(r.passed)}
                      className={`rounded px-1 font-semibold ${r.passed ? "bg-emerald-100 text-emerald-800" : "bg-red-100 text-red-800"}`}
                    >
                      {r.passed ? "PASS" : "FAIL"}
                    </span>
                  ) : null}
                  <span className="font-medium">{t.name}</span>
                  <span className="text-slate-500">
                    {t.duration_s} s simulated
                    {r ? ` · ${r.scans} scans in ${Math.round(r.elapsedMs)} ms` : ""}
                  </span>
                  <button
                    type="button"
                    className="text-sky-700 underline"
                    onClick={() => run([t])}
                    disabled={running}
                    data-testid={`test-run-${t.id}`}
                  >
                    run
                  </button>
                  <button
                    type="button"
                    className="text-sky-700 underline"
                    onClick={() => setEditing({ id: t.id, text: JSON.stringify(t, null, 2), errors: [] })}
                    data-testid={`test-edit-${t.id}`}
                  >
                    edit
                  </button>
                  <button
                    type="button"
                    className="text-red-700"
                    title="Delete this test case"
                    onClick={() => {
                      if (!window.confirm(`Delete the test case "${t.name}"?`)) return;
                      store.getState().setTests((store.getState().tests ?? []).filter((x) => x.id !== t.id));
                    }}
                    data-testid={`test-delete-${t.id}`}
                  >
                    <Trash2 className="size-3" />
                  </button>
                </div>
                {r?.error ? <div className="text-red-700">{r.error}</div> : null}
                {r?.expectations.map((e) => (
                  <div
                    key={e.index}
                    className="pl-4"
                    data-testid={`test-expectation-${t.id}-${e.index}`}
                    data-passed={String(e.passed)}
                  >
                    <span className={e.passed ? "text-emerald-700" : "text-red-700"}>
                      {e.passed ? "✓" : "✗"}
                    </span>{" "}
                    {e.label}
                    {e.diff.length > 0 ? (
                      <pre className="whitespace-pre-wrap pl-4 font-mono text-[10px] text-slate-700">
                        {e.diff.join("\n")}
                      </pre>
                    ) : null}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      {editing ? (
        <div className="flex w-[380px] shrink-0 flex-col border-l border-slate-200 p-2">
          <div className="mb-1 font-semibold">{editing.id ? `Edit ${editing.id}` : "New test case"}</div>
          <textarea
            className="min-h-0 flex-1 rounded border border-slate-300 p-1 font-mono text-[10px]"
            value={editing.text}
            spellCheck={false}
            onChange={(e) => setEditing({ ...editing, text: e.target.value })}
            data-testid="test-case-editor"
            aria-label="Test case (JSON)"
          />
          {editing.errors.length > 0 ? (
            <ul className="mt-1 text-red-700" data-testid="test-case-errors">
              {editing.errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          ) : null}
          <div className="mt-1 flex gap-1">
            <Button size="sm" variant="primary" onClick={save} data-testid="test-case-save">
              Save
            </Button>
            <Button size="sm" variant="outline" onClick={() => setEditing(null)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
