import { useState } from "preact/hooks";
import { apiGet, apiSend } from "../api/client";
import type { DebugOverview, LatchRecord, OverrideRecord, ParameterRecord } from "../api/types";
import { ActionButton } from "../components/action-button";
import { Card, Pill, Stale } from "../components/status";
import { shortRef } from "../format";
import { usePointCatalog } from "../point-catalog";
import { useNow, usePoll } from "../use-poll";

/** The priorities an operator may override at: 1-5 are life safety and critical equipment. */
const OVERRIDE_PRIORITIES = Array.from({ length: 11 }, (_, i) => i + 6);

/** "2 min 05 s" left, for an override's countdown. */
function remaining(expiresAt: string, now: number): string {
  const s = Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${String(s % 60).padStart(2, "0")} s` : `${s} s`;
}

/** A typed value from the form: true/false for a binary point, else a number (or null when neither). */
function parseValue(text: string): number | boolean | null {
  const t = text.trim().toLowerCase();
  if (t === "true" || t === "on" || t === "active") return true;
  if (t === "false" || t === "off" || t === "inactive") return false;
  const n = Number(t);
  return t !== "" && Number.isFinite(n) ? n : null;
}

function OverridesCard() {
  const now = useNow();
  const catalog = usePointCatalog();
  const polled = usePoll(
    () => apiGet<{ overrides: OverrideRecord[]; ended: OverrideRecord[] }>("/api/points/overrides"),
    2000,
  );
  const [point, setPoint] = useState("");
  const [valueText, setValueText] = useState("");
  const [priority, setPriority] = useState(8);
  const [minutes, setMinutes] = useState("30");
  const value = parseValue(valueText);
  const duration = Number(minutes);
  const ready = point.trim() !== "" && value !== null && Number.isFinite(duration) && duration >= 0.05;
  const nameOf = (ref: string) =>
    catalog.points.find((p) => p.ref === ref || `${p.ref}.presentValue` === ref)?.name ?? shortRef(ref);
  const active = polled.data?.overrides ?? [];
  const ended = polled.data?.ended ?? [];
  return (
    <Card title="Manual overrides" testId="overrides" wide>
      <p class="small muted">
        Holds a value at a priority for a time, then relinquishes that priority (the point returns to whatever
        commands it below). A priority a running flow holds is refused.
      </p>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()}>
        <label>
          Point{" "}
          <input
            list="override-points"
            data-testid="override-point"
            value={point}
            size={34}
            placeholder="bacnet:3001/analogValue:1"
            onInput={(e) => setPoint(e.currentTarget.value)}
          />
        </label>
        <datalist id="override-points">
          {catalog.points.map((p) => (
            <option key={p.ref} value={p.ref}>
              {p.name}
            </option>
          ))}
        </datalist>
        <label>
          Value{" "}
          <input
            data-testid="override-value"
            value={valueText}
            size={8}
            onInput={(e) => setValueText(e.currentTarget.value)}
          />
        </label>
        <label>
          Priority{" "}
          <select
            data-testid="override-priority"
            value={priority}
            onChange={(e) => setPriority(Number(e.currentTarget.value))}
          >
            {OVERRIDE_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
                {p === 8 ? " (manual operator)" : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          Minutes{" "}
          <input
            data-testid="override-minutes"
            type="number"
            min={0.05}
            step="any"
            value={minutes}
            size={5}
            onInput={(e) => setMinutes(e.currentTarget.value)}
          />
        </label>
        <ActionButton
          kind="primary"
          testId="override-start"
          disabled={!ready}
          confirm={`Override ${point.trim()} to ${String(value)} at priority ${priority} for ${duration} minute${duration === 1 ? "" : "s"}? It is relinquished when the time is up.`}
          run={() =>
            apiSend("POST", "/api/points/overrides", {
              point: point.trim(),
              value,
              priority,
              minutes: duration,
            })
          }
          onDone={polled.refresh}
        >
          Override…
        </ActionButton>
      </form>
      <Stale error={polled.error} />
      {active.length === 0 ? <p class="muted">No override is active.</p> : null}
      <ul class="list">
        {active.map((o) => (
          <li key={o.id} data-testid="override" data-id={o.id} data-point={o.point}>
            <div class="row">
              <Pill tone="warn">Override</Pill>
              <strong>{nameOf(o.point)}</strong>
              <span>
                = <b data-testid="override-shown-value">{String(o.value)}</b> at priority {o.priority}
              </span>
              <span class="small muted" data-testid="override-left">
                {remaining(o.expires_at, now)} left
              </span>
            </div>
            <div class="row small muted">
              <span>
                {o.point} · by {o.created_by} · until {new Date(o.expires_at).toLocaleTimeString()}
                {o.before ? ` · was ${String(o.before.value)}` : ""}
              </span>
              <ActionButton
                kind="danger"
                testId="override-end"
                confirm={`End the override of ${o.point} (${String(o.value)} at priority ${o.priority}) now and relinquish priority ${o.priority}?`}
                run={() => apiSend("DELETE", `/api/points/overrides/${o.id}`)}
                onDone={polled.refresh}
              >
                End now
              </ActionButton>
            </div>
          </li>
        ))}
      </ul>
      {ended.length > 0 ? (
        <details>
          <summary class="small">Ended in the last hour ({ended.length})</summary>
          <ul class="list small">
            {ended.map((o) => (
              <li key={o.id} data-testid="override-ended" data-id={o.id}>
                {nameOf(o.point)} = {String(o.value)} @{o.priority} · {o.end_reason} by {o.ended_by}{" "}
                {o.ended_at ? new Date(o.ended_at).toLocaleTimeString() : ""}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </Card>
  );
}

function ParameterRow(props: { p: ParameterRecord; onDone: () => void }) {
  const { p } = props;
  const [text, setText] = useState(String(p.value));
  const typed: number | boolean | string | null =
    typeof p.default === "number"
      ? text.trim() !== "" && Number.isFinite(Number(text))
        ? Number(text)
        : null
      : typeof p.default === "boolean"
        ? text === "true"
        : text;
  const limits =
    p.min !== null || p.max !== null ? `${p.min ?? "−∞"} … ${p.max ?? "∞"}${p.unit ? ` ${p.unit}` : ""}` : "";
  const outside =
    typeof typed === "number" && ((p.min !== null && typed < p.min) || (p.max !== null && typed > p.max));
  return (
    <li data-testid="parameter" data-name={p.name}>
      <div class="row">
        <strong>{p.label}</strong>
        <span class="muted small">{p.name}</span>
        <span>
          now <b data-testid="parameter-value">{String(p.value)}</b>
          {p.unit ? ` ${p.unit}` : ""}
        </span>
        {limits ? <span class="small muted">limits {limits}</span> : null}
      </div>
      <div class="row">
        {typeof p.default === "boolean" ? (
          <select data-testid="parameter-input" value={text} onChange={(e) => setText(e.currentTarget.value)}>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        ) : (
          <input
            data-testid="parameter-input"
            value={text}
            size={8}
            aria-invalid={outside}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        )}
        <ActionButton
          kind="primary"
          testId="parameter-set"
          disabled={typed === null}
          confirm={`Set ${p.label} (${p.name}) from ${String(p.value)} to ${String(typed)}${p.unit ? ` ${p.unit}` : ""}?`}
          run={() =>
            apiSend(
              "PUT",
              `/api/execution/parameters/${encodeURIComponent(p.name)}?flow_id=${encodeURIComponent(p.flow_id)}`,
              { value: typed },
            )
          }
          onDone={props.onDone}
        >
          Set…
        </ActionButton>
      </div>
    </li>
  );
}

function ParametersCard() {
  const polled = usePoll(() => apiGet<{ parameters: ParameterRecord[] }>("/api/execution/parameters"), 5000);
  const list = polled.data?.parameters ?? [];
  return (
    <Card title="Setpoints and parameters" testId="parameters">
      <Stale error={polled.error} />
      {list.length === 0 ? (
        <p class="muted">
          No deployed flow has a Parameter node. Add one in the Designer (a setpoint with its limits), deploy,
          and set it here.
        </p>
      ) : null}
      <ul class="list">
        {list.map((p) => (
          <ParameterRow key={`${p.flow_id}/${p.name}`} p={p} onDone={polled.refresh} />
        ))}
      </ul>
    </Card>
  );
}

function LatchesCard() {
  const polled = usePoll(() => apiGet<{ latches: LatchRecord[] }>("/api/execution/latches"), 3000);
  const list = polled.data?.latches ?? [];
  return (
    <Card title="Latches" testId="latches">
      <Stale error={polled.error} />
      {list.length === 0 ? <p class="muted">The running flow has no latches.</p> : null}
      <ul class="list">
        {list.map((l) => (
          <li key={`${l.flow_id}/${l.node_id}`} data-testid="latch" data-node={l.node_id}>
            <div class="row">
              <strong>{l.label}</strong>
              <Pill tone={l.q ? "warn" : "idle"} testId="latch-state">
                {l.q === null ? "unknown" : l.q ? "Latched" : "Clear"}
              </Pill>
              <ActionButton
                testId="latch-reset"
                confirm={`Reset the latch "${l.label}"? A set still asserted latches it again.`}
                run={() =>
                  apiSend(
                    "POST",
                    `/api/execution/latches/${encodeURIComponent(l.node_id)}/reset?flow_id=${encodeURIComponent(l.flow_id)}`,
                  )
                }
                onDone={polled.refresh}
              >
                Reset…
              </ActionButton>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/**
 * What the debugger has changed on the live site (issue 16): pinned values the flows use instead of the
 * wire or the device, flows held at a breakpoint, flows in dry run. Shown so nobody forgets one on site.
 */
function DebugCard() {
  const now = useNow();
  const polled = usePoll(() => apiGet<DebugOverview>("/api/debug/pins"), 2000);
  const d = polled.data;
  const empty = d && d.pins.length === 0 && d.paused.length === 0 && d.dry_run.length === 0;
  return (
    <Card title="Debugging" testId="debugging" wide>
      <Stale error={polled.error} />
      {empty ? <p class="muted">No pinned value, paused flow or dry run.</p> : null}
      <ul class="list">
        {(d?.paused ?? []).map((p) => (
          <li key={`paused-${p.flow_id}`} data-testid="debug-paused" data-flow={p.flow_id}>
            <div class="row">
              <Pill tone="warn">Paused</Pill>
              <strong>{p.name}</strong>
              <span class="small muted">
                before node {p.node_id}; its writes are held; resumes by itself in{" "}
                {remaining(p.auto_resume_at, now)}
              </span>
              <ActionButton
                testId="debug-resume"
                confirm={`Resume "${p.name}" now?`}
                run={() =>
                  apiSend("POST", `/api/debug/flows/${encodeURIComponent(p.flow_id)}/resume`, {
                    mode: "continue",
                  })
                }
                onDone={polled.refresh}
              >
                Resume
              </ActionButton>
            </div>
          </li>
        ))}
        {(d?.dry_run ?? []).map((f) => (
          <li key={`dry-${f.flow_id}`} data-testid="debug-dry-run" data-flow={f.flow_id}>
            <div class="row">
              <Pill tone="warn">Dry run</Pill>
              <strong>{f.name}</strong>
              <span class="small muted">runs on live reads; its writes are not sent</span>
            </div>
          </li>
        ))}
        {(d?.pins ?? []).map((p) => (
          <li key={p.id} data-testid="debug-pin" data-id={p.id}>
            <div class="row">
              <Pill tone="warn">Pinned</Pill>
              <strong>{p.label}</strong>
              <span>
                = <b>{String(p.value)}</b> ({p.quality})
              </span>
              <span class="small muted">
                by {p.set_by} · {remaining(p.expires_at, now)} left
              </span>
              <ActionButton
                kind="danger"
                testId="debug-unpin"
                confirm={`Remove the pin on ${p.label}? The flow reads the wire or the device again.`}
                run={() =>
                  apiSend(
                    "DELETE",
                    `/api/debug/flows/${encodeURIComponent(p.flow_id)}/pins/${encodeURIComponent(p.id)}`,
                  )
                }
                onDone={polled.refresh}
              >
                Remove
              </ActionButton>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** The operator's screen: timed overrides, setpoints within their limits, latch resets, debugging. */
export function Operate() {
  return (
    <div class="grid" data-testid="view-operate">
      <DebugCard />
      <OverridesCard />
      <ParametersCard />
      <LatchesCard />
    </div>
  );
}
