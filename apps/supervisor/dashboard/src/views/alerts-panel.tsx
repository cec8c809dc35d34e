import { ALARM_ACK_MAX_COMMENT, alarmAckBody } from "@bms/schemas/alarm-ack";
import {
  ALARM_STATE_WORDS,
  ackNote,
  alarmDetail,
  alarmPriorityTone,
  awaitsAck,
} from "@bms/schemas/alarm-display";
import { useState } from "preact/hooks";
import { apiGet, apiSend, describeFailure } from "../api/client";
import { operatorStore } from "../api/operator";
import { canDo, sessionStore } from "../api/session";
import type { AlertRecord } from "../api/types";
import { Card, Pill, Stale } from "../components/status";
import { useStore } from "../store";
import { useNow, usePoll } from "../use-poll";

/**
 * Alarms with their priority, state, time, who acknowledged them with their comment and, for those
 * waiting for an operator, Acknowledge (operators and admins only: a viewer sees no button).
 */
export function AlertList(props: { alerts: AlertRecord[]; onChange: () => void; showTime?: boolean }) {
  const now = useNow();
  const session = useStore(sessionStore);
  const canAck = canDo(session.identity, "operator");
  return (
    <ul class="list">
      {props.alerts.map((a) => {
        const { word, tone } = ALARM_STATE_WORDS[a.state];
        const note = ackNote(a);
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
            {/* The operator's own words: rendered as text (escaped), never as markup. */}
            {note ? (
              <p class="ack-comment small" data-testid="alert-ack-note">
                {note}
              </p>
            ) : null}
            {canAck && awaitsAck(a) ? <AckForm alarm={a} onDone={props.onChange} /> : null}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Acknowledge with an optional comment, checked by the same schema the supervisor's route and the
 * Designer's form use (`@bms/schemas/alarm-ack`, zod/mini: no classic Zod in this bundle). The form is
 * the confirmation; a refused acknowledgement keeps the comment in the box and says why.
 */
function AckForm({ alarm, onDone }: { alarm: AlertRecord; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  if (!open) {
    return (
      <button type="button" class="btn btn-primary" data-testid="alert-ack" onClick={() => setOpen(true)}>
        Acknowledge…
      </button>
    );
  }
  const send = async () => {
    const checked = alarmAckBody({ by: operatorStore.get() || undefined, comment });
    if (!checked.ok) {
      setFailure(checked.message);
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      await apiSend("POST", `/api/alerts/${encodeURIComponent(alarm.key)}/ack`, checked.body);
      setOpen(false);
      setComment("");
      onDone();
    } catch (error) {
      setFailure(describeFailure(error));
    } finally {
      setBusy(false);
    }
  };
  const id = `ack-${alarm.key}`;
  return (
    <div class="ack-form" data-testid="alert-ack-form">
      <label class="small" for={id}>
        Comment (optional, kept with the alarm and in the audit log)
      </label>
      <textarea
        id={id}
        rows={2}
        maxLength={ALARM_ACK_MAX_COMMENT}
        value={comment}
        data-testid="alert-ack-comment"
        onInput={(e) => setComment(e.currentTarget.value)}
      />
      {failure ? (
        <span class="action-error" role="alert" data-testid="alert-ack-error">
          {failure}
        </span>
      ) : null}
      <div class="row">
        <button
          type="button"
          class="btn btn-primary"
          data-testid="alert-ack-confirm"
          disabled={busy}
          onClick={() => void send()}
        >
          {busy ? "Working…" : `Acknowledge this ${alarm.priority} alarm`}
        </button>
        <button type="button" class="btn" disabled={busy} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </div>
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
