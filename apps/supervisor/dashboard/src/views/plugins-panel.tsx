import { apiGet } from "../api/client";
import { Card, Pill, Stale, type Tone } from "../components/status";
import { ago } from "../format";
import { useNow, usePoll } from "../use-poll";

/** GET /api/plugins, as the supervisor's route declares it. */
export interface PluginsResponse {
  plugins: {
    name: string;
    protocol: string;
    version: string;
    health: {
      state: "ok" | "degraded" | "down" | "disabled";
      connections: number;
      errors: number;
      last_message_at: string | null;
      last_error: string | null;
    };
  }[];
}

const STATE_TONE: Record<PluginsResponse["plugins"][number]["health"]["state"], Tone> = {
  ok: "ok",
  degraded: "warn",
  down: "bad",
  disabled: "idle",
};

/** Every protocol plugin's health: connections, errors, the last message and the last error. */
export function PluginsPanel() {
  const now = useNow();
  const plugins = usePoll(() => apiGet<PluginsResponse>("/api/plugins"), 5000);
  return (
    <Card title="Protocol plugins" testId="plugins-panel" wide>
      <Stale error={plugins.error} />
      <div class="table-wrap">
        <table class="table" data-testid="plugins-table">
          <thead>
            <tr>
              <th>Protocol</th>
              <th>Plugin</th>
              <th>State</th>
              <th class="num">Connections</th>
              <th class="num">Errors</th>
              <th>Last message</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {(plugins.data?.plugins ?? []).map((p) => (
              <tr key={p.protocol} data-testid="plugin-row" data-protocol={p.protocol}>
                <td class="mono strong">{p.protocol}</td>
                <td class="small">
                  {p.name} <span class="muted">{p.version}</span>
                </td>
                <td>
                  <Pill tone={STATE_TONE[p.health.state]} testId="plugin-state">
                    {p.health.state}
                  </Pill>
                </td>
                <td class="num">{p.health.connections}</td>
                <td class="num">{p.health.errors}</td>
                <td>{p.health.last_message_at ? ago(p.health.last_message_at, now) : "–"}</td>
                <td class="small muted">{p.health.last_error ?? "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
