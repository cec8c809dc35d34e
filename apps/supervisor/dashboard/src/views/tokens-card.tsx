import { useState } from "preact/hooks";
import { apiGet, apiSend, describeFailure } from "../api/client";
import { ActionButton } from "../components/action-button";
import { Card, Pill } from "../components/status";
import { usePoll } from "../use-poll";

interface ApiToken {
  id: number;
  name: string;
  role: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

function state(t: ApiToken): { word: string; tone: "ok" | "bad" | "idle" } {
  if (t.revoked_at) return { word: "revoked", tone: "bad" };
  if (t.expires_at && Date.parse(t.expires_at) <= Date.now()) return { word: "expired", tone: "idle" };
  return { word: "valid", tone: "ok" };
}

/** Admin only: the named API tokens, a form to add one (its secret shown once), and revocation. */
export function TokensCard() {
  const tokens = usePoll(() => apiGet<{ tokens: ApiToken[] }>("/api/auth/tokens"), 30_000);
  const [name, setName] = useState("");
  const [role, setRole] = useState("viewer");
  const [days, setDays] = useState("");
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <Card title="API tokens" testId="tokens-card" wide>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setProblem(null);
          const expires =
            Number(days) > 0 ? new Date(Date.now() + Number(days) * 86_400_000).toISOString() : undefined;
          apiSend<{ secret: string; token: ApiToken }>("POST", "/api/auth/tokens", {
            name: name.trim(),
            role,
            ...(expires ? { expires_at: expires } : {}),
          })
            .then((created) => {
              setSecret({ name: created.token.name, secret: created.secret });
              setName("");
              tokens.refresh();
            })
            .catch((error: unknown) => setProblem(describeFailure(error)));
        }}
      >
        <label class="small">
          Name
          <input
            value={name}
            maxLength={100}
            data-testid="token-name"
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="small">
          Role
          <select value={role} data-testid="token-role" onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label class="small">
          Expires in days (empty: never)
          <input
            value={days}
            inputMode="numeric"
            data-testid="token-days"
            onInput={(e) => setDays(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="btn btn-primary" data-testid="token-create" disabled={!name.trim()}>
          Create token
        </button>
      </form>
      {problem ? (
        <p class="note note-bad" role="alert" data-testid="token-create-error">
          {problem}
        </p>
      ) : null}
      {secret ? (
        <p class="note" role="status" data-testid="token-secret">
          Token “{secret.name}” created. Copy it now, it is not shown again: <code>{secret.secret}</code>
        </p>
      ) : null}
      <div class="table-wrap">
        <table class="table" data-testid="tokens-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>State</th>
              <th>Expires</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(tokens.data?.tokens ?? []).map((t) => {
              const s = state(t);
              return (
                <tr key={t.id} data-testid="token-row" data-name={t.name}>
                  <td>{t.name}</td>
                  <td>{t.role}</td>
                  <td>
                    <Pill tone={s.tone} testId="token-state">
                      {s.word}
                    </Pill>
                  </td>
                  <td>{t.expires_at ? new Date(t.expires_at).toLocaleString() : "never"}</td>
                  <td>{t.last_used_at ? new Date(t.last_used_at).toLocaleString() : "never"}</td>
                  <td>
                    {s.word === "valid" ? (
                      <ActionButton
                        testId="token-revoke"
                        confirm={`Revoke the token “${t.name}” for good?`}
                        run={() => apiSend("DELETE", `/api/auth/tokens/${t.id}`)}
                        onDone={tokens.refresh}
                      >
                        Revoke
                      </ActionButton>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
