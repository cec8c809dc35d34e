"use client";

import { expandProjectFlows, type FlowTestCase, FlowTestCaseSchema } from "@bms/schemas";
import { FlaskConical, Play, Plus, Square, Trash2 } from "lucide-react";
import { useEffect, useMemo, useRef, useState } from "react";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { Button } from "../ui/button";
import { type TestCaseDraft, TestCaseForm } from "./test-case-form";
import { type TestCaseProblem, type TestTargets, testCaseProblems, testTargets } from "./test-case-targets";
import { testMarksOf } from "./test-marks";
import { runCasesInWorker, type TestRun } from "./test-run-client";
import type { CaseVerdict } from "./test-run-protocol";

/** What the badge says: the runner's verdict, or the watchdog's (timed out) or the person's (stopped). */
function verdictOf(r: CaseVerdict): "pass" | "fail" | "timed out" | "stopped" {
  if (r.timedOut) return "timed out";
  if (r.stopped) return "stopped";
  return r.passed ? "pass" : "fail";
}

/** A new case: ten minutes of the open flow, expecting its first output at the end (for the person to edit). */
function newCase(flowId: string, taken: ReadonlySet<string>, targets: TestTargets): FlowTestCase {
  let n = taken.size + 1;
  while (taken.has(`test-${n}`)) n++;
  const first = targets.expects[0]?.check ?? { point: "bacnet:1/analogValue:1" };
  return FlowTestCaseSchema.parse({
    id: `test-${n}`,
    name: `Test ${n}`,
    flow_id: flowId,
    duration_s: 600,
    inputs: [],
    expect: [{ ...first, mode: "at_end", op: "eq", value: 0 }],
  });
}

/** One case open for editing: as a form (the default) or, for power users, as JSON. */
interface Editing {
  id: string | null;
  mode: "form" | "json";
  draft: TestCaseDraft;
  text: string;
  problems: TestCaseProblem[];
  /** Paths of form fields whose typed text their schema refuses (the case keeps the last good value). */
  invalid: ReadonlySet<string>;
  /** Bumped when the draft is replaced wholesale (JSON → form), so the form's boxes start afresh. */
  epoch: number;
}

const editingOf = (id: string | null, test: FlowTestCase): Editing => ({
  id,
  mode: "form",
  draft: structuredClone(test) as TestCaseDraft,
  text: JSON.stringify(test, null, 2),
  problems: [],
  invalid: new Set(),
  epoch: 0,
});

/** The open flow's nodes as test targets, named as the canvas names them (read only while editing). */
function useTestTargets(): TestTargets {
  const nodes = useEditorStore((s) => s.nodes);
  return useMemo(
    () =>
      testTargets(
        nodes.map((n) => ({ id: n.id, type: n.data.type, label: n.data.label, config: n.data.config })),
      ),
    [nodes],
  );
}

/**
 * The project's flow test cases for the open flow (issue 16): list, edit (in a form generated from the
 * shared schema, or as JSON), run here in the browser with the same runner as `pnpm flow-test` (the flows'
 * library instances expanded as for a deploy; in a Web Worker, watched), and see the verdicts with their
 * diffs, here and on the canvas.
 */
export function TestCasesPanel() {
  const store = useEditorStoreApi();
  const flowId = useEditorStore((s) => s.activeFlowId);
  const allTests = useEditorStore((s) => s.tests);
  const tests = useMemo(() => (allTests ?? []).filter((t) => t.flow_id === flowId), [allTests, flowId]);
  const [results, setResults] = useState<Record<string, CaseVerdict>>({});
  const [activeRun, setRun] = useState<TestRun | null>(null);
  const running = activeRun !== null;
  const [editing, setEditing] = useState<Editing | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // The verdicts so far, for the marks and the summary when a run ends (state lags a render behind).
  const known = useRef<Record<string, CaseVerdict>>({});
  // Leaving the panel (or the editor) ends a run in progress: nothing would show its verdicts.
  const current = useRef<TestRun | null>(null);
  useEffect(() => () => current.current?.stop(), []);

  /**
   * Runs the cases in a Web Worker (test-run-client.ts): the page stays responsive, and a Script node
   * stuck in one call the sandbox cannot interrupt ends its case as timed out instead of freezing the tab.
   */
  const run = (cases: FlowTestCase[]) => {
    setMessage(null);
    const state = store.getState();
    const { flows, problems } = expandProjectFlows(state.toDocument());
    if (problems.length > 0) {
      setMessage(`The project does not expand: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
      return;
    }
    const names = testTargets(
      state.nodes.map((n) => ({ id: n.id, type: n.data.type, label: n.data.label, config: n.data.config })),
    ).names;
    const fresh: CaseVerdict[] = [];
    const handle = runCasesInWorker({
      flows,
      cases,
      nodeName: (id) => names.get(id) ?? id,
      onVerdict: (verdict) => {
        fresh.push(verdict);
        known.current = { ...known.current, [verdict.id]: verdict };
        setResults(known.current);
      },
    });
    current.current = handle;
    setRun(handle);
    void handle.done.then(() => {
      if (current.current === handle) current.current = null;
      setRun(null);
      const now = store.getState();
      // Marks go on the canvas of the flow the cases ran for: after a switch to another flow tab mid-run,
      // the canvas holds that flow's nodes, and a node id both flows use ("pumps") would take them.
      if (now.activeFlowId === flowId)
        now.setTestMarks(
          testMarksOf(
            now.nodes.map((n) => ({ id: n.id, type: n.data.type, config: n.data.config })),
            tests,
            Object.values(known.current).filter((r) => r.flowId === flowId),
          ),
        );
      const timedOut = fresh.filter((r) => r.timedOut).length;
      const stopped = fresh.filter((r) => r.stopped).length;
      const failed = fresh.filter((r) => !r.passed).length - timedOut - stopped;
      setMessage(
        `${fresh.length - failed - timedOut - stopped} passed, ${failed} failed` +
          (timedOut ? `, ${timedOut} timed out` : "") +
          (stopped ? `, ${stopped} stopped` : ""),
      );
    });
  };

  const startNew = (targets: TestTargets) => {
    const created = newCase(flowId, new Set((store.getState().tests ?? []).map((t) => t.id)), targets);
    setEditing(editingOf(null, created));
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
          {activeRun ? (
            <Button size="sm" variant="outline" onClick={() => activeRun.stop()} data-testid="tests-stop">
              <Square /> Stop
            </Button>
          ) : null}
          <NewCaseButton onNew={startNew} />
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
                      data-verdict={verdictOf(r)}
                      className={`rounded px-1 font-semibold ${r.passed ? "bg-emerald-100 text-emerald-800" : r.timedOut || r.stopped ? "bg-amber-100 text-amber-900" : "bg-red-100 text-red-800"}`}
                    >
                      {verdictOf(r).toUpperCase()}
                    </span>
                  ) : null}
                  <span className="font-medium">{t.name}</span>
                  <span className="text-slate-500">
                    {t.duration_s} s simulated
                    {r
                      ? r.timedOut || r.stopped
                        ? ` · after ${Math.round(r.elapsedMs)} ms`
                        : ` · ${r.scans} scans in ${Math.round(r.elapsedMs)} ms`
                      : ""}
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
                    onClick={() => setEditing(editingOf(t.id, t))}
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
                {r?.error ? (
                  <div className="text-red-700" data-testid={`test-error-${t.id}`}>
                    {r.error}
                  </div>
                ) : null}
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
        <TestCaseEditor
          editing={editing}
          update={(change) => setEditing((e) => (e ? change(e) : e))}
          onSaved={() => setEditing(null)}
        />
      ) : null}
    </div>
  );
}

/** "New": reads the flow's targets only when pressed, so the panel does not follow every node change. */
function NewCaseButton({ onNew }: { onNew(targets: TestTargets): void }) {
  const store = useEditorStoreApi();
  return (
    <Button
      size="sm"
      variant="outline"
      onClick={() => {
        const nodes = store.getState().nodes;
        onNew(
          testTargets(
            nodes.map((n) => ({ id: n.id, type: n.data.type, label: n.data.label, config: n.data.config })),
          ),
        );
      }}
      data-testid="tests-new"
    >
      <Plus /> New
    </Button>
  );
}

/**
 * The editing side: the generated form (or the JSON), Save and Cancel. Save checks the whole case with
 * the shared schema and shows each problem at its field with the canvas names; nothing is stored until
 * the case passes, and nothing typed is thrown away when it does not.
 */
function TestCaseEditor({
  editing,
  update,
  onSaved,
}: {
  editing: Editing;
  /** Changes go through the latest state: a field's validity and its value arrive in one event. */
  update(change: (e: Editing) => Editing): void;
  onSaved(): void;
}) {
  const store = useEditorStoreApi();
  const targets = useTestTargets();
  const fail = (problems: TestCaseProblem[]) => update((e) => ({ ...e, problems }));

  /** JSON text → a draft object, or the problem that stops it. */
  const fromText = (): { ok: true; raw: TestCaseDraft } | { ok: false; problem: TestCaseProblem } => {
    try {
      const raw = JSON.parse(editing.text) as unknown;
      if (typeof raw !== "object" || raw === null || Array.isArray(raw))
        return { ok: false, problem: { path: "", message: "a test case is a JSON object" } };
      return { ok: true, raw: raw as TestCaseDraft };
    } catch (error) {
      return { ok: false, problem: { path: "", message: `not JSON: ${(error as Error).message}` } };
    }
  };

  const toggle = () => {
    if (editing.mode === "form") {
      update((e) => ({ ...e, mode: "json", text: JSON.stringify(e.draft, null, 2), problems: [] }));
      return;
    }
    const parsed = fromText();
    if (!parsed.ok) return fail([parsed.problem]);
    update((e) => ({
      ...e,
      mode: "form",
      draft: parsed.raw,
      problems: [],
      invalid: new Set(),
      epoch: e.epoch + 1,
    }));
  };

  const save = () => {
    let raw: TestCaseDraft;
    if (editing.mode === "json") {
      const parsed = fromText();
      if (!parsed.ok) return fail([parsed.problem]);
      raw = parsed.raw;
    } else {
      if (editing.invalid.size > 0)
        return fail([
          { path: "", message: "Some fields hold values they do not take: fix the ones marked in red." },
        ]);
      raw = editing.draft;
    }
    const parsed = FlowTestCaseSchema.safeParse(raw);
    if (!parsed.success) return fail(testCaseProblems(parsed.error.issues, raw, targets));
    const others = (store.getState().tests ?? []).filter((t) => t.id !== editing.id);
    if (others.some((t) => t.id === parsed.data.id))
      return fail([{ path: "id", message: `id: another test case is called "${parsed.data.id}"` }]);
    const list = store.getState().tests ?? [];
    const at = list.findIndex((t) => t.id === editing.id);
    const next = at >= 0 ? list.map((t, i) => (i === at ? parsed.data : t)) : [...list, parsed.data];
    store.getState().setTests(next);
    onSaved();
  };

  return (
    <div
      className="flex w-[420px] shrink-0 flex-col border-l border-slate-200 p-2"
      data-testid="test-case-edit"
    >
      <div className="mb-1 flex items-center gap-2">
        <span className="font-semibold">{editing.id ? `Edit ${editing.id}` : "New test case"}</span>
        <button
          type="button"
          className="ml-auto text-sky-700 underline"
          onClick={toggle}
          data-testid="test-case-json-toggle"
        >
          {editing.mode === "form" ? "Edit as JSON" : "Edit as form"}
        </button>
      </div>
      {editing.problems.length > 0 ? (
        <ul className="mb-1 text-red-700" data-testid="test-case-errors">
          {editing.problems.map((p) => (
            <li key={`${p.path}:${p.message}`}>{p.message}</li>
          ))}
        </ul>
      ) : null}
      {editing.mode === "form" ? (
        <div className="min-h-0 flex-1 overflow-auto pr-1">
          <TestCaseForm
            key={editing.epoch}
            draft={editing.draft}
            targets={targets}
            problems={editing.problems}
            onChange={(draft) => update((e) => ({ ...e, draft }))}
            onValidity={(path, valid) =>
              update((e) => {
                if (e.invalid.has(path) === !valid) return e;
                const invalid = new Set(e.invalid);
                if (valid) invalid.delete(path);
                else invalid.add(path);
                return { ...e, invalid };
              })
            }
          />
        </div>
      ) : (
        <textarea
          className="min-h-0 flex-1 rounded border border-slate-300 p-1 font-mono text-[10px]"
          value={editing.text}
          spellCheck={false}
          onChange={(event) => {
            const text = event.target.value;
            update((e) => ({ ...e, text }));
          }}
          data-testid="test-case-editor"
          aria-label="Test case (JSON)"
        />
      )}
      <div className="mt-1 flex gap-1">
        <Button size="sm" variant="primary" onClick={save} data-testid="test-case-save">
          Save
        </Button>
        <Button size="sm" variant="outline" onClick={onSaved}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
