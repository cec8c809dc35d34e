import { formatValue } from "@bms/bacnet/display";
import { useState } from "preact/hooks";
import { apiGet, apiSend } from "../api/client";
import type { CurrentConfigResponse, LatestResponse, PointValue } from "../api/types";
import { ActionButton } from "../components/action-button";
import { Pill, qualityTone, Stale } from "../components/status";
import { ago, pointValue, shortRef, value } from "../format";
import { type PointInfo, type PointSource, usePointCatalog } from "../point-catalog";
import { flowsOf, nodeLabel } from "../site-flows";
import { useNow, usePoll } from "../use-poll";
import { PointDetail, type PointUse } from "./point-detail";

interface Row extends PointInfo {
  value: PointValue["value"] | undefined;
  quality: PointValue["quality"] | undefined;
  reason: string | undefined;
  /** The state text the supervisor sent with the value (multi-state, binary). */
  text: string | undefined;
  at: number | undefined;
}

/** A value as the operator reads it: state text, or the number with its unit symbol. */
function shownValue(r: Row): string {
  if (r.text) return r.text;
  if (r.value === undefined) return "–";
  const hasTexts = r.labels?.state_text || r.labels?.active_text !== undefined;
  return hasTexts || r.labels?.units ? formatValue(r.value, r.labels) : pointValue(r.ref, r.value);
}

/** `#/points?point=<ref>` opens that point's detail, so a link or a reload keeps it open. */
function pointInHash(): string | null {
  return new URLSearchParams(location.hash.split("?")[1] ?? "").get("point");
}

type SortKey = "name" | "ref" | "value" | "quality" | "age";

const SOURCE_WORDS: Record<PointSource, string> = {
  read: "Read by flow",
  write: "Commanded by flow",
  watch: "Watch list",
};

const QUALITY_ORDER: Record<string, number> = { bad: 0, uncertain: 1, good: 2 };

function compare(a: Row, b: Row, key: SortKey): number {
  switch (key) {
    case "name":
      return a.name.localeCompare(b.name);
    case "ref":
      return a.ref.localeCompare(b.ref);
    case "value": {
      const x = typeof a.value === "number" ? a.value : Number.NEGATIVE_INFINITY;
      const y = typeof b.value === "number" ? b.value : Number.NEGATIVE_INFINITY;
      return x === y ? value(a.value).localeCompare(value(b.value)) : x - y;
    }
    case "quality":
      return (QUALITY_ORDER[a.quality ?? ""] ?? -1) - (QUALITY_ORDER[b.quality ?? ""] ?? -1);
    case "age":
      return (b.at ?? 0) - (a.at ?? 0);
  }
}

/**
 * Every point the flow uses plus the watch list. Values the flow reads or commands come from its last
 * scan (/api/points/live, no extra BACnet traffic; a commanded point is read back, so its quality is the
 * device's); watched values from the latest history sample (/api/data/latest), which the watch poller
 * keeps current.
 */
export function Points() {
  const now = useNow();
  const catalog = usePointCatalog();
  const live = usePoll(() => apiGet<{ values: PointValue[] }>("/api/points/live"), 2000);
  const latest = usePoll(() => apiGet<LatestResponse>("/api/data/latest"), 2000);
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; up: boolean }>({ key: "name", up: true });
  const [adding, setAdding] = useState("");
  const [selected, setSelected] = useState<string | null>(pointInHash());
  const select = (ref: string | null) => {
    setSelected(ref);
    history.replaceState(null, "", ref ? `#/points?point=${encodeURIComponent(ref)}` : "#/points");
  };

  const liveByRef = new Map((live.data?.values ?? []).map((v) => [v.point, v]));
  const latestByRef = new Map((latest.data?.values ?? []).map((v) => [v.point, v]));
  const rows: Row[] = catalog.points.map((p) => {
    const scanned = p.sources.includes("read") || p.sources.includes("write");
    const v = (scanned ? liveByRef.get(p.ref) : undefined) ?? latestByRef.get(p.ref);
    return {
      ...p,
      value: v?.value,
      quality: v?.quality,
      reason: v && "reason" in v && typeof v.reason === "string" ? v.reason : undefined,
      text: v && "text" in v && typeof v.text === "string" ? v.text : undefined,
      at: v ? Date.parse(v.timestamp) : undefined,
    };
  });
  const needle = search.trim().toLowerCase();
  const shown = rows
    .filter((r) => !needle || r.name.toLowerCase().includes(needle) || r.ref.toLowerCase().includes(needle))
    .sort((a, b) => (sort.up ? 1 : -1) * compare(a, b, sort.key));

  const header = (key: SortKey, label: string, className?: string) => (
    <th
      class={className}
      aria-sort={sort.key === key ? (sort.up ? "ascending" : "descending") : "none"}
      data-testid={`sort-${key}`}
    >
      <button
        type="button"
        class="sort"
        onClick={() => setSort((s) => ({ key, up: s.key === key ? !s.up : true }))}
      >
        {label}
        <span aria-hidden="true">{sort.key === key ? (sort.up ? " ▲" : " ▼") : ""}</span>
      </button>
    </th>
  );

  const saveWatch = (points: string[]) =>
    apiSend("PUT", "/api/data/watch", { points }).then(() => catalog.reloadWatch());

  return (
    <div class="stack" data-testid="view-points">
      <div class="toolbar">
        <input
          type="search"
          placeholder="Search by name or reference"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
          data-testid="points-search"
          aria-label="Search points"
        />
        <span class="muted">
          {shown.length} of {rows.length} points · refreshed {live.updatedAt ? ago(live.updatedAt, now) : "…"}
        </span>
      </div>
      <Stale error={live.error ?? latest.error} />
      {selected ? (
        <PointDetail
          key={selected}
          point={selected}
          name={rows.find((r) => r.ref === selected)?.name ?? shortRef(selected)}
          usedBy={usesOf(catalog.config, selected)}
          onClose={() => select(null)}
        />
      ) : null}
      <div class="table-wrap">
        <table class="table" data-testid="points-table">
          <thead>
            <tr>
              {header("name", "Name")}
              {header("ref", "Reference")}
              {header("value", "Value", "num")}
              {header("quality", "Quality")}
              {header("age", "Updated")}
              <th>Used for</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.ref} data-testid="point-row" data-ref={r.ref}>
                <td class="strong">
                  <button
                    type="button"
                    class="sort"
                    onClick={() => select(r.ref)}
                    aria-pressed={selected === r.ref}
                    title="Show the priority array and who commands this point"
                    data-testid="point-open"
                  >
                    {r.name}
                  </button>
                </td>
                <td class="mono">{shortRef(r.ref)}</td>
                <td class="num mono" data-testid="point-value">
                  {shownValue(r)}
                </td>
                <td>
                  {r.quality ? (
                    <Pill tone={qualityTone(r.quality)} title={r.reason} testId="point-quality">
                      {r.quality}
                    </Pill>
                  ) : (
                    <span class="muted">no value yet</span>
                  )}
                  {r.reason ? <div class="small muted">{r.reason}</div> : null}
                </td>
                <td data-testid="point-age" data-at={r.at ?? ""}>
                  {r.at ? ago(r.at, now) : "–"}
                </td>
                <td class="small">
                  {r.sources.map((s) => SOURCE_WORDS[s]).join(", ")}
                  {r.sources.includes("watch") ? (
                    <>
                      {" "}
                      <ActionButton
                        testId="watch-remove"
                        run={() => saveWatch(catalog.watch.filter((w) => w !== r.ref))}
                      >
                        Remove
                      </ActionButton>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
            {shown.length === 0 ? (
              <tr>
                <td colSpan={6} class="muted">
                  {rows.length === 0
                    ? "No points yet: deploy a flow or add points to the watch list."
                    : "No point matches the search."}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <label class="small" for="watch-add">
          Watch another point (kept in history every 5 s):
        </label>
        <input
          id="watch-add"
          class="mono"
          placeholder="bacnet:1001/analogValue:1"
          value={adding}
          onInput={(e) => setAdding(e.currentTarget.value)}
          data-testid="watch-add-ref"
        />
        <ActionButton
          testId="watch-add"
          disabled={!adding.trim()}
          run={() => saveWatch([...catalog.watch, adding.trim()])}
          onDone={() => setAdding("")}
        >
          Add to watch list
        </ActionButton>
      </form>
    </div>
  );
}

/** The site's flow nodes that read or command a point, named as drawn. */
function usesOf(config: CurrentConfigResponse | null | undefined, ref: string): PointUse[] {
  const names = new Map(flowsOf(config).map((f) => [f.metadata.flow_id, f.metadata.flow_name]));
  return (config?.points ?? [])
    .filter((u) => u.ref === ref)
    .map((u) => ({
      role: u.role,
      flowId: u.flow_id,
      flowName: names.get(u.flow_id) ?? u.flow_id,
      nodeId: u.node_id,
      nodeLabel: nodeLabel(config, u.flow_id, u.node_id) ?? u.node_id,
    }));
}
