import { unitSymbol } from "@bms/bacnet/display";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { WireColumns } from "../api/types";
import { pointValue, value } from "../format";
import { parseBacnetRef } from "../point-catalog";

const COLORS = ["#2563eb", "#c2410c", "#047857", "#7c3aed", "#0e7490", "#be123c"];

export interface ChartSeries {
  point: string;
  name: string;
  units: string | undefined;
  /** The server's columns (format=columns): absent min, max and last repeat avg. */
  columns: WireColumns;
  /** Stretches filled from a device Trend Log after an outage: shaded, and counted in the caption. */
  backfilled?: BackfillRange[];
}

export interface BackfillRange {
  from: number;
  to: number;
  samples: number;
  source: string;
}

/** What the page plotted, on window, so browser tests check the drawn numbers rather than a canvas. */
export interface PlottedChart {
  point: string;
  from: number;
  to: number;
  bucket_ms: number;
  data: (number | null)[][];
}

declare global {
  interface Window {
    bmsDashboard?: { charts: Record<string, PlottedChart> };
  }
}

function publish(chart: PlottedChart | undefined, point: string): void {
  window.bmsDashboard ??= { charts: {} };
  if (chart) window.bmsDashboard.charts[point] = chart;
  else delete window.bmsDashboard.charts[point];
}

/**
 * Commands are stored when they change, so a binary's last state holds until now: draw it to the end
 * of the window (or now) instead of leaving a lone dot at the last change.
 */
function toData(c: WireColumns, holdLastUntil?: number): uPlot.AlignedData {
  const data: [number[], (number | null)[], (number | null)[], (number | null)[]] = [
    c.t.map((t) => t / 1000),
    c.avg,
    c.min ?? c.avg,
    c.max ?? c.avg,
  ];
  const n = c.t.length;
  if (holdLastUntil === undefined || n === 0 || c.t[n - 1]! >= holdLastUntil) return data;
  return [
    [...data[0], holdLastUntil / 1000],
    [...data[1], c.avg[n - 1]!],
    [...data[2], data[2][n - 1]!],
    [...data[3], data[3][n - 1]!],
  ];
}

/**
 * One point's history as a uPlot chart: the average line, and when the server bucketed the samples,
 * the min..max band around it so a short spike still shows at 24 h. Drag to zoom in, double-click to
 * return to the whole window. A refresh keeps the operator's zoom.
 */
export function HistoryChart(props: {
  series: ChartSeries;
  index: number;
  from: number;
  to: number;
  bucketMs: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomed = useRef(false);
  const window_ = useRef({ from: props.from, to: props.to });
  const backfilled = useRef<BackfillRange[]>([]);
  backfilled.current = props.series.backfilled ?? [];
  window_.current = { from: props.from, to: props.to };
  const { point, units, name } = props.series;
  const symbol = unitSymbol(units);
  const binary = parseBacnetRef(point)?.type.startsWith("binary") ?? false;
  const color = COLORS[props.index % COLORS.length]!;
  const shownData = () => toData(props.series.columns, binary ? Math.min(Date.now(), props.to) : undefined);

  const publishChart = (chart: uPlot) =>
    publish(
      {
        point,
        from: props.from,
        to: props.to,
        bucket_ms: props.bucketMs,
        data: chart.data.map((column) => Array.from(column, (v) => (v === undefined ? null : v))),
      },
      point,
    );

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const shown = (_u: uPlot, v: number | null) =>
      v === null ? "–" : `${value(v)}${symbol ? ` ${symbol}` : ""}`;
    const line: uPlot.Series = {
      label: props.bucketMs > 0 ? `${name} (average)` : name,
      stroke: color,
      width: 2,
      value: shown,
      spanGaps: false,
    };
    if (binary) line.paths = uPlot.paths.stepped?.({ align: 1 });
    const options: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 240,
      scales: {
        x: {
          time: true,
          // The whole requested window, even when history began later; a drag-zoom narrows it.
          range: (_u, min, max) =>
            zoomed.current ? [min, max] : [window_.current.from / 1000, window_.current.to / 1000],
        },
        y: binary ? { range: [-0.1, 1.1] } : {},
      },
      series: [
        {},
        line,
        { label: "min", stroke: props.bucketMs > 0 ? `${color}55` : "transparent", width: 1, value: shown },
        { label: "max", stroke: props.bucketMs > 0 ? `${color}55` : "transparent", width: 1, value: shown },
      ],
      bands: props.bucketMs > 0 ? [{ series: [3, 2], fill: `${color}22` }] : [],
      axes: [
        { stroke: "#475569", grid: { stroke: "#e2e8f0" } },
        {
          stroke: "#475569",
          grid: { stroke: "#e2e8f0" },
          size: 64,
          label: symbol || undefined,
          values: binary
            ? (_u, ticks) => ticks.map((t) => (t === 1 ? "On" : t === 0 ? "Off" : ""))
            : (_u, ticks) => ticks.map((t) => value(t)),
        },
      ],
      cursor: { drag: { x: true, y: false } },
      legend: { show: true },
      hooks: {
        // Backfilled stretches are shaded behind the line, so an operator sees which values the
        // supervisor read itself and which it took from the device's log later.
        drawClear: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = "rgba(217, 119, 6, 0.16)";
            for (const r of backfilled.current) {
              const x0 = u.valToPos(r.from / 1000, "x", true);
              const x1 = u.valToPos(r.to / 1000, "x", true);
              ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
            }
            ctx.restore();
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width > 0) zoomed.current = true;
          },
        ],
      },
    };
    const chart = new uPlot(options, shownData(), el);
    chart.over.addEventListener("dblclick", () => {
      zoomed.current = false;
      chart.setScale("x", { min: window_.current.from / 1000, max: window_.current.to / 1000 });
    });
    plot.current = chart;
    publishChart(chart);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(280, el.clientWidth), height: 240 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
      publish(undefined, point);
    };
  }, [point, props.bucketMs > 0, binary, symbol, name]);

  useEffect(() => {
    const chart = plot.current;
    if (!chart) return;
    chart.setData(shownData(), !zoomed.current);
    publishChart(chart);
  }, [props.series.columns, props.from, props.to, props.bucketMs, point]);

  const { columns } = props.series;
  const count = columns.t.length;
  const latest = count > 0 ? ((columns.last ?? columns.avg)[count - 1] ?? columns.avg[count - 1]) : undefined;
  const filled = (props.series.backfilled ?? []).reduce((n, r) => n + r.samples, 0);
  return (
    <figure
      class="chart"
      data-testid="history-chart"
      data-point={point}
      data-samples={count}
      data-backfilled={filled}
    >
      <figcaption>
        <strong>{name}</strong> <span class="mono muted">{point.replace(/\.presentValue$/, "")}</span>
        {latest !== undefined ? (
          <span class="muted">
            {" "}
            · latest {pointValue(point, latest)}
            {symbol ? ` ${symbol}` : ""}
          </span>
        ) : null}
        {filled > 0 ? (
          <span
            class="backfilled small"
            title="shaded: values taken from the device's trend log after an outage"
          >
            {" "}
            · {filled} backfilled from the device's trend log
          </span>
        ) : null}
      </figcaption>
      <div ref={host} class="chart-canvas" />
      {count === 0 ? <p class="muted small">No history in this window yet.</p> : null}
    </figure>
  );
}
