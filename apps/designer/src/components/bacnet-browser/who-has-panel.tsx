"use client";

import { WHO_HAS_MAX_NAME, type WhoHasAnswer, whoHasRow, whoHasSearch } from "@bms/schemas";
import { Search } from "lucide-react";
import { useState } from "react";
import { runtimeCall } from "../../lib/designer-api";
import { Button } from "../ui/button";

/**
 * Who-Has on every network: by object name, or by `type:instance` (e.g. analogInput:1). Admin only. The
 * supervisor dashboard's card builds the request and the rows with the same @bms/schemas' who-has.
 */
export function WhoHasPanel({ supervisorId }: { supervisorId: string }) {
  const [query, setQuery] = useState("");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<WhoHasAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async () => {
    setBusy(true);
    // The supervisor resolves the type name (and refuses an unknown one by path).
    const outcome = await whoHasSearch(query, (body) =>
      runtimeCall<unknown>("devices/who-has", { supervisor: supervisorId, method: "POST", body }),
    );
    setBusy(false);
    if (!outcome) return;
    setAnswer(outcome.answer);
    setError(outcome.error);
  };

  return (
    <section className="space-y-1 rounded border border-slate-200 p-2" data-testid="bacnet-who-has">
      <form
        className="flex gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <input
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Who-Has: object name, or analogInput:1"
          maxLength={WHO_HAS_MAX_NAME}
          className="min-w-0 flex-1 rounded border px-1"
          data-testid="who-has-query"
        />
        <Button size="sm" variant="outline" type="submit" disabled={busy} data-testid="who-has-search">
          <Search /> {busy ? "Asking…" : "Who-Has"}
        </Button>
      </form>
      {error ? <p className="text-red-800">{error}</p> : null}
      {answer ? (
        <ul data-testid="who-has-results">
          {answer.found.length === 0 ? <li className="text-slate-500">No device answered.</li> : null}
          {answer.found.map((hit) => {
            const row = whoHasRow(hit);
            return (
              <li key={row.key} data-testid="who-has-hit">
                <span className="font-semibold">{row.name}</span>{" "}
                <span className="font-mono text-[10px]">{row.where}</span>
                <span className={hit.check === "mismatch" ? "text-red-700" : "text-slate-500"}>
                  {row.note}
                </span>
              </li>
            );
          })}
          {answer.truncated ? <li className="text-slate-500">More answered than are shown.</li> : null}
        </ul>
      ) : null}
    </section>
  );
}
