"use client";

import type { ValidationProblem } from "@bms/schemas";
import { Copy, FolderOpen, Pencil, Plus, Search, Trash2, Upload } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { ProjectSummary } from "../../lib/api-types";
import { apiCall, designerFetch } from "../../lib/designer-api";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function ProjectsList({ initial }: { initial: ProjectSummary[] }) {
  const router = useRouter();
  const [projects, setProjects] = useState(initial);
  const [search, setSearch] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<ProjectSummary | null>(null);
  const [importError, setImportError] = useState<{ error: string; errors: ValidationProblem[] } | null>(null);
  const [imported, setImported] = useState<string | null>(null);

  /** The file goes to the server as it is: the server validates it whole before writing anything. */
  const importFile = async (file: File) => {
    setImportError(null);
    setImported(null);
    let response: Response;
    try {
      response = await designerFetch("/api/projects/import", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: await file.text(),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      setImportError({ error: "The Designer server is unreachable; nothing was imported.", errors: [] });
      return;
    }
    const body = (await response.json().catch(() => ({}))) as {
      project?: ProjectSummary;
      error?: string;
      errors?: ValidationProblem[];
    };
    if (!response.ok || !body.project) {
      setImportError({ error: body.error ?? `HTTP ${response.status}`, errors: body.errors ?? [] });
      return;
    }
    setImported(body.project.name);
    await reload(search);
  };

  const reload = useCallback(async (term: string) => {
    const result = await apiCall<{ projects: ProjectSummary[] }>(
      `/api/projects?q=${encodeURIComponent(term)}`,
    );
    if (result.ok) setProjects(result.body.projects);
    else setError(result.error);
  }, []);

  useEffect(() => {
    const timer = setTimeout(() => void reload(search), 150);
    return () => clearTimeout(timer);
  }, [search, reload]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const result = await apiCall<{ project: ProjectSummary }>("/api/projects", { body: { name } });
    if (!result.ok) {
      setError(result.errors[0]?.message ? `${result.error}: ${result.errors[0].message}` : result.error);
      return;
    }
    router.push(`/projects/${result.body.project.id}`);
  };

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    if (!renaming) return;
    const result = await apiCall(`/api/projects/${renaming.id}`, {
      method: "PATCH",
      body: { name: renaming.name },
    });
    if (!result.ok) {
      setError(result.errors[0]?.message ?? result.error);
      return;
    }
    setRenaming(null);
    await reload(search);
  };

  const duplicate = async (project: ProjectSummary) => {
    const result = await apiCall(`/api/projects/${project.id}/duplicate`, { body: {} });
    if (!result.ok) setError(result.error);
    await reload(search);
  };

  const remove = async (project: ProjectSummary) => {
    const result = await apiCall(`/api/projects/${project.id}`, { method: "DELETE" });
    if (!result.ok) setError(result.error);
    setConfirmDelete(null);
    await reload(search);
  };

  return (
    <div className="mx-auto max-w-5xl space-y-4 p-6">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold">Projects</h1>
          <p className="text-sm text-slate-600">
            Each project holds one or more flows for a site, versioned on every save.
          </p>
        </div>
        <form onSubmit={create} className="flex items-center gap-2" data-testid="create-project-form">
          <Input
            placeholder="New project name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            className="w-64"
            data-testid="new-project-name"
            aria-label="New project name"
          />
          <Button type="submit" variant="primary" disabled={!name.trim()} data-testid="create-project">
            <Plus /> Create
          </Button>
          <label className="inline-flex h-9 cursor-pointer items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-100">
            <Upload className="size-4" /> Import
            <input
              type="file"
              accept="application/json,.json"
              className="sr-only"
              data-testid="import-file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = "";
                if (file) void importFile(file);
              }}
            />
          </label>
        </form>
      </div>
      {error ? (
        <Banner tone="error" onDismiss={() => setError(null)}>
          {error}
        </Banner>
      ) : null}
      {importError ? (
        <Banner tone="error" onDismiss={() => setImportError(null)} data-testid="import-error">
          <div className="font-medium">Import failed: {importError.error}</div>
          {importError.errors.length > 0 ? (
            <ul className="ml-4 list-disc text-xs">
              {importError.errors.slice(0, 10).map((e) => (
                <li key={`${e.path}|${e.message}`}>
                  <span className="font-mono">{e.path}</span>: {e.message}
                </li>
              ))}
            </ul>
          ) : null}
        </Banner>
      ) : null}
      {imported ? (
        <Banner tone="success" onDismiss={() => setImported(null)} data-testid="import-success">
          Imported “{imported}”.
        </Banner>
      ) : null}
      <div className="relative">
        <Search className="absolute left-2 top-2 size-4 text-slate-400" />
        <Input
          placeholder="Search projects"
          className="pl-8"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="project-search"
          aria-label="Search projects"
        />
      </div>
      <ul
        className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white"
        data-testid="project-list"
      >
        {projects.length === 0 ? (
          <li className="p-4 text-sm text-slate-500">
            {search ? `No project matches “${search}”.` : "No projects yet."}
          </li>
        ) : null}
        {projects.map((p) => (
          <li
            key={p.id}
            className="flex items-center gap-3 px-4 py-3"
            data-testid="project-row"
            data-project-id={p.id}
          >
            <div className="min-w-0 flex-1">
              {renaming?.id === p.id ? (
                <form onSubmit={rename} className="flex gap-2">
                  <Input
                    autoFocus
                    value={renaming.name}
                    onChange={(e) => setRenaming({ id: p.id, name: e.target.value })}
                    data-testid="rename-input"
                    aria-label="Project name"
                  />
                  <Button type="submit" size="sm" data-testid="rename-save">
                    Save
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => setRenaming(null)}>
                    Cancel
                  </Button>
                </form>
              ) : (
                <Link
                  href={`/projects/${p.id}`}
                  className="font-medium text-slate-900 hover:underline"
                  data-testid="project-link"
                >
                  {p.name}
                </Link>
              )}
              <div className="text-xs text-slate-500">
                {p.node_count} node{p.node_count === 1 ? "" : "s"} · v{p.latest_version} · updated{" "}
                {when(p.updated_at)}
                {p.description ? ` · ${p.description}` : ""}
              </div>
            </div>
            <Button size="sm" variant="ghost" onClick={() => router.push(`/projects/${p.id}`)} title="Open">
              <FolderOpen />
            </Button>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => setRenaming({ id: p.id, name: p.name })}
              title="Rename"
              data-testid="rename-project"
            >
              <Pencil />
            </Button>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => void duplicate(p)}
              title="Duplicate"
              data-testid="duplicate-project"
            >
              <Copy />
            </Button>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => setConfirmDelete(p)}
              title="Delete"
              data-testid="delete-project"
            >
              <Trash2 />
            </Button>
          </li>
        ))}
      </ul>
      {confirmDelete ? (
        <div
          className="fixed inset-0 z-50 flex items-center justify-center bg-black/30"
          role="dialog"
          aria-modal="true"
        >
          <div
            className="w-96 space-y-3 rounded-lg bg-white p-4 shadow-xl"
            data-testid="confirm-delete-dialog"
          >
            <h2 className="font-semibold">Delete “{confirmDelete.name}”?</h2>
            <p className="text-sm text-slate-600">
              Its {confirmDelete.latest_version} version(s) and deployment history are deleted too. Flows
              already deployed keep running on their supervisors.
            </p>
            <div className="flex justify-end gap-2">
              <Button variant="outline" onClick={() => setConfirmDelete(null)} data-testid="cancel-delete">
                Cancel
              </Button>
              <Button
                variant="destructive"
                onClick={() => void remove(confirmDelete)}
                data-testid="confirm-delete"
              >
                Delete
              </Button>
            </div>
          </div>
        </div>
      ) : null}
    </div>
  );
}
