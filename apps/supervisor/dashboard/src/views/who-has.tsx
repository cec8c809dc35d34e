import { WHO_HAS_MAX_NAME, type WhoHasAnswer, whoHasRow, whoHasSearch } from "@bms/schemas/who-has";
import { useState } from "preact/hooks";
import { apiSend, describeFailure } from "../api/client";
import { Card } from "../components/status";

/**
 * Who-Has on every network, as in the Designer's BACnet browser (both build the request and the rows
 * with @bms/schemas' who-has): by object name, or by `type:instance` (analogInput:1). The route is
 * admin only and audited, so the Devices view shows this card to admins only.
 */
export function WhoHasCard() {
  const [query, setQuery] = useState("");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<WhoHasAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async () => {
    setBusy(true);
    // The supervisor resolves the type name, and refuses an unknown one with a 422 naming the field.
    const outcome = await whoHasSearch(query, (body) =>
      apiSend<unknown>("POST", "/api/devices/who-has", body).then(
        (answer) => ({ ok: true as const, body: answer }),
        (failure: unknown) => ({ ok: false as const, error: describeFailure(failure) }),
      ),
    );
    setBusy(false);
    if (!outcome) return;
    setAnswer(outcome.answer);
    setError(outcome.error);
  };

  return (
    <Card title="Find an object (Who-Has)" testId="who-has" wide>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <input
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          placeholder="Object name, or analogInput:1"
          maxLength={WHO_HAS_MAX_NAME}
          data-testid="who-has-query"
        />
        <button type="submit" class="btn" disabled={busy} data-testid="who-has-search">
          {busy ? "Asking…" : "Who-Has"}
        </button>
      </form>
      {error ? (
        <p class="note note-bad small" role="alert" data-testid="who-has-error">
          {error}
        </p>
      ) : null}
      {answer ? (
        <ul class="plain" data-testid="who-has-results">
          {answer.found.length === 0 ? <li class="muted">No device answered.</li> : null}
          {answer.found.map((hit) => {
            const row = whoHasRow(hit);
            return (
              <li key={row.key} data-testid="who-has-hit" data-device={hit.device_id}>
                <span class="strong">{row.name}</span> <span class="mono small">{row.where}</span>
                <span class={hit.check === "mismatch" ? "text-bad" : "muted"}>{row.note}</span>
              </li>
            );
          })}
          {answer.truncated ? <li class="muted">More answered than are shown.</li> : null}
        </ul>
      ) : null}
    </Card>
  );
}
