"use client";

import { useCallback, useEffect, useState } from "react";
import { apiCall } from "../../lib/designer-api";
import type { ProjectTemplate, TemplateContent } from "../../lib/project-template";
import { CLIPBOARD_KIND } from "../../store/editor-store";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import { configurationFromGraph } from "../../store/flow-graph";

/** Every open palette refreshes when any of them saves or removes a template. */
const CHANGED = "bms-project-templates-changed";

/** The clipboard text a template drops as: a drop is a paste (fresh ids, aliases de-duplicated). */
export function templateClipboard(template: Pick<TemplateContent, "nodes" | "connections">): string {
  return JSON.stringify({ kind: CLIPBOARD_KIND, nodes: template.nodes, connections: template.connections });
}

/** The project's templates (palette "Project templates"). */
export function useProjectTemplates() {
  const projectId = useEditorStore((s) => s.projectId);
  const [templates, setTemplates] = useState<ProjectTemplate[]>([]);

  const load = useCallback(async () => {
    const result = await apiCall<{ templates: ProjectTemplate[] }>(`/api/projects/${projectId}/templates`);
    if (result.ok) setTemplates(result.body.templates);
  }, [projectId]);

  useEffect(() => {
    void load();
    const onChanged = () => void load();
    window.addEventListener(CHANGED, onChanged);
    return () => window.removeEventListener(CHANGED, onChanged);
  }, [load]);

  const remove = useCallback(
    async (id: string) => {
      const result = await apiCall(`/api/projects/${projectId}/templates/${id}`, { method: "DELETE" });
      if (result.ok) window.dispatchEvent(new Event(CHANGED));
    },
    [projectId],
  );

  return { templates, remove };
}

/** Saving a group's nodes (and the wires between them) as a project template. */
export function useSaveGroupAsTemplate() {
  const store = useEditorStoreApi();
  const projectId = useEditorStore((s) => s.projectId);
  const saveGroup = useCallback(
    async (groupId: string, name: string): Promise<string | null> => {
      const s = store.getState();
      const group = s.groups.find((g) => g.id === groupId);
      if (!group) return "That group no longer exists.";
      const members = new Set(group.data.members);
      const flow = configurationFromGraph(
        s,
        s.nodes.filter((n) => members.has(n.id)),
        s.edges.filter((e) => members.has(e.source) && members.has(e.target)),
      );
      const result = await apiCall<{ template: ProjectTemplate }>(`/api/projects/${projectId}/templates`, {
        body: { name, nodes: flow.nodes, connections: flow.connections },
      });
      if (!result.ok) return result.errors[0]?.message ?? result.error;
      window.dispatchEvent(new Event(CHANGED));
      return null;
    },
    [store, projectId],
  );

  return saveGroup;
}
