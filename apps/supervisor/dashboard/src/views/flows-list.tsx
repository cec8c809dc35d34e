import { apiSend } from "../api/client";
import type { FlowSummary } from "../api/types";
import { ActionButton } from "../components/action-button";
import { Card, flowTone, flowWord, Pill } from "../components/status";
import { ago, triggerText } from "../format";

/**
 * The site's flows side by side: state, scan time, overruns and last error of each, with start, stop
 * and restart per flow (the server checks the operator role; every action confirms first). Choosing a
 * row draws that flow's picture below.
 */
export function FlowsList(props: {
  flows: FlowSummary[];
  selected: string | undefined;
  now: number;
  onSelect(flowId: string): void;
  onChange(): void;
}) {
  const act = (flow: FlowSummary, verb: "start" | "stop" | "restart") => () =>
    apiSend("POST", `/api/flows/${encodeURIComponent(flow.flow_id)}/${verb}`);
  return (
    <Card title={`Flows (${props.flows.length})`} testId="flows-list" wide>
      <table class="table">
        <thead>
          <tr>
            <th>Flow</th>
            <th>State</th>
            <th>Trigger</th>
            <th class="num">Scans</th>
            <th class="num">Scan time</th>
            <th class="num">Overruns</th>
            <th>Last error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {props.flows.map((f) => (
            <tr
              key={f.flow_id}
              data-testid="flow-row"
              data-flow={f.flow_id}
              data-status={f.status}
              class={f.flow_id === props.selected ? "selected" : undefined}
            >
              <td>
                <button
                  type="button"
                  class="link"
                  data-testid="flow-pick"
                  aria-pressed={f.flow_id === props.selected}
                  onClick={() => props.onSelect(f.flow_id)}
                  title="Show this flow's picture"
                >
                  {f.name}
                </button>
                <span class="muted small"> · {f.nodes} nodes</span>
              </td>
              <td>
                <Pill tone={flowTone(f.status)} testId="flow-row-status">
                  {flowWord(f.status)}
                </Pill>
              </td>
              <td class="small">{f.trigger ? triggerText(f.trigger) : "—"}</td>
              <td class="num mono" data-testid="flow-row-scans">
                {f.scan_count.toLocaleString()}
                {f.last_scan_at ? <span class="muted small"> · {ago(f.last_scan_at, props.now)}</span> : null}
              </td>
              <td class="num mono">{f.avg_scan_ms.toFixed(1)} ms</td>
              <td class="num mono" data-testid="flow-row-overruns">
                {f.overruns > 0 ? <Pill tone="warn">{String(f.overruns)}</Pill> : "0"}
              </td>
              <td class="small" data-testid="flow-row-error">
                {f.last_error ? (
                  <span class="note-bad">{f.last_error}</span>
                ) : (
                  <span class="muted">none</span>
                )}
              </td>
              <td class="actions">
                {f.status === "running" ? (
                  <>
                    <ActionButton
                      kind="danger"
                      testId="flow-row-stop"
                      confirm={`Stop the flow "${f.name}"? The points it commands are released (relinquished); the other flows keep running. It stays stopped until started, also after a restart.`}
                      run={act(f, "stop")}
                      onDone={props.onChange}
                    >
                      Stop
                    </ActionButton>
                    <ActionButton
                      testId="flow-row-restart"
                      confirm={`Restart the flow "${f.name}"? Its points are released and commanded again.`}
                      run={act(f, "restart")}
                      onDone={props.onChange}
                    >
                      Restart
                    </ActionButton>
                  </>
                ) : (
                  <ActionButton
                    kind="primary"
                    testId="flow-row-start"
                    confirm={`Start the flow "${f.name}"?`}
                    run={act(f, "start")}
                    onDone={props.onChange}
                  >
                    Start
                  </ActionButton>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
