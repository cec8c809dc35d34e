"use client";

import { Search } from "lucide-react";
import { useState } from "react";
import { z } from "zod";
import { runtimeCall } from "../../lib/designer-api";
import { Button } from "../ui/button";
import { routeText } from "./network-map";

const WhoHasAnswerSchema = z.object({
  found: z.array(
    z.object({
      device_id: z.number().int(),
      object_type: z.string(),
      object_instance: z.number().int(),
      object_name: z.string(),
      address: z.string(),
      network: z.number().int().nullable(),
      mac: z.array(z.number().int()).nullable(),
      check: z.enum(["known", "unknown", "mismatch"]),
    }),
  ),
  truncated: z.boolean().default(false),
});
type WhoHasAnswer = z.infer<typeof WhoHasAnswerSchema>;

const CHECK_TEXT = {
  known: "",
  unknown: " · not discovered yet",
  mismatch: " · answered from another address than the known device (not trusted)",
};

/** Who-Has on every network: by object name, or by `type:instance` (e.g. analogInput:1). Admin only. */
export function WhoHasPanel({ supervisorId }: { supervisorId: string }) {
  const [query, setQuery] = useState("");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<WhoHasAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async () => {
    const text = query.trim();
    if (!text) return;
    const id = /^([A-Za-z]+):(\d+)$/.exec(text);
    // The supervisor resolves the type name (and refuses an unknown one by path).
    const body = id ? { object_type: id[1], object_instance: Number(id[2]) } : { object_name: text };
    setBusy(true);
    const result = await runtimeCall<unknown>("devices/who-has", {
      supervisor: supervisorId,
      method: "POST",
      body: { ...body, timeout_ms: 2000 },
    });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      setAnswer(null);
      return;
    }
    const parsed = WhoHasAnswerSchema.safeParse(result.body);
    setError(parsed.success ? null : "The supervisor's Who-Has answer has an unexpected shape.");
    setAnswer(parsed.success ? parsed.data : null);
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
          {answer.found.map((hit) => (
            <li key={`${hit.device_id}/${hit.object_type}:${hit.object_instance}`} data-testid="who-has-hit">
              <span className="font-semibold">{hit.object_name}</span>{" "}
              <span className="font-mono text-[10px]">
                #{hit.device_id} {hit.object_type}:{hit.object_instance} · {routeText(hit)}
              </span>
              <span className={hit.check === "mismatch" ? "text-red-700" : "text-slate-500"}>
                {CHECK_TEXT[hit.check]}
              </span>
            </li>
          ))}
          {answer.truncated ? <li className="text-slate-500">More answered than are shown.</li> : null}
        </ul>
      ) : null}
    </section>
  );
}
