import { byUrgency } from "@bms/schemas/alarm-display";
import { useState } from "preact/hooks";
import { apiGet } from "../api/client";
import type { AlertRecord } from "../api/types";
import { usePoll } from "../use-poll";
import { AlertList } from "../views/alerts-panel";

/**
 * On every page: how many alarms are open, the most urgent one's priority and when the newest came in,
 * and, unfolded, the list with Acknowledge. An operator on any screen sees that the plant needs them.
 */
export function AlarmBanner() {
  const [open, setOpen] = useState(false);
  const polled = usePoll(() => apiGet<{ alerts: AlertRecord[] }>("/api/alerts?state=open&limit=100"), 3000);
  const alerts = polled.data?.alerts ?? [];
  if (alerts.length === 0) return null;
  const waiting = alerts.filter((a) => a.state === "active").length;
  const worst = [...alerts].sort(byUrgency)[0]!;
  const newest = alerts.reduce((a, b) => (b.raised_at > a.raised_at ? b : a));
  return (
    <section
      class={`alarm-banner alarm-${worst.priority}`}
      role="alert"
      data-testid="alarm-banner"
      data-count={alerts.length}
    >
      <div class="row">
        <strong data-testid="alarm-count">
          {alerts.length} open alarm{alerts.length === 1 ? "" : "s"}
        </strong>
        <span>
          highest priority <b data-testid="alarm-worst">{worst.priority}</b>
        </span>
        <span class="small">
          {waiting} waiting for acknowledgement · newest {new Date(newest.raised_at).toLocaleString()}
        </span>
        <button
          type="button"
          class="btn btn-plain small"
          data-testid="alarm-banner-toggle"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? "Hide" : "Show alarms"}
        </button>
      </div>
      {open ? <AlertList alerts={alerts} onChange={polled.refresh} showTime /> : null}
    </section>
  );
}
