"use client";

import { PlugZap, Plus, Trash2 } from "lucide-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { SupervisorEntry } from "../../lib/api-types";
import { apiCall } from "../../lib/designer-api";
import { AUTHOR_STORAGE_KEY } from "../flow-editor/author-name";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "../ui/card";
import { Input } from "../ui/input";

type TestResult = { ok: boolean; latency_ms: number; error?: string; version?: string | null };

export function SupervisorsSettings() {
  const [supervisors, setSupervisors] = useState<SupervisorEntry[]>([]);
  const [form, setForm] = useState({ name: "", url: "", token: "" });
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, TestResult | "running">>({});
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

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = { name: form.name, url: form.url, ...(form.token ? { token: form.token } : {}) };
    const result = editing
      ? await apiCall(`/api/supervisors/${editing}`, { method: "PUT", body })
      : await apiCall("/api/supervisors", { body });
    if (!result.ok) {
      setError(
        result.errors.length ? result.errors.map((e) => `${e.path}: ${e.message}`).join("; ") : result.error,
      );
      return;
    }
    setError(null);
    setEditing(null);
    setForm({ name: "", url: "", token: "" });
    await load();
  };

  const test = async (id: string) => {
    setTests((t) => ({ ...t, [id]: "running" }));
    const result = await apiCall<TestResult>(`/api/supervisors/${id}/test`, { body: {} });
    setTests((t) => ({
      ...t,
      [id]: result.ok ? result.body : { ok: false, latency_ms: 0, error: result.error },
    }));
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
                <th>URL</th>
                <th>Token</th>
                <th>Connection</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {supervisors.map((s) => {
                const t = tests[s.id];
                return (
                  <tr key={s.id} className="border-t border-slate-100" data-testid={`supervisor-row-${s.id}`}>
                    <td className="py-1.5 font-medium">
                      {s.name}
                      {s.builtin ? (
                        <span className="ml-1 text-xs text-slate-500">(from environment)</span>
                      ) : null}
                    </td>
                    <td className="font-mono text-xs">{s.url}</td>
                    <td className="text-xs">{s.has_token ? "set" : "none"}</td>
                    <td
                      className="text-xs"
                      data-testid={`supervisor-test-result-${s.id}`}
                      data-ok={t && t !== "running" ? t.ok : ""}
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
                              setEditing(s.id);
                              setForm({ name: s.name, url: s.url, token: "" });
                            }}
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
                );
              })}
            </tbody>
          </table>
          <form
            onSubmit={submit}
            className="grid grid-cols-[1fr_1.5fr_1fr_auto] items-end gap-2"
            data-testid="supervisor-form"
          >
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
                placeholder="http://10.0.0.5:8080"
                onChange={(e) => setForm({ ...form, url: e.target.value })}
                data-testid="supervisor-url"
              />
            </label>
            <label className="space-y-1 text-xs">
              Token {editing ? "(empty: keep)" : ""}
              <Input
                type="password"
                value={form.token}
                onChange={(e) => setForm({ ...form, token: e.target.value })}
                data-testid="supervisor-token"
                autoComplete="off"
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
                    setForm({ name: "", url: "", token: "" });
                  }}
                >
                  Cancel
                </Button>
              ) : null}
            </div>
          </form>
          <p className="text-xs text-slate-500">
            Tokens stay on the Designer server; the browser only learns whether one is set.
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
