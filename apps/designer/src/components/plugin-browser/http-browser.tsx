"use client";

import { PluginBrowseListingSchema, PointValueSchema } from "@bms/schemas";
import { Play } from "lucide-react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { runtimeCall } from "../../lib/designer-api";
import { Button } from "../ui/button";
import { PluginBrowser } from "./plugin-browser";

type Tested =
  | { state: "idle" }
  | {
      state: "done";
      /** The answer's scalar leaves, JSON path → value, as the plugin last fetched it. */
      document: Record<string, unknown>;
      value?: z.infer<typeof PointValueSchema>;
    }
  | { state: "failed"; error: string };

/**
 * The HTTP tab: the endpoints the supervisor polls (the plugins file names them; the Designer never
 * fetches a URL itself, so no browser-side request can reach the plant network), and a tester that shows
 * an endpoint's answer and the value at a JSON path, read through the supervisor exactly as a node would.
 */
export function HttpBrowser({ supervisorId }: { supervisorId: string }) {
  const [endpoints, setEndpoints] = useState<{ id: string; name: string }[]>([]);
  const [endpoint, setEndpoint] = useState("");
  const [path, setPath] = useState("");
  const [tested, setTested] = useState<Tested>({ state: "idle" });

  useEffect(() => {
    void runtimeCall<unknown>("plugins/http/browse", { supervisor: supervisorId }).then((result) => {
      if (!result.ok) return;
      const parsed = PluginBrowseListingSchema.safeParse(result.body);
      if (!parsed.success) return;
      const list = parsed.data.entries.filter((e) => e.kind === "device");
      setEndpoints(list);
      setEndpoint((current) => current || (list[0]?.name ?? ""));
    });
  }, [supervisorId]);

  const test = async () => {
    const id = endpoints.find((e) => e.name === endpoint)?.id;
    if (!id) return;
    const answer = await runtimeCall<unknown>(`plugins/http/browse?id=${encodeURIComponent(id)}`, {
      supervisor: supervisorId,
    });
    if (!answer.ok) {
      setTested({ state: "failed", error: answer.error });
      return;
    }
    const leaves = PluginBrowseListingSchema.safeParse(answer.body);
    if (!leaves.success) {
      setTested({ state: "failed", error: "The supervisor's answer has an unexpected shape." });
      return;
    }
    const document = Object.fromEntries(leaves.data.entries.map((leaf) => [leaf.name, leaf.reading?.value]));
    const trimmed = path.trim().replace(/^\$?\.?/, "");
    const ref = trimmed ? `http:${endpoint}/${trimmed}` : `http:${endpoint}`;
    const read = await runtimeCall<{ values?: unknown }>("points/read", {
      supervisor: supervisorId,
      method: "POST",
      body: { points: [ref] },
    });
    const values = read.ok ? z.array(PointValueSchema).safeParse(read.body.values) : null;
    const value = values?.success ? values.data[0] : undefined;
    setTested({ state: "done", document, ...(value ? { value } : {}) });
  };

  return (
    <div data-testid="http-tab">
      <PluginBrowser
        supervisorId={supervisorId}
        protocol="http"
        rootsNoun="HTTP endpoints"
        writeByDefault={false}
      />
      <section className="space-y-2 border-t border-slate-200 p-3 text-xs" data-testid="http-tester">
        <h3 className="font-semibold text-slate-700">Endpoint tester</h3>
        <div className="flex gap-1">
          <select
            value={endpoint}
            onChange={(e) => setEndpoint(e.target.value)}
            className="rounded border border-slate-300 px-1"
            aria-label="Endpoint"
            data-testid="http-tester-endpoint"
          >
            {endpoints.map((e) => (
              <option key={e.id} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
          <input
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="JSON path, e.g. current.temperature_2m"
            aria-label="JSON path"
            className="min-w-0 flex-1 rounded border border-slate-300 px-1 font-mono"
            data-testid="http-tester-path"
          />
          <Button
            size="sm"
            variant="outline"
            onClick={() => void test()}
            disabled={!endpoint}
            data-testid="http-tester-run"
          >
            <Play /> Test
          </Button>
        </div>
        {tested.state === "failed" ? (
          <p className="rounded bg-red-50 p-2 text-red-800">{tested.error}</p>
        ) : null}
        {tested.state === "done" ? (
          <>
            <div data-testid="http-tester-value">
              {tested.value ? (
                <span className={tested.value.quality === "good" ? "text-slate-900" : "text-red-700"}>
                  <span className="font-mono">{tested.value.point}</span> ={" "}
                  <b>{JSON.stringify(tested.value.value)}</b> ({tested.value.quality}
                  {tested.value.reason ? `: ${tested.value.reason}` : ""})
                </span>
              ) : (
                "no answer"
              )}
            </div>
            <pre
              className="max-h-64 overflow-auto rounded bg-slate-900 p-2 font-mono text-[10px] text-slate-100"
              data-testid="http-tester-json"
            >
              {JSON.stringify(tested.document, null, 2)}
            </pre>
          </>
        ) : null}
      </section>
    </div>
  );
}
