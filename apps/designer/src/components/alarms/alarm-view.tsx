"use client";

import { ALARM_ACK_MAX_COMMENT, alarmAckBody } from "@bms/schemas/alarm-ack";
import {
  ALARM_STATE_WORDS,
  type AlarmRecord,
  type AlarmTone,
  ackNote,
  alarmDetail,
  alarmPriorityTone,
  alarmSourceText,
  awaitsAck,
  byUrgency,
} from "@bms/schemas/alarm-display";
import { BellRing, RefreshCw } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import type { SupervisorEntry } from "../../lib/api-types";
import { apiCall, runtimeCall } from "../../lib/designer-api";
import { Badge } from "../ui/badge";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "../ui/card";
import { Textarea } from "../ui/textarea";

/** As often as the supervisor's own alarm banner polls: an operator sees a new alarm within 3 s. */
const POLL_MS = 3_000;

const BADGE: Record<AlarmTone, "danger" | "warning" | "default" | "info"> = {
  bad: "danger",
  warn: "warning",
  idle: "default",
  info: "info",
};

/**
 * The alarms of one supervisor through the Designer's runtime proxy (GET alerts, viewer; POST
 * alerts/:key/ack, operator), worded as the supervisor's dashboard words them (`@bms/schemas/
 * alarm-display`). A device alarm's message carries its event values as the supervisor decoded them.
 * The proxy sends the signed-in user as X-BMS-Actor, so the supervisor's audit record names them.
 */
export function AlarmView({
  initialSupervisor,
  canAck,
}: {
  initialSupervisor: string | null;
  canAck: boolean;
}) {
  const [supervisors, setSupervisors] = useState<SupervisorEntry[]>([]);
  const [supervisorId, setSupervisorId] = useState(initialSupervisor ?? "default");
  const [showCleared, setShowCleared] = useState(false);
  // The list remembers whose alarms it holds: an Ack goes to the supervisor its row came from.
  const [loaded, setLoaded] = useState<{ supervisor: string; alarms: AlarmRecord[] } | null>(null);
  const alarms = loaded?.alarms ?? null;
  // Only the latest request's answer is shown: a slow answer from the supervisor chosen before (device
  // keys like bacnet:1001/... repeat across buildings) or an older poll must never overwrite the list.
  const latest = useRef<{ seq: number; controller: AbortController | null }>({ seq: 0, controller: null });
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    void apiCall<{ supervisors: SupervisorEntry[] }>("/api/supervisors").then((r) => {
      if (r.ok) setSupervisors(r.body.supervisors);
    });
  }, []);

  const load = useCallback(
    async (background: boolean) => {
      latest.current.controller?.abort();
      const controller = new AbortController();
      const seq = ++latest.current.seq;
      latest.current.controller = controller;
      const r = await runtimeCall<{ alerts: AlarmRecord[] }>(
        `alerts?state=${showCleared ? "all" : "open"}&limit=200`,
        { supervisor: supervisorId, background, signal: controller.signal },
      );
      if (seq !== latest.current.seq) return;
      latest.current.controller = null;
      setNow(Date.now());
      if (r.ok) {
        setLoaded({ supervisor: supervisorId, alarms: [...r.body.alerts].sort(byUrgency) });
        setError(null);
      } else setError(r.error);
    },
    [supervisorId, showCleared],
  );

  useEffect(() => {
    // Another supervisor (or filter): nothing of the previous list stays on screen meanwhile.
    setLoaded(null);
    setError(null);
    void load(false);
    const timer = setInterval(() => void load(true), POLL_MS);
    const current = latest.current;
    return () => {
      clearInterval(timer);
      current.seq++;
      current.controller?.abort();
    };
  }, [load]);

  const choose = (id: string) => {
    setSupervisorId(id);
    // The address bar names the supervisor, so the view can be bookmarked and shared per site.
    window.history.replaceState(null, "", `/alarms?supervisor=${encodeURIComponent(id)}`);
  };

  const waiting = alarms?.filter(awaitsAck).length ?? 0;
  return (
    <div className="mx-auto max-w-5xl space-y-4 p-6" data-testid="alarm-view">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="flex items-center gap-2 text-lg font-semibold">
          <BellRing className="size-5" /> Alarms
        </h1>
        <select
          className="h-8 rounded-md border border-slate-300 bg-white px-1 text-sm"
          value={supervisorId}
          onChange={(e) => choose(e.target.value)}
          aria-label="Supervisor"
          data-testid="alarm-supervisor"
        >
          {supervisors.length === 0 ? <option value={supervisorId}>Local supervisor</option> : null}
          {supervisors.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <label className="flex items-center gap-1 text-sm text-slate-700">
          <input
            type="checkbox"
            checked={showCleared}
            onChange={(e) => setShowCleared(e.target.checked)}
            data-testid="alarm-show-cleared"
          />
          Show cleared alarms too
        </label>
        <Button size="sm" variant="outline" onClick={() => void load(false)} data-testid="alarm-refresh">
          <RefreshCw /> Refresh
        </Button>
        {alarms ? (
          <span className="text-sm text-slate-600" data-testid="alarm-summary">
            {alarms.length} {showCleared ? "" : "open "}alarm{alarms.length === 1 ? "" : "s"}, {waiting}{" "}
            waiting for acknowledgement
          </span>
        ) : null}
      </div>
      {error ? (
        <Banner tone="error" data-testid="alarm-error">
          The supervisor's alarms could not be read: {error}
        </Banner>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>{showCleared ? "Alarms" : "Open alarms"}, most urgent first</CardTitle>
        </CardHeader>
        <CardContent className="p-0">
          {loaded === null ? (
            <p className="px-4 py-3 text-sm text-slate-500">Reading the supervisor's alarms…</p>
          ) : loaded.alarms.length === 0 ? (
            <p className="px-4 py-3 text-sm text-slate-500" data-testid="alarm-none">
              {showCleared ? "No alarms recorded." : "No open alarms."}
            </p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {loaded.alarms.map((a) => (
                <AlarmRow
                  key={`${loaded.supervisor} ${a.key}`}
                  alarm={a}
                  now={now}
                  supervisorId={loaded.supervisor}
                  canAck={canAck}
                  onAcked={() => void load(false)}
                />
              ))}
            </ul>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function AlarmRow({
  alarm,
  now,
  supervisorId,
  canAck,
  onAcked,
}: {
  alarm: AlarmRecord;
  now: number;
  supervisorId: string;
  canAck: boolean;
  onAcked(): void;
}) {
  const [acking, setAcking] = useState(false);
  const note = ackNote(alarm);
  const [comment, setComment] = useState("");
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const { word, tone } = ALARM_STATE_WORDS[alarm.state];

  const acknowledge = async () => {
    setSending(true);
    setFailure(null);
    // The supervisor's own check of the body, before it leaves (it trims the comment the same way).
    const checked = alarmAckBody({ comment });
    if (!checked.ok) {
      setSending(false);
      setFailure(checked.message);
      return;
    }
    const r = await runtimeCall<{ alert: AlarmRecord }>(`alerts/${encodeURIComponent(alarm.key)}/ack`, {
      supervisor: supervisorId,
      method: "POST",
      body: checked.body,
      // A device alarm is acknowledged on the device first (AcknowledgeAlarm): allow it its retries.
      timeoutMs: 15_000,
    });
    setSending(false);
    if (!r.ok) {
      // The comment stays in the box: a refused acknowledgement loses nothing the operator typed.
      setFailure(r.errors.length ? r.errors.map((e) => `${e.path}: ${e.message}`).join("; ") : r.error);
      return;
    }
    setAcking(false);
    setComment("");
    onAcked();
  };

  return (
    <li className="px-4 py-2 text-sm" data-testid="alarm" data-key={alarm.key} data-state={alarm.state}>
      <div className="flex flex-wrap items-center gap-2">
        <Badge variant={BADGE[alarmPriorityTone(alarm.priority)]} data-testid="alarm-priority">
          {alarm.priority}
        </Badge>
        <strong className="min-w-0 flex-1" data-testid="alarm-message">
          {alarm.message}
        </strong>
        <Badge variant={BADGE[tone]} data-testid="alarm-state">
          {word}
        </Badge>
      </div>
      <div className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-slate-600">
        <span data-testid="alarm-source" className="font-mono">
          {alarmSourceText(alarm)}
        </span>
        {alarm.event ? (
          <span data-testid="alarm-event">
            {alarm.event.event_type}
            {alarm.event.text ? `: ${alarm.event.text}` : ""}
            {alarm.event.values_problem ? ` (partly decoded: ${alarm.event.values_problem})` : ""}
          </span>
        ) : null}
        <span data-testid="alarm-detail">{alarmDetail(alarm, now, true)}</span>
      </div>
      {/* The operator's own words, as text (React escapes it), kept with the alarm by the supervisor. */}
      {note ? (
        <p
          className="mt-1 whitespace-pre-wrap break-words border-l-2 border-amber-400 pl-2 text-xs text-slate-700"
          data-testid="alarm-ack-note"
        >
          {note}
        </p>
      ) : null}
      {canAck && awaitsAck(alarm) ? (
        acking ? (
          <div className="mt-2 space-y-1" data-testid="alarm-ack-form">
            <label className="block text-xs font-medium text-slate-700" htmlFor={`ack-${alarm.key}`}>
              Comment (optional, kept with the alarm and in the audit log)
            </label>
            <Textarea
              id={`ack-${alarm.key}`}
              rows={2}
              maxLength={ALARM_ACK_MAX_COMMENT}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              data-testid="alarm-ack-comment"
            />
            {failure ? (
              <p className="text-xs text-red-700" role="alert" data-testid="alarm-ack-error">
                {failure}
              </p>
            ) : null}
            <div className="flex gap-1">
              <Button
                size="sm"
                variant="primary"
                disabled={sending}
                onClick={() => void acknowledge()}
                data-testid="alarm-ack-confirm"
              >
                {sending ? "Acknowledging…" : `Acknowledge this ${alarm.priority} alarm`}
              </Button>
              <Button size="sm" variant="outline" onClick={() => setAcking(false)} disabled={sending}>
                Cancel
              </Button>
            </div>
          </div>
        ) : (
          <Button
            size="sm"
            variant="primary"
            className="mt-1"
            onClick={() => setAcking(true)}
            data-testid="alarm-ack"
          >
            Acknowledge…
          </Button>
        )
      ) : null}
    </li>
  );
}
