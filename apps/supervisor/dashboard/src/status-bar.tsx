import { apiGet } from "./api/client";
import type { ExecutionStatusResponse } from "./api/types";
import { flowTone, flowWord, Pill } from "./components/status";
import { ago } from "./format";
import { useNow, usePoll } from "./use-poll";

/** The flow's name and state in the header, on every view: the first thing an operator looks for. */
export function StatusBar() {
  const now = useNow();
  const status = usePoll(() => apiGet<ExecutionStatusResponse>("/api/execution/status"), 3000);
  const s = status.data;
  if (!s) return <div class="status-bar" />;
  return (
    <div class="status-bar" data-testid="header-status">
      <span class="strong">{s.flow_name ?? "No flow deployed"}</span>
      <Pill tone={flowTone(s.status)}>{flowWord(s.flow_id ? s.status : "idle")}</Pill>
      {s.flow_id ? <span class="small muted">last scan {ago(s.last_execution, now)}</span> : null}
    </div>
  );
}
