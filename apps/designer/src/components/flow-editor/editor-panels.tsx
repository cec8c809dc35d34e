"use client";

import dynamic from "next/dynamic";

/*
 * The editor's panels that no one sees until they open a tab: each is its own script chunk, loaded on
 * first open (a moment, then cached), so opening a flow does not load, parse and run them first. Measured
 * 2026-12-02 on the 2,000-node bench flow: the editor's page script was 180 kB (gzip) with them eager.
 * The properties inspector, the palette and the canvas stay in the page's own chunk: they are on screen
 * at once.
 */

const loading = () => <p className="p-3 text-xs text-slate-500">Loading…</p>;

export const BacnetBrowser = dynamic(
  () => import("../bacnet-browser/bacnet-browser").then((m) => m.BacnetBrowser),
  { loading },
);
export const DebuggerPanel = dynamic(
  () => import("../debugger/debugger-panel").then((m) => m.DebuggerPanel),
  { loading },
);
export const ReplayPanel = dynamic(() => import("../debugger/replay-panel").then((m) => m.ReplayPanel), {
  loading,
});
export const HttpBrowser = dynamic(
  () => import("../plugin-browser/http-browser").then((m) => m.HttpBrowser),
  { loading },
);
export const PluginBrowser = dynamic(
  () => import("../plugin-browser/plugin-browser").then((m) => m.PluginBrowser),
  { loading },
);
export const TestCasesPanel = dynamic(
  () => import("../test-cases/test-cases-panel").then((m) => m.TestCasesPanel),
  { loading },
);
export const VersionsPanel = dynamic(() => import("./versions-panel").then((m) => m.VersionsPanel), {
  loading,
});
export const SiteOverview = dynamic(() => import("./site-overview").then((m) => m.SiteOverview), {
  loading,
});
export const ExecutionPanel = dynamic(() => import("./execution-panel").then((m) => m.ExecutionPanel), {
  loading,
});
export const ShortcutSheet = dynamic(() => import("./shortcut-sheet").then((m) => m.ShortcutSheet));
