import { useState } from "preact/hooks";
import { operatorStore } from "../api/operator";
import { canDo, logout, sessionStore } from "../api/session";
import { Card, Facts, Pill } from "../components/status";
import { useStore } from "../store";
import { LoginForm } from "./login-form";
import { TokensCard } from "./tokens-card";

/** Who is signed in on this tablet, what each role may do, and the sign-in form. */
export function Access() {
  const session = useStore(sessionStore);
  const operator = useStore(operatorStore);
  const [name, setName] = useState(operator);
  const id = session.identity;

  return (
    <div data-testid="view-access">
      <div class="grid">
        <Card title="This tablet" testId="access-session">
          <p>
            {id ? (
              <Pill tone="ok" testId="access-identity">
                Signed in as {id.name} ({id.role})
              </Pill>
            ) : (
              <Pill tone="idle" testId="access-identity">
                Not signed in
              </Pill>
            )}
          </p>
          {id ? (
            <p>
              <button
                type="button"
                class="btn btn-plain"
                data-testid="access-sign-out"
                onClick={() => void logout()}
              >
                Sign out
              </button>
            </p>
          ) : (
            <LoginForm />
          )}
          <p class="muted small">
            Signing in trades the token for a session cookie this page cannot read; the token is not stored.
            {session.idleMinutes
              ? ` The session ends after ${
                  session.idleMinutes >= 1
                    ? `${Math.round(session.idleMinutes)} minutes`
                    : `${Math.round(session.idleMinutes * 60)} seconds`
                } without a request.`
              : ""}
          </p>
          <form
            class="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              operatorStore.set(name.trim());
            }}
          >
            <label class="small" for="operator-name">
              Your name, for alarm acknowledgements on a shared sign-in
            </label>
            <input
              id="operator-name"
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              maxLength={100}
            />
            <button type="submit" class="btn btn-plain">
              Save name
            </button>
          </form>
        </Card>
        <Card title="This supervisor" testId="access-policy">
          <Facts
            rows={[
              [
                "Reading the dashboard",
                session.loaded
                  ? session.publicRead
                    ? "Open to anyone who reaches this address (--public-read)"
                    : "Needs a viewer, operator or admin sign-in"
                  : "…",
                "access-reads",
              ],
              ["Running the plant", "Operator or admin: start/stop, deploy, point writes, alarms, discovery"],
              [
                "Tokens",
                <>
                  Admin only: below, <code>pnpm supervisor token add|list|revoke</code> or{" "}
                  <code>/api/auth/tokens</code>
                </>,
              ],
            ]}
          />
        </Card>
      </div>
      {canDo(id, "admin") ? (
        <div class="below-grid">
          <TokensCard />
        </div>
      ) : null}
    </div>
  );
}
