"use client";

import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { Download, Redo2, Rocket, Save, Undo2 } from "lucide-react";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { DeployResult, ProjectVersion, SupervisorEntry } from "../../lib/api-types";
import { apiCall } from "../../lib/designer-api";
import { projectProblems, validateFlow } from "../../lib/flow-validation";
import { checkProjectDocument, type SiteCheck } from "../../lib/site-check";
import type { EditorInit, EditorState, EditorStoreApi } from "../../store/editor-store";
import { EditorStoreProvider, useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { openWorkingCopy, saveWorkingCopy } from "../../store/working-copy";
import { useFlowDebugger } from "../debugger/use-flow-debugger";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { useNoticeStack } from "../ui/notice-stack";
import { authorName } from "./author-name";
import { DeployResultView } from "./deploy-result-view";
import {
  BacnetBrowser,
  DebuggerPanel,
  ExecutionPanel,
  HttpBrowser,
  PluginBrowser,
  ReplayPanel,
  ShortcutSheet,
  SiteOverview,
  TestCasesPanel,
  VersionsPanel,
} from "./editor-panels";
import { shortcutText } from "./editor-shortcuts";
import { FlowCanvas } from "./flow-canvas";
import { FlowTabs } from "./flow-tabs";
import { LARGE_FLOW_NODES, useSettledRevision } from "./large-flow";
import { MinimapDock, useMinimapOpen } from "./minimap-dock";
import { NodeInspector } from "./node-inspector";
import { NodePalette } from "./node-palette";
import { useAutosave } from "./use-autosave";
import { useEditorShortcuts } from "./use-editor-shortcuts";
import { useExecutionPolling } from "./use-execution-polling";
import { useLivePointValues, usePointCatalog } from "./use-point-polling";
import { useRunningVersion } from "./use-running-version";
import { ValidationPanel } from "./validation-panel";
import { VersionConflictBanner } from "./version-conflict-banner";

/**
 * The open flow as today (its expanded configuration, so library instances validate as what runs), then
 * what only the project shows: conflicts across flows, library bindings, the other flows.
 */
function problemsOf(
  siteCheck: SiteCheck,
  activeFlowId: string,
  knownObjects: EditorState["knownObjects"],
  store: EditorStoreApi,
) {
  const index = siteCheck.flows.findIndex((f) => f.metadata.flow_id === activeFlowId);
  const own = validateFlow(siteCheck.flows[index] ?? store.getState().toConfiguration(), knownObjects);
  return [...own, ...projectProblems(siteCheck, activeFlowId)];
}

const READ_ONLY_TITLE = "Viewers cannot save or deploy: this needs the operator role";

function EditorShell({ restoredDraftAt, readOnly }: { restoredDraftAt: string | null; readOnly: boolean }) {
  const store = useEditorStoreApi();
  const projectId = useEditorStore((s) => s.projectId);
  const projectName = useEditorStore((s) => s.projectName);
  const baseVersion = useEditorStore((s) => s.baseVersion);
  const revision = useEditorStore((s) => s.revision);
  const dirty = useEditorStore((s) => s.revision !== s.savedRevision);
  const canUndo = useEditorStore((s) => s.past.length > 0);
  const canRedo = useEditorStore((s) => s.future.length > 0);
  const { screenToFlowPosition } = useReactFlow();
  const [saving, setSaving] = useState(false);
  const [deploying, setDeploying] = useState(false);
  const notices = useNoticeStack();
  const { push: notify, clear: clearNotice } = notices;
  const [monitoring, setMonitoring] = useState(false);
  const [tab, setTab] = useState<BottomTab>("problems");
  const side = useEditorStore((s) => s.sidePanel);
  const [draftNotice, setDraftNotice] = useState(restoredDraftAt);
  const [liveValues, setLiveValues] = useState(true);
  const [supervisorId, setSupervisorId] = useState("default");
  const [supervisors, setSupervisors] = useState<SupervisorEntry[]>([]);
  useEffect(() => {
    void apiCall<{ supervisors: SupervisorEntry[] }>("/api/supervisors").then((r) => {
      if (r.ok) setSupervisors(r.body.supervisors);
    });
  }, []);
  const execution = useExecutionPolling(monitoring, supervisorId);
  // Breakpoint and pin marks stay on the canvas while live monitoring is on, not only on the tab.
  const debug = useFlowDebugger(tab === "debugger" || monitoring, supervisorId);
  const [deployCount, setDeployCount] = useState(0);
  const supervisorName = supervisors.find((s) => s.id === supervisorId)?.name ?? "Local supervisor";
  const runningVersion = useRunningVersion(
    projectId,
    supervisorId,
    supervisorName,
    // A deploy, or a start/stop seen by live monitoring, changes the line at once.
    `${deployCount}:${execution.snapshot?.status ?? ""}`,
  );
  // A viewer may look (canvas, live values, export) but the server refuses every write: no drafts are sent.
  const autosave = useAutosave(2000, !readOnly);
  useLivePointValues(supervisorId, liveValues);
  usePointCatalog(supervisorId);
  const knownObjects = useEditorStore((s) => s.knownObjects);
  const supervisorError = useEditorStore((s) => (s.supervisorErrorDismissed ? null : s.supervisorError));

  const activeFlowId = useEditorStore((s) => s.activeFlowId);
  const [view, setView] = useState<"canvas" | "site">("canvas");
  // The whole project as a deploy would judge it (every flow, library instances expanded, write
  // arbitration across flows), revalidated on every document change (a large flow: once edits settle) and tab switch.
  const large = useEditorStore((s) => s.nodes.length > LARGE_FLOW_NODES);
  // null while a large flow just opened waits for its first check (large-flow.ts): the canvas draws first.
  const checkedRevision = useSettledRevision(revision, large);
  // biome-ignore lint/correctness/useExhaustiveDependencies: checkedRevision and activeFlowId are the change signals for the store's document
  const siteCheck = useMemo(
    () => (checkedRevision === null ? null : checkProjectDocument(store.getState().toDocument())),
    [checkedRevision, activeFlowId, store],
  );
  const problems = useMemo(
    () => (siteCheck ? problemsOf(siteCheck, activeFlowId, knownObjects, store) : null),
    [siteCheck, activeFlowId, knownObjects, store],
  );
  const errorCount = problems?.filter((p) => p.severity !== "info").length;

  // "save" and "deploy" are separate kinds: a later save does not wipe out a deploy error.
  const showNotice = useCallback(
    (kind: "save" | "deploy", tone: "error" | "success" | "info", text: string) =>
      notify(
        kind,
        tone,
        <span data-testid="editor-notice" data-tone={tone}>
          {text}
        </span>,
      ),
    [notify],
  );
  const showDeployResult = useCallback(
    (result: DeployResult) =>
      notify(
        "deploy-result",
        result.outcomes.every((o) => o.ok) ? "success" : "error",
        <DeployResultView result={result} />,
      ),
    [notify],
  );

  const save = useCallback(async (): Promise<ProjectVersion | null> => {
    setSaving(true);
    const result = await saveWorkingCopy(store, { createdBy: authorName() });
    setSaving(false);
    if (!result.ok) {
      // A conflict has its own banner with the ways out; anything else is an error notice.
      if (!result.conflict) showNotice("save", "error", `Save failed: ${result.error}`);
      return null;
    }
    showNotice("save", "success", `Saved as version ${result.version.version}.`);
    return result.version;
  }, [store, showNotice]);

  const deploy = useCallback(async () => {
    clearNotice("deploy-result");
    // Arrow moves still in their burst count as unsaved: Deploy saves them first.
    store.getState().settleNudge();
    // A large flow's problems may lag the last edit by VALIDATION_SETTLE_MS: a deploy judges the document as it is.
    const current =
      problems && checkedRevision === store.getState().revision
        ? problems
        : problemsOf(checkProjectDocument(store.getState().toDocument()), activeFlowId, knownObjects, store);
    const blocking = current.filter((p) => p.severity !== "info");
    if (blocking.length > 0) {
      setTab("problems");
      showNotice(
        "deploy",
        "error",
        `Deploy blocked: ${blocking.length} problem${blocking.length === 1 ? "" : "s"} to fix first (see Problems).`,
      );
      return;
    }
    setDeploying(true);
    let version = store.getState().baseVersion;
    if (store.getState().revision !== store.getState().savedRevision || version === 0) {
      const saved = await save();
      if (!saved) {
        setDeploying(false);
        return;
      }
      version = saved.version;
    }
    const result = await apiCall<DeployResult>(`/api/projects/${projectId}/deploy`, {
      body: { supervisor_ids: [supervisorId], version },
      timeoutMs: 30_000,
    });
    setDeploying(false);
    setDeployCount((n) => n + 1);
    if (!result.ok) {
      showNotice("deploy", "error", `Deploy failed: ${result.error}`);
      if (result.errors.length > 0) {
        showDeployResult({
          project_version: version,
          outcomes: [
            {
              supervisor_id: supervisorId,
              supervisor_name: "Designer validation",
              ok: false,
              error: result.error,
              errors: result.errors,
              latency_ms: 0,
            },
          ],
        });
      }
      return;
    }
    const allOk = result.body.outcomes.every((o) => o.ok);
    // The message first, then the per-supervisor result under it (the stack shows newest last).
    if (allOk)
      showNotice(
        "deploy",
        "success",
        `Deployed version ${result.body.project_version}. Live monitoring is on.`,
      );
    else showNotice("deploy", "error", "Deploy failed on at least one supervisor; see the result below.");
    showDeployResult(result.body);
    if (allOk) {
      setMonitoring(true);
      setTab("execution");
    }
  }, [
    projectId,
    save,
    store,
    supervisorId,
    clearNotice,
    showNotice,
    showDeployResult,
    problems,
    checkedRevision,
    activeFlowId,
    knownObjects,
  ]);

  // A viewer's Save is off, and so is its shortcut: Ctrl+S said "Save failed" with the server's 403.
  const saveFromShortcut = useCallback(() => {
    if (readOnly) showNotice("save", "info", READ_ONLY_TITLE);
    else void save();
  }, [save, readOnly, showNotice]);
  const [shortcutSheet, setShortcutSheet] = useState(false);
  const minimap = useMinimapOpen();
  const toggleShortcutSheet = useCallback(() => setShortcutSheet((open) => !open), []);
  useEditorShortcuts({ save: saveFromShortcut, toggleShortcutSheet });

  // Closing the tab with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const guard = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener("beforeunload", guard);
    return () => window.removeEventListener("beforeunload", guard);
  }, [dirty]);

  const centreOfCanvas = useCallback(() => {
    const canvas = document.querySelector('[data-testid="flow-canvas"]')?.getBoundingClientRect();
    const centre = canvas
      ? screenToFlowPosition({ x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 })
      : { x: 0, y: 0 };
    return { x: centre.x - 110, y: centre.y - 30 };
  }, [screenToFlowPosition]);
  const addAtCentre = useCallback(
    (type: string) => void store.getState().addNode(type, centreOfCanvas()),
    [centreOfCanvas, store],
  );
  const addLibraryAtCentre = useCallback(
    (definitionId: string) => void store.getState().addLibraryInstance(definitionId, centreOfCanvas()),
    [centreOfCanvas, store],
  );

  return (
    <div className="flex h-full flex-col">
      <div className="flex h-12 shrink-0 items-center gap-2 border-b border-slate-200 bg-white px-3">
        {/* The short labels keep to one line on a 1440 px screen: the version story gives way (truncated). */}
        <Link href="/" className="shrink-0 whitespace-nowrap text-xs text-slate-500 hover:text-slate-900">
          Projects /
        </Link>
        <h1 className="truncate text-sm font-semibold" data-testid="project-name">
          {projectName}
        </h1>
        <span
          className="shrink-0 whitespace-nowrap text-xs text-slate-500"
          data-testid="save-status"
          data-dirty={dirty}
          data-version={baseVersion}
        >
          {saving
            ? "saving…"
            : dirty
              ? "unsaved changes"
              : baseVersion > 0
                ? `saved · v${baseVersion}`
                : "not saved"}
        </span>
        {dirty && autosave.lastDraftAt ? (
          <span
            className="shrink-0 whitespace-nowrap text-[11px] text-slate-400"
            data-testid="autosave-status"
          >
            draft autosaved {new Date(autosave.lastDraftAt).toLocaleTimeString()}
          </span>
        ) : null}
        {autosave.error ? <span className="text-[11px] text-red-600">{autosave.error}</span> : null}
        {runningVersion ? (
          <span
            className="min-w-0 truncate rounded bg-slate-100 px-1.5 py-0.5 text-[11px] text-slate-600"
            data-testid="version-story"
            title="The saved project version the supervisor's running config was built from"
          >
            {runningVersion}
          </span>
        ) : null}
        <div className="ml-auto flex items-center gap-1.5">
          <select
            className="h-8 max-w-44 rounded-md border border-slate-300 bg-white px-1 text-xs"
            value={supervisorId}
            onChange={(e) => {
              setSupervisorId(e.target.value);
              store.getState().setRuntime(null);
            }}
            title="The supervisor this editor deploys to, monitors and browses"
            aria-label="Supervisor"
            data-testid="supervisor-select"
          >
            {supervisors.length === 0 ? <option value="default">Local supervisor</option> : null}
            {supervisors.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          <label
            className="mr-2 flex items-center gap-1 whitespace-nowrap text-xs text-slate-600"
            title="Read the referenced points every 2 s"
          >
            <input
              type="checkbox"
              checked={liveValues}
              onChange={(e) => setLiveValues(e.target.checked)}
              data-testid="live-values-toggle"
            />
            live values
          </label>
          <Link
            href={`/projects/${projectId}/deploy`}
            className="inline-flex h-8 items-center whitespace-nowrap rounded-md px-2 text-xs text-slate-700 hover:bg-slate-100"
            data-testid="deploy-page-link"
            title="Deploy to several supervisors, see their history, roll back"
          >
            Deploy page
          </Link>
          <a
            href={`/api/projects/${projectId}/export`}
            className="inline-flex h-8 items-center gap-1 rounded-md px-2 text-xs text-slate-700 hover:bg-slate-100"
            data-testid="export-button"
            title="Download the project with its history as one JSON file (saved versions only)"
          >
            <Download className="size-4" /> Export
          </a>
          <Button
            size="icon"
            variant="ghost"
            title={`Undo (${shortcutText("undo")})`}
            disabled={!canUndo}
            onClick={() => store.getState().undo()}
            data-testid="undo-button"
          >
            <Undo2 />
          </Button>
          <Button
            size="icon"
            variant="ghost"
            title={`Redo (${shortcutText("redo")})`}
            disabled={!canRedo}
            onClick={() => store.getState().redo()}
            data-testid="redo-button"
          >
            <Redo2 />
          </Button>
          <Button
            size="sm"
            variant="outline"
            onClick={() => void save()}
            disabled={saving || readOnly}
            title={readOnly ? READ_ONLY_TITLE : undefined}
            data-testid="save-button"
          >
            <Save /> Save
          </Button>
          <Button
            size="sm"
            variant="primary"
            onClick={() => void deploy()}
            disabled={deploying || readOnly}
            title={readOnly ? READ_ONLY_TITLE : undefined}
            data-testid="deploy-button"
          >
            <Rocket /> {deploying ? "Deploying…" : "Deploy"}
          </Button>
        </div>
      </div>
      {shortcutSheet ? <ShortcutSheet onClose={() => setShortcutSheet(false)} /> : null}
      {readOnly ? (
        <Banner tone="info" data-testid="read-only-notice">
          Read-only: you are signed in as a viewer. You can browse the flows, watch live values and export;
          saving and deploying need the operator role (an admin can change it under Settings → Users).
        </Banner>
      ) : null}
      <VersionConflictBanner
        onSaved={(version) => showNotice("save", "success", `Saved as version ${version}.`)}
      />
      <div data-testid="notice-stack">
        {notices.notices.map((n) => (
          <Banner
            key={n.id}
            tone={n.tone}
            onDismiss={() => notices.dismiss(n.id)}
            data-testid={`notice-${n.kind}`}
          >
            {n.content}
          </Banner>
        ))}
      </div>
      {draftNotice ? (
        <Banner tone="info" onDismiss={() => setDraftNotice(null)} data-testid="draft-restored">
          Unsaved changes from {new Date(draftNotice).toLocaleString()} were restored from autosave. Save to
          keep them as a version, or{" "}
          <button
            type="button"
            className="underline"
            data-testid="discard-draft"
            onClick={async () => {
              await apiCall(`/api/projects/${projectId}/draft`, { method: "DELETE" });
              const s = store.getState();
              s.markSaved(s.baseVersion, s.revision);
              window.location.reload();
            }}
          >
            discard them
          </button>
          .
        </Banner>
      ) : null}
      {execution.error || supervisorError ? (
        <Banner
          tone="warning"
          onDismiss={() => {
            execution.dismissError();
            store.getState().dismissSupervisorError();
          }}
          data-testid="offline-banner"
        >
          {execution.error ?? supervisorError} The editor keeps working offline; your changes are kept in the
          Designer.
        </Banner>
      ) : null}
      <div className="grid min-h-0 flex-1 grid-cols-[220px_minmax(0,1fr)_300px]">
        <aside className="min-h-0 border-r border-slate-200 bg-slate-50">
          <NodePalette onAdd={addAtCentre} onAddLibrary={addLibraryAtCentre} />
        </aside>
        <main className="flex min-h-0 flex-col">
          <FlowTabs view={view} onView={setView} />
          <div className="min-h-0 flex-1">
            {view === "site" ? (
              <SiteOverview
                check={siteCheck ?? checkProjectDocument(store.getState().toDocument())}
                supervisorId={supervisorId}
                onOpen={(flowId) => {
                  store.getState().switchFlow(flowId);
                  setView("canvas");
                }}
              />
            ) : (
              <FlowCanvas onShowShortcuts={toggleShortcutSheet} minimap={minimap} />
            )}
          </div>
          <div
            className={`flex shrink-0 border-t border-slate-200 bg-white ${TALL_TABS.has(tab) ? "h-[300px]" : "h-[190px]"}`}
          >
            <div className="flex min-w-0 flex-1 flex-col">
              <div className="flex gap-1 border-b border-slate-100 px-2 pt-1 text-xs" role="tablist">
                <button
                  type="button"
                  role="tab"
                  aria-selected={tab === "problems"}
                  data-testid="tab-problems"
                  onClick={() => setTab("problems")}
                  className={`rounded-t px-2 py-1 ${tab === "problems" ? "bg-slate-100 font-semibold" : "text-slate-600"}`}
                >
                  Problems ({errorCount ?? "…"})
                </button>
                <button
                  type="button"
                  role="tab"
                  aria-selected={tab === "execution"}
                  data-testid="tab-execution"
                  onClick={() => setTab("execution")}
                  className={`rounded-t px-2 py-1 ${tab === "execution" ? "bg-slate-100 font-semibold" : "text-slate-600"}`}
                >
                  Execution{monitoring ? " ●" : ""}
                </button>
                {(
                  [
                    ["debugger", `Debugger${debug.state?.paused ? " (paused)" : ""}`],
                    ["tests", "Tests"],
                    ["replay", "Replay"],
                  ] as const
                ).map(([id, label]) => (
                  <button
                    key={id}
                    type="button"
                    role="tab"
                    aria-selected={tab === id}
                    data-testid={`tab-${id}`}
                    onClick={() => setTab(id)}
                    className={`rounded-t px-2 py-1 ${tab === id ? "bg-slate-100 font-semibold" : "text-slate-600"}`}
                  >
                    {label}
                  </button>
                ))}
              </div>
              <div className="min-h-0 flex-1 overflow-auto">
                {tab === "problems" ? (
                  problems ? (
                    <ValidationPanel problems={problems} />
                  ) : (
                    <p className="p-3 text-sm text-slate-500" data-testid="validation-pending">
                      Checking the project…
                    </p>
                  )
                ) : null}
                {tab === "execution" ? (
                  <ExecutionPanel
                    monitoring={monitoring}
                    onToggle={setMonitoring}
                    snapshot={execution.snapshot}
                    supervisorId={supervisorId}
                  />
                ) : null}
                {tab === "debugger" ? <DebuggerPanel debug={debug} /> : null}
                {tab === "tests" ? <TestCasesPanel /> : null}
                {tab === "replay" ? <ReplayPanel supervisorId={supervisorId} /> : null}
              </div>
            </div>
            {minimap.open ? <MinimapDock /> : null}
          </div>
        </main>
        <aside className="flex min-h-0 flex-col border-l border-slate-200 bg-white">
          <div
            className="flex shrink-0 flex-wrap gap-1 border-b border-slate-200 px-2 pt-1 text-xs"
            role="tablist"
          >
            {(
              [
                ["properties", "Properties"],
                ["versions", "Versions"],
                ["bacnet", "BACnet"],
                ["modbus", "Modbus"],
                ["mqtt", "MQTT"],
                ["http", "HTTP"],
              ] as const
            ).map(([id, label]) => (
              <button
                key={id}
                type="button"
                role="tab"
                aria-selected={side === id}
                data-testid={`side-tab-${id}`}
                onClick={() => store.getState().showSidePanel(id)}
                className={`rounded-t px-2 py-1 ${side === id ? "bg-slate-100 font-semibold" : "text-slate-600"}`}
              >
                {label}
              </button>
            ))}
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto">
            {side === "properties" ? <NodeInspector /> : null}
            {side === "versions" ? <VersionsPanel /> : null}
            {side === "bacnet" ? <BacnetBrowser supervisorId={supervisorId} /> : null}
            {side === "modbus" ? (
              <PluginBrowser
                key="modbus"
                supervisorId={supervisorId}
                protocol="modbus"
                rootsNoun="Modbus devices"
                writeByDefault
              />
            ) : null}
            {side === "mqtt" ? (
              <PluginBrowser
                key="mqtt"
                supervisorId={supervisorId}
                protocol="mqtt"
                rootsNoun="topics seen on the broker"
                writeByDefault={false}
              />
            ) : null}
            {side === "http" ? <HttpBrowser key="http" supervisorId={supervisorId} /> : null}
          </div>
        </aside>
      </div>
    </div>
  );
}

type BottomTab = "problems" | "execution" | "debugger" | "tests" | "replay";
/** Tabs with tables and charts get a taller panel. */
const TALL_TABS: ReadonlySet<BottomTab> = new Set(["debugger", "tests", "replay"]);

/**
 * The editor for one project. Its document is fetched from the server every time it mounts, never
 * taken from the page's props: Next's client router cache can hand back the payload of an earlier
 * visit (a Link back from the Deploy page, the browser's Back), and editing that stale copy and
 * saving it would silently drop every version saved since.
 */
export function FlowEditor({ projectId, readOnly = false }: { projectId: string; readOnly?: boolean }) {
  const [opened, setOpened] = useState<
    { init: EditorInit; draftSavedAt: string | null } | { error: string } | null
  >(null);
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the retry signal
  useEffect(() => {
    let live = true;
    setOpened(null);
    void openWorkingCopy(projectId).then((result) => {
      if (live) setOpened(result.ok ? { init: result.init, draftSavedAt: result.draftSavedAt } : result);
    });
    return () => {
      live = false;
    };
  }, [projectId, attempt]);

  if (opened === null) {
    return (
      <div className="p-6 text-sm text-slate-500" data-testid="editor-loading">
        Opening the project…
      </div>
    );
  }
  if ("error" in opened) {
    return (
      <div className="p-6">
        <Banner tone="error" data-testid="editor-open-error">
          The project could not be opened: {opened.error}{" "}
          <button type="button" className="underline" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </Banner>
      </div>
    );
  }
  return (
    <EditorStoreProvider init={opened.init}>
      <ReactFlowProvider>
        <EditorShell restoredDraftAt={opened.draftSavedAt} readOnly={readOnly} />
      </ReactFlowProvider>
    </EditorStoreProvider>
  );
}
