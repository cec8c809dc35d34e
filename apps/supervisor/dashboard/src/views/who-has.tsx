import { useState } from "preact/hooks";
import { apiSend, describeFailure } from "../api/client";
import { Card } from "../components/status";
import { type Routed, routeText } from "./network-map";

/** One I-Have, as `POST /api/devices/who-has` answers it. */
interface WhoHasHit extends Routed {
  device_id: number;
  object_type: string;
  object_instance: number;
  object_name: string;
  check: "known" | "unknown" | "mismatch";
}

interface WhoHasAnswer {
  found: WhoHasHit[];
  truncated?: boolean;
}

const CHECK_TEXT: Record<WhoHasHit["check"], string> = {
  known: "",
  unknown: " · not discovered yet",
  mismatch: " · answered from another address than the known device (not trusted)",
};

/**
 * Who-Has on every network, as in the Designer's BACnet browser: by object name, or by
 * `type:instance` (analogInput:1). The route is admin only and audited, so the Devices view shows
 * this card to admins only.
 */
export function WhoHasCard() {
  const [query, setQuery] = useState("");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<WhoHasAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async () => {
    const text = query.trim();
    if (!text) return;
    const id = /^([A-Za-z]+):(\d+)$/.exec(text);
    // The supervisor resolves the type name, and refuses an unknown one with a 422 naming the field.
    const target = id ? { object_type: id[1], object_instance: Number(id[2]) } : { object_name: text };
    setBusy(true);
    try {
      setAnswer(await apiSend<WhoHasAnswer>("POST", "/api/devices/who-has", { ...target, timeout_ms: 2000 }));
      setError(null);
    } catch (failure) {
      setAnswer(null);
      setError(describeFailure(failure));
    } finally {
      setBusy(false);
    }
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
          maxLength={255}
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
          {answer.found.map((hit) => (
            <li
              key={`${hit.device_id}/${hit.object_type}:${hit.object_instance}`}
              data-testid="who-has-hit"
              data-device={hit.device_id}
            >
              <span class="strong">{hit.object_name}</span>{" "}
              <span class="mono small">
                #{hit.device_id} {hit.object_type}:{hit.object_instance} · {routeText(hit)}
              </span>
              <span class={hit.check === "mismatch" ? "text-bad" : "muted"}>{CHECK_TEXT[hit.check]}</span>
            </li>
          ))}
          {answer.truncated ? <li class="muted">More answered than are shown.</li> : null}
        </ul>
      ) : null}
    </Card>
  );
}
