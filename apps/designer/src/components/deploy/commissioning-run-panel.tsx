"use client";

import { useEffect, useState } from "react";
import type { SupervisorEntry } from "../../lib/api-types";
import { runtimeCall } from "../../lib/designer-api";

interface RunProgress {
  id: string;
  status: "running" | "done" | "failed" | "cancelled";
  error?: string;
  checkout?: unknown[];
  alarms?: unknown[];
  devices?: unknown[];
  summary: { pass: number; fail: number; skipped: number };
}

/** "point" or "point = value", one a line: the points confirmed for the write test and their test values. */
function parsePointLines(text: string): { confirm: string[]; values: Record<string, number | boolean> } {
  const confirm: string[] = [];
  const values: Record<string, number | boolean> = {};
  for (const raw of text.split("\n")) {
    const [ref, value] = raw.split("=").map((s) => s.trim());
    if (!ref) continue;
    confirm.push(ref);
    if (value === "true" || value === "false") values[ref] = value === "true";
    else if (value) values[ref] = Number(value);
  }
  return { confirm, values };
}

/**
 * Starts a commissioning run on one supervisor (issue 16) through the runtime proxy, with the person's
 * role: the checks to run, and a write test that is off until the person ticks the confirmation (every
 * commanded point, or the points listed with their test values, at priority 6-16; forcing over a flow's
 * command is admin-only, which the proxy and the supervisor both enforce). Shows progress while it runs,
 * a Cancel button, and the report link when it ends. Validation is the supervisor's: its 422 lines show.
 */
export function CommissioningRunPanel({
  supervisor,
  onEnded,
}: {
  supervisor: SupervisorEntry;
  onEnded: () => void;
}) {
  const [person, setPerson] = useState("");
  const [checkout, setCheckout] = useState(true);
  const [alarms, setAlarms] = useState(false);
  const [baseline, setBaseline] = useState(false);
  const [windowS, setWindowS] = useState(60);
  const [devices, setDevices] = useState(true);
  const [writeTest, setWriteTest] = useState(false);
  const [scope, setScope] = useState<"all" | "points">("all");
  const [pointLines, setPointLines] = useState("");
  const [priority, setPriority] = useState(10);
  const [force, setForce] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  const [run, setRun] = useState<RunProgress | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const running = run?.status === "running";

  useEffect(() => {
    if (run?.status !== "running") return;
    const timer = setInterval(async () => {
      const r = await runtimeCall<RunProgress>(`commissioning/runs/${encodeURIComponent(run.id)}`, {
        supervisor: supervisor.id,
        background: true,
      });
      if (!r.ok) return;
      setRun(r.body);
      if (r.body.status !== "running") onEnded();
    }, 1000);
    return () => clearInterval(timer);
  }, [run, supervisor.id, onEnded]);

  const start = async () => {
    const points = parsePointLines(pointLines);
    const body = {
      person,
      ...(checkout || writeTest
        ? {
            checkout: writeTest
              ? {
                  write_test: {
                    priority,
                    confirm: scope === "all" ? "all" : points.confirm,
                    values: scope === "all" ? {} : points.values,
                    force,
                  },
                }
              : {},
          }
        : {}),
      ...(alarms ? { alarms: {} } : {}),
      ...(baseline ? { baseline: { window_s: windowS } } : {}),
      ...(devices ? { devices: {} } : {}),
    };
    const r = await runtimeCall<RunProgress>("commissioning/runs", {
      supervisor: supervisor.id,
      method: "POST",
      body,
    });
    if (r.ok) {
      setProblems([]);
      setRun(r.body);
      onEnded();
    } else
      setProblems(r.errors.length > 0 ? r.errors.map((p) => `${p.path || "run"}: ${p.message}`) : [r.error]);
  };
  const cancel = async () => {
    if (!run) return;
    const r = await runtimeCall<RunProgress>(`commissioning/runs/${encodeURIComponent(run.id)}/cancel`, {
      supervisor: supervisor.id,
      method: "POST",
      body: {},
    });
    if (r.ok) {
      setRun(r.body);
      onEnded();
    } else setProblems([r.error]);
  };
  const reportUrl = (id: string) =>
    `/api/runtime/commissioning/runs/${encodeURIComponent(id)}/report.html?supervisor=${encodeURIComponent(supervisor.id)}`;
  const box = "mr-3 inline-flex items-center gap-1";

  return (
    <form
      className="mt-3 space-y-2 rounded border border-slate-200 p-2 text-xs"
      data-testid={`commissioning-run-${supervisor.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      <p className="font-medium text-slate-800">Start a commissioning run</p>
      <label className="block">
        Commissioning engineer (printed on the report){" "}
        <input
          className="rounded border border-slate-300 px-1"
          value={person}
          data-testid="commissioning-person"
          onChange={(e) => setPerson(e.target.value)}
        />
      </label>
      <div>
        <label className={box}>
          <input type="checkbox" checked={checkout} onChange={(e) => setCheckout(e.target.checked)} /> Point
          checkout
        </label>
        <label className={box}>
          <input type="checkbox" checked={alarms} onChange={(e) => setAlarms(e.target.checked)} /> Alarm
          verification
        </label>
        <label className={box}>
          <input type="checkbox" checked={devices} onChange={(e) => setDevices(e.target.checked)} /> Device
          check
        </label>
        <label className={box}>
          <input type="checkbox" checked={baseline} onChange={(e) => setBaseline(e.target.checked)} />{" "}
          Baseline window
          <input
            type="number"
            className="w-16 rounded border border-slate-300 px-1"
            min={1}
            max={3600}
            value={windowS}
            onChange={(e) => setWindowS(Number(e.target.value))}
          />{" "}
          s
        </label>
      </div>
      <div className="rounded bg-amber-50 p-2">
        <label className={box}>
          <input
            type="checkbox"
            checked={writeTest}
            data-testid="commissioning-write-test"
            onChange={(e) => {
              setWriteTest(e.target.checked);
              setConfirmed(false);
            }}
          />{" "}
          Write test (commands real equipment)
        </label>
        {writeTest ? (
          <div className="mt-1 space-y-1">
            <label className={box}>
              Priority
              <input
                type="number"
                className="w-14 rounded border border-slate-300 px-1"
                min={6}
                max={16}
                value={priority}
                data-testid="commissioning-priority"
                onChange={(e) => setPriority(Number(e.target.value))}
              />
            </label>
            <label className={box}>
              <input type="radio" checked={scope === "all"} onChange={() => setScope("all")} /> every
              commanded point (its current value)
            </label>
            <label className={box}>
              <input
                type="radio"
                checked={scope === "points"}
                data-testid="commissioning-scope-points"
                onChange={() => setScope("points")}
              />{" "}
              these points
            </label>
            {scope === "points" ? (
              <textarea
                className="block w-full rounded border border-slate-300 p-1 font-mono"
                rows={3}
                placeholder="bacnet:3001/analogOutput:2 = 62"
                value={pointLines}
                data-testid="commissioning-points"
                onChange={(e) => setPointLines(e.target.value)}
              />
            ) : null}
            <label className={box}>
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force
              over a flow's command (admin only)
            </label>
            <label className="block font-medium text-amber-900">
              <input
                type="checkbox"
                checked={confirmed}
                data-testid="commissioning-confirm"
                onChange={(e) => setConfirmed(e.target.checked)}
              />{" "}
              I confirm: write the test values at priority {priority}, then relinquish them. Equipment may
              move.
            </label>
          </div>
        ) : null}
      </div>
      {problems.length > 0 ? (
        <ul className="text-red-700" data-testid="commissioning-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <div className="flex items-center gap-2">
        <button
          type="submit"
          className="rounded bg-slate-800 px-2 py-1 text-white disabled:opacity-50"
          data-testid="commissioning-start"
          disabled={!person.trim() || running || (writeTest && !confirmed)}
        >
          Run checks
        </button>
        {running ? (
          <button
            type="button"
            className="rounded border border-red-300 px-2 py-1 text-red-700"
            data-testid="commissioning-cancel"
            onClick={() => void cancel()}
          >
            Cancel run
          </button>
        ) : null}
        {run ? (
          <span data-testid="commissioning-progress">
            {run.status === "running"
              ? `running: ${run.checkout?.length ?? 0} points checked${run.alarms ? `, ${run.alarms.length} alarms` : ""}${run.devices ? `, ${run.devices.length} devices` : ""}…`
              : `${run.status}: ${run.summary.pass} passed, ${run.summary.fail} failed, ${run.summary.skipped} skipped`}
            {run.error ? ` (${run.error})` : ""}
          </span>
        ) : null}
        {run && run.status !== "running" ? (
          <a
            className="underline"
            href={reportUrl(run.id)}
            target="_blank"
            rel="noopener"
            data-testid="commissioning-report-link"
          >
            Open report
          </a>
        ) : null}
      </div>
    </form>
  );
}
