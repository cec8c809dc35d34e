import { useEffect, useState } from "preact/hooks";
import { readsAreOpen, tokenIsAdmin } from "../api/client";
import { operatorStore, tokenStore } from "../api/token";
import { Card, Facts, Pill } from "../components/status";
import { useStore } from "../store";
import { TokenForm } from "./token-form";

interface AccessFacts {
  open: boolean;
  admin: boolean;
}

/** Who may read and who may change: the supervisor's token rules, and this tablet's token. */
export function Access() {
  const token = useStore(tokenStore);
  const operator = useStore(operatorStore);
  const [facts, setFacts] = useState<AccessFacts | null>(null);
  const [name, setName] = useState(operator);

  useEffect(() => {
    let cancelled = false;
    void Promise.all([readsAreOpen(), token ? tokenIsAdmin() : Promise.resolve(false)])
      .then(([open, admin]) => {
        if (!cancelled) setFacts({ open, admin });
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [token]);

  return (
    <div class="grid" data-testid="view-access">
      <Card title="This supervisor" testId="access-policy">
        <Facts
          rows={[
            [
              "Reading the dashboard",
              facts
                ? facts.open
                  ? "Open to anyone on the network"
                  : "Needs the viewer or admin token"
                : "…",
              "access-reads",
            ],
            ["Changing anything", "Needs the admin token (start/stop, acknowledge, discover, watch list)"],
          ]}
        />
        <p class="muted small">
          The viewer token is set with <code>--viewer-token</code> or <code>BMS_VIEWER_TOKEN</code> when the
          supervisor starts; the admin token with <code>--token</code> or <code>BMS_SUPERVISOR_TOKEN</code>.
        </p>
      </Card>
      <Card title="This tablet" testId="access-token">
        <p>
          {token ? (
            facts?.admin ? (
              <Pill tone="ok" testId="token-kind">
                Admin token saved: reading and changes allowed
              </Pill>
            ) : (
              <Pill tone="info" testId="token-kind">
                Token saved: reading only
              </Pill>
            )
          ) : (
            <Pill tone="idle" testId="token-kind">
              No token saved
            </Pill>
          )}
        </p>
        <TokenForm />
        <p class="muted small">
          The token is kept in this browser only (local storage) and sent as{" "}
          <code>Authorization: Bearer</code>.
        </p>
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            operatorStore.set(name.trim() || "dashboard operator");
          }}
        >
          <label class="small" for="operator-name">
            Your name, for alarm acknowledgements
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
    </div>
  );
}
