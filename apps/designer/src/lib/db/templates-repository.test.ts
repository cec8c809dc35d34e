import { join } from "node:path";
import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { ProjectFileSchema } from "../project-file";
import { openDatabase } from "./client";
import { exportProject, importProject } from "./project-transfer";
import { createProject, deleteProject, duplicateProject } from "./projects-repository";
import { deleteTemplate, listTemplates, saveTemplate } from "./templates-repository";

const TEMPLATE = {
  name: "Zone reheat",
  nodes: [
    {
      id: "t",
      type: "sensor_read",
      version: 1,
      alias: "zt",
      config: { point: "bacnet:1/analogInput:1" },
      runtime_options: {},
    },
    { id: "h", type: "threshold", version: 1, config: { operator: "<", value: 19 }, runtime_options: {} },
  ],
  connections: [{ from_node: "t", from_output: "value", to_node: "h", to_input: "value" }],
};

describe("project templates in projects.db", () => {
  it("are kept with the project across a reopen, replaced by name, and deleted with it", () => {
    const dir = tempDir("designer-templates");
    const db = openDatabase(join(dir, "projects.db"));
    const project = createProject(db, { name: "Templates" });
    const saved = saveTemplate(db, project.id, TEMPLATE);
    saveTemplate(db, project.id, { ...TEMPLATE, name: "Another" });
    db.close();

    const again = openDatabase(join(dir, "projects.db"));
    expect(listTemplates(again, project.id).map((t) => t.name)).toEqual(["Another", "Zone reheat"]);
    const replaced = saveTemplate(again, project.id, {
      ...TEMPLATE,
      nodes: [TEMPLATE.nodes[0]!],
      connections: [],
    });
    expect(replaced.id).toBe(saved.id);
    expect(listTemplates(again, project.id).find((t) => t.id === saved.id)?.nodes).toHaveLength(1);
    expect(deleteTemplate(again, project.id, "nope")).toBe(false);
    const copy = duplicateProject(again, project.id)!;
    expect(listTemplates(again, copy.id).map((t) => t.name)).toEqual(["Another", "Zone reheat"]);
    deleteProject(again, project.id);
    expect(listTemplates(again, project.id)).toEqual([]);
    expect(again.prepare("SELECT COUNT(*) AS n FROM project_templates").get()).toEqual({ n: 2 });
  });

  it("travel in the export file and come back on import; old files without templates still import", () => {
    const db = openDatabase(join(tempDir("designer-templates"), "projects.db"));
    const project = createProject(db, { name: "Exported" });
    saveTemplate(db, project.id, TEMPLATE);
    const file = exportProject(db, project.id)!;
    expect(file.templates.map((t) => t.name)).toEqual(["Zone reheat"]);

    const imported = importProject(db, JSON.parse(JSON.stringify(file)));
    if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
    const [copy] = listTemplates(db, imported.project.id);
    expect(copy).toMatchObject({ name: "Zone reheat", connections: TEMPLATE.connections });
    expect(copy?.nodes.map((n) => n.id)).toEqual(["t", "h"]);

    const { templates: _none, ...older } = JSON.parse(JSON.stringify(file));
    expect(ProjectFileSchema.safeParse(older).success).toBe(true);
    expect(importProject(db, older).ok).toBe(true);
  });

  it("refuses a template whose wires leave it", () => {
    const bad = {
      ...TEMPLATE,
      connections: [{ from_node: "x", from_output: "value", to_node: "h", to_input: "value" }],
    };
    const parsed = ProjectFileSchema.shape.templates.safeParse([
      { ...bad, created_at: "2026-01-01T00:00:00Z" },
    ]);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe("a template's wires join its own nodes only");
  });
});
