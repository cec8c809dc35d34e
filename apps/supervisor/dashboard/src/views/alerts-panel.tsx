import { useState } from "preact/hooks";
import { apiGet, apiSend } from "../api/client";
import { operatorStore } from "../api/operator";
import type { AlertRecord } from "../api/types";
import { ActionButton } from "../components/action-button";
import { Card, Pill, Stale, type Tone } from "../components/status";
import { ago } from "../format";
import { useNow, usePoll } from "../use-poll";

const STATE_WORDS: Record<AlertRecord["state"], [string, Tone]> = {
  active: ["In alarm", "bad"],
  acknowledged: ["Acknowledged", "warn"],
  cleared: ["Cleared", "idle"],
};

const PRIORITY_TONE: Record<string, Tone> = { critical: "bad", high: "bad", medium: "warn", low: "info" };

/** Alarms with their priority, state, time and, for those waiting for an operator, Acknowledge. */
export function AlertList(props: { alerts: AlertRecord[]; onChange: () => void; showTime?: boolean }) {
  const now = useNow();
  return (
    <ul class="list">
      {props.alerts.map((a) => {
        const [word, tone] = STATE_WORDS[a.state];
        // Latched alarms stay active until someone acknowledges, even after the condition clears.
        const needsAck = a.state === "active";
        return (
          <li key={a.key} data-testid="alert" data-key={a.key} data-state={a.state}>
            <div class="row">
              <Pill tone={PRIORITY_TONE[a.priority] ?? "info"}>{a.priority}</Pill>
              <strong>{a.message}</strong>
            </div>
            <div class="row small muted">
              <Pill tone={tone}>{word}</Pill>
              <span>
                raised {props.showTime ? `${new Date(a.raised_at).toLocaleString()}, ` : ""}
                {ago(a.raised_at, now)} by node {a.node_id}
                {a.count > 1 ? ` · ${a.count} times` : ""}
                {a.latched ? " · latched" : ""}
                {a.acked_by ? ` · acknowledged by ${a.acked_by} ${ago(a.acked_at, now)}` : ""}
              </span>
            </div>
            {needsAck ? (
              <ActionButton
                kind="primary"
                testId="alert-ack"
                confirm={`Acknowledge the ${a.priority} alarm "${a.message}"?`}
                run={() =>
                  apiSend("POST", `/api/alerts/${encodeURIComponent(a.key)}/ack`, {
                    ...(operatorStore.get() ? { by: operatorStore.get() } : {}),
                  })
                }
                onDone={props.onChange}
              >
                Acknowledge
              </ActionButton>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/** Alarms, most urgent first; the ones waiting for an operator carry an Acknowledge button. */
export function AlertsPanel() {
  const [all, setAll] = useState(false);
  const alerts = usePoll(
    () => apiGet<{ alerts: AlertRecord[] }>(`/api/alerts?state=${all ? "all" : "open"}&limit=100`),
    3000,
    [all],
  );
  const list = alerts.data?.alerts ?? [];
  return (
    <Card title="Alarms" testId="alerts" wide>
      <div class="toolbar">
        <label class="small">
          <input type="checkbox" checked={all} onChange={() => setAll(!all)} /> Show cleared alarms too
        </label>
      </div>
      <Stale error={alerts.error} />
      {list.length === 0 ? <p class="muted">{all ? "No alarms recorded." : "No open alarms."}</p> : null}
      <AlertList alerts={list} onChange={alerts.refresh} />
    </Card>
  );
}
