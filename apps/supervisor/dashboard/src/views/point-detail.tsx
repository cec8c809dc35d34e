import { formatValue } from "@bms/bacnet/display";
import { apiGet } from "../api/client";
import type { PriorityArrayResponse } from "../api/types";
import { Pill, qualityTone, Stale } from "../components/status";
import { ago, shortRef } from "../format";
import { useNow, usePoll } from "../use-poll";

/** One flow node's use of a point, named as drawn. */
export interface PointUse {
  role: "read" | "write";
  flowId: string;
  flowName: string;
  nodeId: string;
  nodeLabel: string;
}

/** The flows that read or command the point: where to look before changing or overriding it. */
function UsedBy(props: { uses: PointUse[] }) {
  if (props.uses.length === 0)
    return (
      <p class="muted small" data-testid="point-used-by-none">
        No flow of the running site uses this point.
      </p>
    );
  return (
    <div data-testid="point-used-by">
      <h3>Used by</h3>
      <ul class="plain">
        {props.uses.map((u) => (
          <li
            key={`${u.flowId}/${u.nodeId}/${u.role}`}
            data-testid="point-use"
            data-flow={u.flowId}
            data-node={u.nodeId}
            data-role={u.role}
          >
            <Pill tone={u.role === "write" ? "info" : "idle"}>
              {u.role === "write" ? "commands" : "reads"}
            </Pill>{" "}
            {u.flowName} · {u.nodeLabel}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Who put a value in a slot, in the words an operator uses. */
function writer(slot: PriorityArrayResponse["slots"][number]): string {
  if (slot.holder) {
    const flow = slot.holder.flow_name ?? slot.holder.flow_id ?? "a flow";
    const node = slot.holder.node_label ?? slot.holder.node_id ?? "a node";
    return `${flow} · ${node}`;
  }
  return slot.value === null ? "" : "Other writer";
}

/**
 * One point's command picture, read from the device every 2 s: the 16 priority slots with who holds
 * each (this supervisor's flows by flow and node, anyone else as "other writer"), the relinquish
 * default, and which slot wins. What an integrator checks before asking "why does it not move?".
 */
export function PointDetail(props: {
  point: string;
  name: string;
  /** Which flows of the site read or command this point, by flow and node as drawn. */
  usedBy: PointUse[];
  onClose(): void;
}) {
  const now = useNow();
  const picture = usePoll(
    () => apiGet<PriorityArrayResponse>(`/api/points/priority?point=${encodeURIComponent(props.point)}`),
    2000,
    [props.point],
  );
  // The parent keys this component by point, so `data` is never another point's picture.
  const p = picture.data;
  const show = (v: unknown) => formatValue(v, p);
  return (
    <section
      class="card"
      data-testid="point-detail"
      data-point={props.point}
      aria-label={`Point ${props.name}`}
    >
      <div class="toolbar">
        <h2 class="title">{props.name}</h2>
        <span class="mono muted">{shortRef(props.point)}</span>
        <button type="button" class="btn" onClick={props.onClose} data-testid="point-detail-close">
          Close
        </button>
      </div>
      <Stale error={picture.error} />
      <UsedBy uses={props.usedBy} />
      {!p ? (
        <p class="muted">Reading the priority array…</p>
      ) : p.quality === "bad" ? (
        <p class="note note-warn" data-testid="point-detail-reason">
          {p.reason ?? "The device did not answer."} Present value: {show(p.present_value)}
        </p>
      ) : (
        <div class="point-detail-body">
          <dl class="facts">
            <div>
              <dt>Present value</dt>
              <dd class="strong" data-testid="point-detail-present">
                {show(p.present_value)}
              </dd>
            </div>
            <div>
              <dt>In control</dt>
              <dd data-testid="point-detail-winner">
                {p.winning_priority === null ? "Relinquish default" : `Priority ${p.winning_priority}`}
              </dd>
            </div>
            <div>
              <dt>Relinquish default</dt>
              <dd data-testid="point-detail-default">{show(p.relinquish_default)}</dd>
            </div>
            <div>
              <dt>Read from the device</dt>
              <dd>
                <Pill tone={qualityTone(p.quality)} title={p.reason}>
                  {p.quality}
                </Pill>{" "}
                {ago(p.timestamp, now)}
              </dd>
            </div>
          </dl>
          <div class="table-wrap">
            <table class="table compact" data-testid="priority-slots">
              <thead>
                <tr>
                  <th class="num">Priority</th>
                  <th class="num">Value</th>
                  <th>Held by</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {p.slots.map((slot) => {
                  const wins = slot.priority === p.winning_priority;
                  return (
                    <tr
                      key={slot.priority}
                      data-testid="priority-slot"
                      data-priority={slot.priority}
                      data-source={slot.source ?? "empty"}
                      data-winner={wins ? "true" : "false"}
                      class={wins ? "strong" : slot.value === null ? "muted" : ""}
                    >
                      <td class="num mono">{slot.priority}</td>
                      <td class="num mono" data-testid="slot-value">
                        {slot.value === null ? "—" : show(slot.value)}
                      </td>
                      <td data-testid="slot-writer">
                        {writer(slot)}
                        {slot.holder && slot.value === null ? (
                          <span class="small text-warn">
                            {" "}
                            (commanded {show(slot.holder.commanded_value)}, slot is empty)
                          </span>
                        ) : null}
                      </td>
                      <td>{wins ? <Pill tone="ok">in control</Pill> : null}</td>
                    </tr>
                  );
                })}
                <tr
                  data-testid="priority-default"
                  data-winner={p.winning_priority === null ? "true" : "false"}
                >
                  <td class="num small">default</td>
                  <td class="num mono">{show(p.relinquish_default)}</td>
                  <td class="small muted">Relinquish default: used when every slot is empty</td>
                  <td>{p.winning_priority === null ? <Pill tone="ok">in control</Pill> : null}</td>
                </tr>
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
