import { useEffect, useState } from "preact/hooks";
import { apiGet } from "../api/client";
import type { TimeseriesColumnsResponse } from "../api/types";
import { Stale } from "../components/status";
import { ago } from "../format";
import { type LoggedSeries, useLoggedSeries } from "../logged-series";
import { usePointCatalog } from "../point-catalog";
import { useNow, usePoll } from "../use-poll";
import { HistoryChart } from "./history-chart";

const RANGES = [
  { id: "15m", label: "15 min", refreshMs: 5000 },
  { id: "1h", label: "1 hour", refreshMs: 15_000 },
  { id: "6h", label: "6 hours", refreshMs: 60_000 },
  { id: "24h", label: "24 hours", refreshMs: 60_000 },
  // Weeks of trends (issue 15): the server answers these from its hour rollup.
  { id: "7d", label: "7 days", refreshMs: 300_000 },
  { id: "30d", label: "30 days", refreshMs: 300_000 },
] as const;

type RangeId = (typeof RANGES)[number]["id"];

/**
 * Bucketed on the server to about one sample per two pixels of chart, so a day of 1 s data arrives
 * as a few hundred points per series and a Pi answers it from an index range scan.
 */
function maxPoints(): number {
  return Math.max(100, Math.min(1500, Math.round(window.innerWidth / 2)));
}

export function History() {
  const now = useNow();
  const catalog = usePointCatalog();
  const logged = useLoggedSeries(catalog.config);
  const [selected, setSelected] = useState<string[] | null>(null);
  const [range, setRange] = useState<RangeId>("15m");
  const rangeInfo = RANGES.find((r) => r.id === range)!;

  // Until the operator picks, show what the flow reads: the first few points, the usual question.
  useEffect(() => {
    if (selected !== null || catalog.points.length === 0) return;
    const reads = catalog.points.filter((p) => p.sources.includes("read"));
    setSelected((reads.length > 0 ? reads : catalog.points).slice(0, 2).map((p) => p.ref));
  }, [catalog.points, selected]);

  const refs = selected ?? [];
  const key = refs.join(",");
  const history = usePoll(
    () =>
      refs.length === 0
        ? Promise.resolve(undefined)
        : apiGet<TimeseriesColumnsResponse>(
            `/api/data/timeseries?points=${encodeURIComponent(key)}&from=-${range}&max_points=${maxPoints()}&format=columns`,
          ),
    rangeInfo.refreshMs,
    [key, range],
  );
  const data = history.data;
  const names = new Map<string, { name: string; units?: string | undefined }>([
    ...logged.series.map((l): [string, { name: string }] => [l.ref, { name: l.name }]),
    ...catalog.points.map((p): [string, { name: string; units?: string | undefined }] => [p.ref, p]),
  ]);

  const toggle = (ref: string) =>
    setSelected((current) => {
      const list = current ?? [];
      return list.includes(ref) ? list.filter((r) => r !== ref) : [...list, ref];
    });

  return (
    <div class="history" data-testid="view-history">
      <aside class="picker" aria-label="Points to chart">
        <h2>Points</h2>
        {catalog.points.length === 0 ? <p class="muted">No points yet.</p> : null}
        {catalog.points.map((p) => (
          <label key={p.ref} class="pick">
            <input
              type="checkbox"
              checked={refs.includes(p.ref)}
              onChange={() => toggle(p.ref)}
              data-testid="history-pick"
              data-ref={p.ref}
            />
            <span>
              {p.name}
              <span class="mono small muted block">{p.ref.replace(/\.presentValue$/, "")}</span>
            </span>
          </label>
        ))}
        {logged.series.length > 0 ? (
          <LoggedPicks series={logged.series} selected={refs} onToggle={toggle} />
        ) : null}
      </aside>
      <div class="stack">
        <div class="toolbar">
          <fieldset class="segmented" aria-label="Time range">
            {RANGES.map((r) => (
              <button
                key={r.id}
                type="button"
                class={r.id === range ? "active" : ""}
                aria-pressed={r.id === range}
                onClick={() => setRange(r.id)}
                data-testid={`range-${r.id}`}
              >
                Last {r.label}
              </button>
            ))}
          </fieldset>
          <span class="muted small" data-testid="history-bucket">
            {data
              ? data.bucket_ms > 0
                ? `averaged per ${data.bucket_ms / 1000} s`
                : "every stored sample"
              : ""}
            {history.updatedAt ? ` · refreshed ${ago(history.updatedAt, now)}` : ""}
          </span>
        </div>
        <p class="muted small">Drag across a chart to zoom in; double-click to see the whole range again.</p>
        <Stale error={history.error} />
        {refs.length === 0 ? <p class="muted">Pick one or more points to chart.</p> : null}
        {data?.series
          .filter((s) => refs.includes(s.point))
          .map((s, i) => (
            <HistoryChart
              key={s.point}
              index={i}
              from={data.from}
              to={data.to}
              bucketMs={data.bucket_ms}
              series={{
                point: s.point,
                name: names.get(s.point)?.name ?? s.point,
                units: names.get(s.point)?.units,
                columns: s.columns,
                backfilled: s.backfilled,
              }}
            />
          ))}
      </div>
    </div>
  );
}

/** The values `log` nodes record, under their names; the node that logs each, or that none does now. */
function LoggedPicks(props: { series: LoggedSeries[]; selected: string[]; onToggle(ref: string): void }) {
  return (
    <div data-testid="history-logged">
      <h3 class="picker-group">Logged values</h3>
      {props.series.map((l) => (
        <label key={l.ref} class="pick">
          <input
            type="checkbox"
            checked={props.selected.includes(l.ref)}
            onChange={() => props.onToggle(l.ref)}
            data-testid="history-pick"
            data-ref={l.ref}
          />
          <span>
            {l.name}
            <span class="small muted block">
              {l.loggers.length > 0 ? `logged by ${l.loggers.join(", ")}` : "no longer logged by the flow"}
            </span>
          </span>
        </label>
      ))}
    </div>
  );
}
