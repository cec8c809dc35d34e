import { ALARM_STATE_WORDS, alarmDetail, alarmPriorityTone, awaitsAck } from "@bms/schemas/alarm-display";
import { useState } from "preact/hooks";
import { apiGet, apiSend } from "../api/client";
import { operatorStore } from "../api/operator";
import type { AlertRecord } from "../api/types";
import { ActionButton } from "../components/action-button";
import { Card, Pill, Stale } from "../components/status";
import { useNow, usePoll } from "../use-poll";

/** Alarms with their priority, state, time and, for those waiting for an operator, Acknowledge. */
export function AlertList(props: { alerts: AlertRecord[]; onChange: () => void; showTime?: boolean }) {
  const now = useNow();
  return (
    <ul class="list">
      {props.alerts.map((a) => {
        const { word, tone } = ALARM_STATE_WORDS[a.state];
        const needsAck = awaitsAck(a);
        return (
          <li key={a.key} data-testid="alert" data-key={a.key} data-state={a.state}>
            <div class="row">
              <Pill tone={alarmPriorityTone(a.priority)}>{a.priority}</Pill>
              <strong>{a.message}</strong>
            </div>
            <div class="row small muted">
              <Pill tone={tone}>{word}</Pill>
              <span>{alarmDetail(a, now, props.showTime)}</span>
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
