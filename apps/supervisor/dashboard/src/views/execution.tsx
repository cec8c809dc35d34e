import { useState } from "preact/hooks";
import { apiGet } from "../api/client";
import { loadCurrentConfig } from "../api/loaders";
import type { ExecutionStateResponse, FlowsResponse, NodeExecutionStatus } from "../api/types";
import { Card, flowTone, flowWord, nodeTone, Pill, Stale } from "../components/status";
import { ago, shortRef, value } from "../format";
import { usePointCatalog } from "../point-catalog";
import { flowOf, portsOf } from "../site-flows";
import { useNow, usePoll } from "../use-poll";
import { AlertsPanel } from "./alerts-panel";
import { FlowPicture } from "./flow-picture";
import { FlowsList } from "./flows-list";
import { LogPanel } from "./log-panel";

function Values(props: { title: string; values: Record<string, unknown> | undefined }) {
  const entries = Object.entries(props.values ?? {});
  return (
    <div>
      <h3>{props.title}</h3>
      {entries.length === 0 ? <p class="muted small">none</p> : null}
      <dl class="facts">
        {entries.map(([port, raw]) => {
          const v =
            raw && typeof raw === "object" && "value" in raw
              ? (raw as { value: unknown; quality?: string })
              : { value: raw };
          return (
            <div key={port}>
              <dt>{port}</dt>
              <dd class="mono">
                {value(v.value)}
                {"quality" in v && v.quality && v.quality !== "good" ? (
                  <>
                    {" "}
                    <Pill tone={v.quality === "bad" ? "bad" : "warn"}>{v.quality}</Pill>
                  </>
                ) : null}
              </dd>
            </div>
          );
        })}
      </dl>
    </div>
  );
}

function NodeDetails(props: { status: NodeExecutionStatus | undefined; nodeId: string }) {
  const s = props.status;
  return (
    <Card title={`Node ${props.nodeId}`} testId="node-details" wide>
      <p>
        <Pill tone={nodeTone(s?.status)}>{s?.status ?? "not run yet"}</Pill>
        {s?.execution_duration_ms !== undefined ? (
          <span class="muted"> · took {s.execution_duration_ms.toFixed(2)} ms</span>
        ) : null}
      </p>
      {s?.error_message ? <p class="note note-bad">{s.error_message}</p> : null}
      <div class="columns">
        <Values title="Inputs" values={s?.input_values} />
        <Values title="Outputs" values={s?.output_values} />
      </div>
    </Card>
  );
}

/** `#/execution?flow=<id>` names the flow the picture shows, so a link or a reload keeps it. */
function flowFromHash(): string | undefined {
  return new URLSearchParams(location.hash.split("?")[1] ?? "").get("flow") ?? undefined;
}

/**
 * The deployed site, live: every flow with its state and controls, then one flow's picture (chosen
 * from the list) with node states and values of its last scan, then alarms and the log.
 */
export function Execution() {
  const now = useNow();
  const config = usePoll(loadCurrentConfig, 30_000);
  // Units and state texts of the points the flows use, so the picture shows "21.4 °C", not "21.4".
  const catalog = usePointCatalog();
  const pointLabels = new Map(
    catalog.points.flatMap((p) => (p.labels ? [[shortRef(p.ref), p.labels] as const] : [])),
  );
  const flows = usePoll(() => apiGet<FlowsResponse>("/api/flows"), 2000);
  const [picked, setPicked] = useState<string | undefined>(flowFromHash());
  const list = flows.data?.flows ?? [];
  const flowId = list.some((f) => f.flow_id === picked) ? picked : list[0]?.flow_id;
  const state = usePoll(
    () =>
      apiGet<ExecutionStateResponse>(
        `/api/execution/state?timeline=0${flowId ? `&flow_id=${encodeURIComponent(flowId)}` : ""}`,
      ),
    2000,
    [flowId],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const statuses = new Map((state.data?.node_statuses ?? []).map((s) => [s.node_id, s]));
  const run = state.data?.execution_state;
  const failed = run?.failed_nodes.length ?? 0;
  const flow = flowId ? flowOf(config.data, flowId) : undefined;
  const pick = (id: string) => {
    setPicked(id);
    setSelected(null);
    history.replaceState(null, "", `#/execution?flow=${encodeURIComponent(id)}`);
  };

  return (
    <div class="stack" data-testid="view-execution">
      <Stale error={flows.error ?? state.error ?? config.error} />
      {list.length > 0 ? (
        <FlowsList flows={list} selected={flowId} now={now} onSelect={pick} onChange={flows.refresh} />
      ) : null}
      <div class="toolbar">
        {list.length > 1 ? (
          <label class="small">
            Picture of{" "}
            <select
              data-testid="flow-picker"
              value={flowId}
              onChange={(e) => pick((e.target as HTMLSelectElement).value)}
            >
              {list.map((f) => (
                <option key={f.flow_id} value={f.flow_id}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <Pill tone={flowTone(run?.status)} testId="exec-flow-status">
          {run ? flowWord(run.status) : "…"}
        </Pill>
        {state.data ? (
          <span class="muted">
            scan {state.data.scan.toLocaleString()} · last {ago(state.data.last_scan_at, now)} ·{" "}
            {state.data.performance_metrics.avg_execution_time_ms.toFixed(1)} ms average ·{" "}
            {run?.completed_nodes ?? 0} of {run?.total_nodes ?? 0} nodes completed
            {failed > 0 ? `, ${failed} failed` : ""}
          </span>
        ) : null}
      </div>
      <Card title={flow ? `Flow: ${flow.metadata.flow_name}` : "Flow"} testId="flow-picture-card" wide>
        {config.data === null ? (
          <p class="muted">No flow has been deployed yet.</p>
        ) : config.data && flow ? (
          <FlowPicture
            key={flow.metadata.flow_id}
            flow={flow}
            nodeTypes={config.data.node_types}
            nodePorts={portsOf(config.data, flow.metadata.flow_id)}
            statuses={statuses}
            selected={selected}
            onSelect={(id) => setSelected((s) => (s === id ? null : id))}
            pointLabels={pointLabels}
          />
        ) : (
          <p class="muted">Loading…</p>
        )}
      </Card>
      {selected ? <NodeDetails nodeId={selected} status={statuses.get(selected)} /> : null}
      <AlertsPanel />
      <LogPanel />
    </div>
  );
}
