import { useState } from "preact/hooks";
import { apiGet } from "../api/client";
import type { EventRecord } from "../api/types";
import { Card, Pill, Stale } from "../components/status";
import { timeOfDay } from "../format";
import { usePoll } from "../use-poll";

const LEVEL_TONE = { info: "info", warn: "warn", error: "bad" } as const;

/** The recent execution log: deploys, starts and stops, node messages, failed writes. */
export function LogPanel() {
  const [level, setLevel] = useState<"" | EventRecord["level"]>("");
  const logs = usePoll(
    () => apiGet<{ logs: EventRecord[] }>(`/api/execution/logs?limit=50${level ? `&level=${level}` : ""}`),
    5000,
    [level],
  );
  const list = logs.data?.logs ?? [];
  return (
    <Card title="Execution log" testId="log" wide>
      <div class="toolbar">
        <label class="small">
          Show{" "}
          <select
            value={level}
            onChange={(e) => setLevel(e.currentTarget.value as typeof level)}
            data-testid="log-level"
          >
            <option value="">everything</option>
            <option value="warn">warnings</option>
            <option value="error">errors</option>
          </select>
        </label>
      </div>
      <Stale error={logs.error} />
      {list.length === 0 ? <p class="muted">Nothing logged.</p> : null}
      <div class="table-wrap">
        <table class="table compact">
          <tbody>
            {list.map((e) => (
              <tr key={e.id} data-testid="log-entry">
                <td class="mono small nowrap">{timeOfDay(e.timestamp)}</td>
                <td>
                  <Pill tone={LEVEL_TONE[e.level]}>{e.level}</Pill>
                </td>
                <td class="small muted nowrap">{e.source}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
