// What every bench shares to publish its figures: the flat, machine-readable bench/results/summary.json
// (issue 15: merged from all benches, only numbers measured in the run) and bench/results/REPORT.md with
// one SVG chart per benchmark, each drawn by the bench that measured it. A full `pnpm bench` clears both
// first (scripts/bench.mjs), so nothing in them is left over from an earlier run.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "@bms/test-support";

const RESULTS = join(REPO_ROOT, "bench/results");
const SECTIONS = join(RESULTS, "report");
const CHARTS = join(RESULTS, "charts");
const SUMMARY = join(RESULTS, "summary.json");

/** The keys issue 15 asks for, in its order, with the goal each is read against. */
export const SUMMARY_KEYS: Readonly<Record<string, string>> = {
  history_bytes_per_sample: "≤ 4",
  history_ingest_samples_per_s: "≥ 200,000",
  history_query_15min_20_points_ms: "≤ 10",
  history_query_30d_20_points_ms: "≤ 300",
  scan_ratio_to_raw: "≥ 0.8 (devices on their own CPU, since 2026-12-02)",
  scan_ratio_to_raw_shared_cpus: "≥ 0.8 (all processes on shared CPUs: the method before)",
  interpreter_ratio_to_hand_wired: "≤ 1.5",
  supervisor_rss_mb_2000_points: "< 150",
  scale_50k_points_supervisor_rss_mb: "≤ 300",
  scale_50k_points_cpu_share: "≤ 0.25 of one core",
  designer_2000_nodes_ms_per_frame: "≤ 16",
  designer_2000_nodes_load_ms: "≤ 2,000",
  multi_flow_cpu_ratio_20_flows_to_one: "≤ 1.10 (issue 12)",
  multi_flow_reads_sent_to_ideal: "1.0 (issue 12)",
};

/** Merges this bench's figures into summary.json. Only finite numbers measured now are accepted. */
export function writeSummary(values: Record<string, number>): void {
  const current: Record<string, number> = existsSync(SUMMARY)
    ? JSON.parse(readFileSync(SUMMARY, "utf8"))
    : {};
  for (const [key, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) throw new Error(`summary ${key}: ${value} is not a measured number`);
    current[key] = value;
  }
  const sorted = Object.fromEntries(Object.entries(current).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(SUMMARY, `${JSON.stringify(sorted, null, 2)}\n`);
  writeReport();
}

export interface Bar {
  label: string;
  value: number;
  /** ours: what we measured; baseline: the comparison measured in the same run; goal: a target line. */
  role: "ours" | "baseline";
}

export interface Chart {
  /** File name under bench/results/charts/ (.svg). */
  file: string;
  title: string;
  unit: string;
  bars: Bar[];
  /** A goal drawn as a dashed line, when the chart has one. */
  goal?: { value: number; label: string };
  /** Values above this are drawn on a log scale (spans of 10x and more). */
  log?: boolean;
}

export interface Section {
  /** Orders the sections and names the section file: the bench's file name without .bench.ts. */
  bench: string;
  title: string;
  charts: Chart[];
  /** Markdown lines under the charts: what was measured and how. */
  lines: string[];
}

/** Writes a bench's charts and its REPORT.md section, then rebuilds REPORT.md from all sections. */
export function writeSection(section: Section): void {
  mkdirSync(SECTIONS, { recursive: true });
  mkdirSync(CHARTS, { recursive: true });
  for (const chart of section.charts) writeFileSync(join(CHARTS, chart.file), barChart(chart));
  const stored = {
    bench: section.bench,
    title: section.title,
    measured_at: new Date().toISOString(),
    charts: section.charts.map((c) => ({ file: c.file, title: c.title })),
    lines: section.lines,
  };
  writeFileSync(join(SECTIONS, `${section.bench}.json`), `${JSON.stringify(stored, null, 2)}\n`);
  writeReport();
}

/** Rebuilds REPORT.md from summary.json and the stored sections (after a merge of two benches' results). */
export function writeReport(): void {
  const summary: Record<string, number> = existsSync(SUMMARY)
    ? JSON.parse(readFileSync(SUMMARY, "utf8"))
    : {};
  const sections = existsSync(SECTIONS)
    ? readdirSync(SECTIONS)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map(
          (f) =>
            JSON.parse(readFileSync(join(SECTIONS, f), "utf8")) as {
              bench: string;
              title: string;
              measured_at: string;
              charts: { file: string; title: string }[];
              lines: string[];
            },
        )
    : [];
  const out: string[] = [
    "# Benchmark report",
    "",
    "Written by `pnpm bench` (bench/report.ts); do not edit by hand. Each chart is drawn by the bench that",
    `measured it, ours against its baseline measured in the same run. Machine: ${cpus().length} cores, Node ${process.version}.`,
    "",
    "## Summary (`bench/results/summary.json`)",
    "",
    "| key | measured | goal (issue 15) |",
    "| --- | --- | --- |",
  ];
  const notMeasured: string[] = [];
  for (const [key, goal] of Object.entries(SUMMARY_KEYS)) {
    const value = summary[key];
    if (value === undefined) notMeasured.push(key);
    out.push(`| \`${key}\` | ${value === undefined ? "not measured" : formatNumber(value)} | ${goal} |`);
  }
  for (const [key, value] of Object.entries(summary))
    if (!(key in SUMMARY_KEYS)) out.push(`| \`${key}\` | ${formatNumber(value)} | |`);
  out.push("");
  if (notMeasured.length > 0)
    out.push(
      `Not measured in this run (no bench measures them yet, or their bench did not run): ${notMeasured.map((k) => `\`${k}\``).join(", ")}.`,
      "",
    );
  for (const s of sections) {
    out.push(`## ${s.title}`, "", `\`bench/${s.bench}.bench.ts\`, measured ${s.measured_at}.`, "");
    for (const c of s.charts) out.push(`![${c.title}](charts/${c.file})`, "");
    out.push(...s.lines, "");
  }
  writeFileSync(join(RESULTS, "REPORT.md"), `${out.join("\n").trimEnd()}\n`);
}

export function formatNumber(value: number): string {
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A horizontal bar chart as a standalone SVG: ours in blue, baselines in grey, the goal dashed red. */
export function barChart(chart: Chart): string {
  const width = 720;
  const labelWidth = 230;
  const valueWidth = 90;
  const barArea = width - labelWidth - valueWidth - 20;
  const rowHeight = 26;
  const top = 44;
  const height = top + chart.bars.length * rowHeight + 34;
  const max = Math.max(...chart.bars.map((b) => b.value), chart.goal?.value ?? 0) || 1;
  const min = Math.min(...chart.bars.map((b) => b.value).filter((v) => v > 0), chart.goal?.value ?? max);
  const log = chart.log === true && min > 0;
  const lo = log ? 10 ** Math.floor(Math.log10(min)) : 0;
  const scale = (v: number) =>
    log
      ? ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(max * 1.05) - Math.log10(lo))) * barArea
      : (v / (max * 1.05)) * barArea;
  const rows = chart.bars.map((b, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, scale(b.value));
    const fill = b.role === "ours" ? "#2563eb" : "#9ca3af";
    return [
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${xml(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${fill}"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 17}">${xml(formatNumber(b.value))}</text>`,
    ].join("");
  });
  const goal = chart.goal
    ? (() => {
        const x = labelWidth + scale(chart.goal.value);
        const bottom = top + chart.bars.length * rowHeight;
        return (
          `<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${bottom + 4}" stroke="#dc2626" stroke-dasharray="5,4"/>` +
          `<text x="${x.toFixed(1)}" y="${bottom + 20}" text-anchor="middle" fill="#dc2626">${xml(chart.goal.label)}</text>`
        );
      })()
    : "";
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${xml(chart.title)}</text>`,
    `<text x="${width - 12}" y="22" text-anchor="end" fill="#555">${xml(chart.unit)}${log ? " (log scale)" : ""}; blue: ours, grey: baseline</text>`,
    ...rows,
    goal,
    "</svg>",
    "",
  ].join("\n");
}
