"use client";

import { PlugZap, Plus, Trash2 } from "lucide-react";
import { type FormEvent, Fragment, useCallback, useEffect, useState } from "react";
import type { SupervisorEntry, SupervisorTestResult } from "../../lib/api-types";
import { apiCall, problemText } from "../../lib/designer-api";
import { AUTHOR_STORAGE_KEY } from "../flow-editor/author-name";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "../ui/card";
import { Input } from "../ui/input";
import { CertificateConfirm } from "./certificate-confirm";

type Form = {
  name: string;
  url: string;
  token: string;
  tls_fingerprint: string;
  report_key_fingerprint: string;
};
const EMPTY_FORM: Form = { name: "", url: "", token: "", tls_fingerprint: "", report_key_fingerprint: "" };

/** What the certificate column says: pinned, trusted through the CAs, or plain http. */
function certificateLabel(s: SupervisorEntry): string {
  if (s.tls_fingerprint) return `pinned ${s.tls_fingerprint.slice(0, 11)}…`;
  return s.url.startsWith("https:") ? "not pinned (system CAs)" : "none (http)";
}

export function SupervisorsSettings() {
  const [supervisors, setSupervisors] = useState<SupervisorEntry[]>([]);
  const [form, setForm] = useState<Form>(EMPTY_FORM);
  const [editing, setEditing] = useState<SupervisorEntry | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, SupervisorTestResult | "running">>({});
  const [author, setAuthor] = useState("");

  const load = useCallback(async () => {
    const result = await apiCall<{ supervisors: SupervisorEntry[] }>("/api/supervisors");
    if (result.ok) setSupervisors(result.body.supervisors);
    else setError(result.error);
  }, []);

  useEffect(() => {
    void load();
    setAuthor(localStorage.getItem(AUTHOR_STORAGE_KEY) ?? "");
  }, [load]);

  // A new address needs the token again: the server refuses otherwise, and says so before the user tries.
  const urlChanged = editing !== null && form.url.trim() !== editing.url;
  const tokenRequired = urlChanged && editing?.has_token === true && form.token === "";

  const test = async (id: string) => {
    setTests((t) => ({ ...t, [id]: "running" }));
    const result = await apiCall<SupervisorTestResult>(`/api/supervisors/${id}/test`, { body: {} });
    setTests((t) => ({
      ...t,
      [id]: result.ok ? result.body : { ok: false, latency_ms: 0, error: result.error },
    }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      name: form.name,
      url: form.url,
      ...(form.token ? { token: form.token } : {}),
      ...(form.tls_fingerprint.trim() ? { tls_fingerprint: form.tls_fingerprint } : {}),
      // Empty on an edit removes the pin: the form starts from the pinned value.
      report_key_fingerprint: form.report_key_fingerprint.trim() || null,
    };
    const result = editing
      ? await apiCall<{ supervisor: SupervisorEntry }>(`/api/supervisors/${editing.id}`, {
          method: "PUT",
          body,
        })
      : await apiCall<{ supervisor: SupervisorEntry }>("/api/supervisors", { body });
    if (!result.ok) {
      setError(problemText(result));
      return;
    }
    setError(null);
    setEditing(null);
    setForm(EMPTY_FORM);
    await load();
    // A new or moved https supervisor: run the test at once, so its certificate is shown for confirmation.
    const saved = result.body.supervisor;
    if (saved.url.startsWith("https:") && !saved.tls_fingerprint) await test(saved.id);
  };

  const pin = async (entry: SupervisorEntry, fingerprint: string) => {
    // Same URL, so the stored token stays; only the pin changes.
    const result = await apiCall(`/api/supervisors/${entry.id}`, {
      method: "PUT",
      body: { name: entry.name, url: entry.url, tls_fingerprint: fingerprint },
    });
    if (!result.ok) {
      setError(problemText(result));
      return;
    }
    await load();
    await test(entry.id);
  };

  const remove = async (entry: SupervisorEntry) => {
    if (!window.confirm(`Remove “${entry.name}” from the registry? The supervisor itself is not touched.`))
      return;
    const result = await apiCall(`/api/supervisors/${entry.id}`, { method: "DELETE" });
    if (!result.ok) setError(result.error);
    await load();
  };

  return (
    <div className="mx-auto max-w-4xl space-y-4 p-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      {error ? (
        <Banner tone="error" onDismiss={() => setError(null)} data-testid="settings-error">
          {error}
        </Banner>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Supervisors</CardTitle>
        </CardHeader>
        <CardContent className="space-y-3">
          <table className="w-full text-sm" data-testid="supervisor-list">
            <thead className="text-left text-xs text-slate-500">
              <tr>
                <th className="py-1">Name</th>
                <th className="pr-3">URL</th>
                <th className="pr-3">Token</th>
                <th className="pr-3">Certificate</th>
                <th>Connection</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {supervisors.map((s) => {
                const t = tests[s.id];
                const offer =
                  t && t !== "running" && t.certificate && !t.certificate.matches_pin ? t.certificate : null;
                return (
                  <Fragment key={s.id}>
                    <tr className="border-t border-slate-100" data-testid={`supervisor-row-${s.id}`}>
                      <td className="py-1.5 font-medium">
                        {s.name}
                        {s.builtin ? (
                          <span className="ml-1 text-xs text-slate-500">(from environment)</span>
                        ) : null}
                      </td>
                      <td className="pr-3 font-mono text-xs">
                        {s.url}
                        {s.problem ? (
                          <div className="font-sans text-red-700" data-testid={`supervisor-problem-${s.id}`}>
                            {s.problem}
                          </div>
                        ) : null}
                      </td>
                      <td className="pr-3 text-xs" data-testid={`supervisor-token-state-${s.id}`}>
                        {s.has_token ? "set" : "none"}
                      </td>
                      <td className="pr-3 font-mono text-xs">
                        <span
                          data-testid={`supervisor-certificate-${s.id}`}
                          title={s.tls_fingerprint ?? undefined}
                        >
                          {certificateLabel(s)}
                        </span>
                        <div
                          className="text-slate-500"
                          data-testid={`supervisor-report-key-${s.id}`}
                          title={s.report_key_fingerprint ?? undefined}
                        >
                          reports:{" "}
                          {s.report_key_fingerprint
                            ? `key pinned ${s.report_key_fingerprint.slice(0, 11)}…`
                            : "key not pinned"}
                        </div>
                      </td>
                      <td
                        className="text-xs"
                        data-testid={`supervisor-test-result-${s.id}`}
                        data-ok={t && t !== "running" ? t.ok : ""}
                        data-code={t && t !== "running" ? (t.code ?? "") : ""}
                      >
                        {t === "running"
                          ? "testing…"
                          : t
                            ? t.ok
                              ? `OK · ${t.latency_ms} ms${t.version ? ` · ${t.version}` : ""}`
                              : `${t.error ?? "failed"}${t.latency_ms ? ` (${t.latency_ms} ms)` : ""}`
                            : ""}
                      </td>
                      <td className="flex justify-end gap-1 py-1">
                        <Button
                          size="sm"
                          variant="outline"
                          onClick={() => void test(s.id)}
                          data-testid={`supervisor-test-${s.id}`}
                        >
                          <PlugZap /> Test
                        </Button>
                        {s.builtin ? null : (
                          <>
                            <Button
                              size="sm"
                              variant="ghost"
                              onClick={() => {
                                setEditing(s);
                                setForm({
                                  name: s.name,
                                  url: s.url,
                                  token: "",
                                  tls_fingerprint: "",
                                  report_key_fingerprint: s.report_key_fingerprint ?? "",
                                });
                              }}
                              data-testid={`supervisor-edit-${s.id}`}
                            >
                              Edit
                            </Button>
                            <Button size="sm" variant="ghost" onClick={() => void remove(s)} title="Remove">
                              <Trash2 />
                            </Button>
                          </>
                        )}
                      </td>
                    </tr>
                    {offer && s.builtin ? (
                      <tr>
                        <td colSpan={6} className="pb-2 text-xs text-amber-900">
                          The local supervisor is pinned through the Designer&apos;s environment: set
                          BMS_SUPERVISOR_TLS_FINGERPRINT=
                          <code className="break-all font-mono">{offer.fingerprint256}</code> after comparing
                          it with the one the supervisor printed, and restart.
                        </td>
                      </tr>
                    ) : null}
                    {offer && !s.builtin ? (
                      <tr>
                        <td colSpan={6} className="pb-2">
                          <CertificateConfirm
                            supervisorId={s.id}
                            certificate={offer}
                            changed={s.tls_fingerprint !== null}
                            onConfirm={(fingerprint) => void pin(s, fingerprint)}
                          />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
          <form onSubmit={submit} className="space-y-2" data-testid="supervisor-form">
            <div className="grid grid-cols-[1fr_1.5fr_1fr] items-end gap-2">
              <label className="space-y-1 text-xs">
                Name
                <Input
                  value={form.name}
                  onChange={(e) => setForm({ ...form, name: e.target.value })}
                  data-testid="supervisor-name"
                />
              </label>
              <label className="space-y-1 text-xs">
                URL
                <Input
                  value={form.url}
                  placeholder="https://10.0.0.5:8443"
                  onChange={(e) => setForm({ ...form, url: e.target.value })}
                  data-testid="supervisor-url"
                />
              </label>
              <label className="space-y-1 text-xs">
                Token{" "}
                {editing
                  ? urlChanged && editing.has_token
                    ? "(required: the URL changed)"
                    : "(empty: keep)"
                  : ""}
                <Input
                  type="password"
                  value={form.token}
                  onChange={(e) => setForm({ ...form, token: e.target.value })}
                  data-testid="supervisor-token"
                  data-required={tokenRequired ? "true" : "false"}
                  aria-invalid={tokenRequired}
                  autoComplete="off"
                />
              </label>
            </div>
            <label className="block space-y-1 text-xs">
              Report signing key fingerprint (optional: what the supervisor printed at start or shows under
              Commissioning; its reports are then marked as signed by this key or not)
              <Input
                value={form.report_key_fingerprint}
                placeholder="AB:CD:…"
                onChange={(e) => setForm({ ...form, report_key_fingerprint: e.target.value })}
                data-testid="supervisor-report-key"
              />
            </label>
            <div className="grid grid-cols-[1fr_auto] items-end gap-2">
              <label className="space-y-1 text-xs">
                Certificate fingerprint (https, optional: paste what the supervisor printed; otherwise the
                connection test shows it for you to confirm)
                <Input
                  value={form.tls_fingerprint}
                  placeholder="AB:CD:…"
                  onChange={(e) => setForm({ ...form, tls_fingerprint: e.target.value })}
                  data-testid="supervisor-fingerprint"
                />
              </label>
              <div className="flex gap-1">
                <Button type="submit" variant="primary" data-testid="supervisor-save">
                  <Plus /> {editing ? "Update" : "Add"}
                </Button>
                {editing ? (
                  <Button
                    variant="ghost"
                    onClick={() => {
                      setEditing(null);
                      setForm(EMPTY_FORM);
                    }}
                  >
                    Cancel
                  </Button>
                ) : null}
              </div>
            </div>
            {tokenRequired ? (
              <p className="text-xs text-amber-800" data-testid="supervisor-token-required">
                The URL changed: enter the token again. The stored one is never sent to a new address.
              </p>
            ) : null}
          </form>
          <p className="text-xs text-slate-500">
            Tokens stay on the Designer server, encrypted at rest; the browser only learns whether one is set.
            An https supervisor is trusted through its pinned certificate, or else through the system CAs.
          </p>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>You</CardTitle>
        </CardHeader>
        <CardContent className="flex items-end gap-2">
          <label className="flex-1 space-y-1 text-xs">
            Name recorded in the version history (this browser)
            <Input
              value={author}
              maxLength={100}
              onChange={(e) => {
                setAuthor(e.target.value);
                localStorage.setItem(AUTHOR_STORAGE_KEY, e.target.value);
              }}
              data-testid="author-name"
            />
          </label>
        </CardContent>
      </Card>
    </div>
  );
}
