import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FlowConfiguration, ProjectDocument } from "@bms/schemas";
import { tempDir } from "@bms/test-support";
import type Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { demoFlowConfiguration, type FlowData } from "../flow-document";
import { openDatabase } from "./client";
import { exportProject, importProject } from "./project-transfer";
import {
  createProject,
  deleteProject,
  duplicateProject,
  getProject,
  listProjects,
} from "./projects-repository";
import { DEMO_PROJECT_NAME } from "./seed-demo";
import {
  getDraft,
  latestVersion,
  listVersions,
  openDocument,
  restoreVersion,
  saveDraft,
  saveVersion,
} from "./versions-repository";

/** A one-flow document under the project's own flow id, as the editor saves it. */
function doc(
  db: Database.Database,
  projectId: string,
  configuration: FlowConfiguration,
  flow_data: FlowData = { comments: [], groups: [] },
): ProjectDocument {
  const flowId = getProject(db, projectId)!.flow_id;
  return {
    flows: [
      {
        configuration: { ...configuration, metadata: { ...configuration.metadata, flow_id: flowId } },
        flow_data,
      },
    ],
    // The library as the project has it: these tests are about the flow.
    library: latestVersion(db, projectId)?.document.library ?? [],
  };
}

const fresh = () => openDatabase(join(tempDir("designer-db"), "projects.db"));

describe("projects.db", () => {
  it("seeds the demo project on first start only", () => {
    const dir = tempDir("designer-db");
    const first = openDatabase(join(dir, "projects.db"));
    expect(listProjects(first).map((p) => p.name)).toEqual([DEMO_PROJECT_NAME]);
    deleteProject(first, listProjects(first)[0]!.id);
    createProject(first, { name: "Mine" });
    first.close();
    const again = openDatabase(join(dir, "projects.db"));
    expect(listProjects(again).map((p) => p.name)).toEqual(["Mine"]);
  });

  it("appends a version on every save and restores by copying forward", () => {
    const db = fresh();
    const project = createProject(db, { name: "Versions" });
    const flow = demoFlowConfiguration(project.id.replace(/^.{8}/, "3f1e0f4e"), "Versions");
    saveVersion(db, project.id, {
      baseVersion: 1,
      document: doc(db, project.id, flow, { comments: [], groups: [] }),
    });
    const restored = restoreVersion(db, project.id, 1, { createdBy: "alice" });
    if (!restored?.ok) throw new Error("restore refused");
    expect(restored.value.version).toBe(3);
    expect(restored.value.document.flows[0]!.configuration.nodes).toEqual([]);
    const history = listVersions(db, project.id);
    expect(history.map((v) => [v.version, v.node_count, v.created_by])).toEqual([
      [3, 0, "alice"],
      [2, 3, "designer"],
      [1, 0, "designer"],
    ]);
    expect(history[1]!.summary).toBe("3 nodes added, 2 connections added");
    expect(history[0]!.summary).toMatch(/^restored v1/);
  });

  it("names a groups-only save, reads a pre-groups flow_data as no groups, and exports groups", () => {
    const db = fresh();
    const project = createProject(db, { name: "Groups" });
    const flow = demoFlowConfiguration("3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b", "Groups");
    saveVersion(db, project.id, {
      baseVersion: 1,
      document: doc(db, project.id, flow, { comments: [], groups: [] }),
    });
    const group = {
      id: "group_1",
      label: "Cooling",
      position: { x: 40, y: 60 },
      width: 700,
      height: 200,
      members: ["too_warm", "cooling_cmd"],
    };
    saveVersion(db, project.id, {
      baseVersion: 2,
      document: doc(db, project.id, flow, { comments: [], groups: [group] }),
    });
    expect(listVersions(db, project.id)[0]!.summary).toBe("groups changed");
    // A version saved before flow_data had groups reads as having none.
    db.prepare(
      "UPDATE project_configs SET document_json = json_set(document_json, '$.flows[0].flow_data', json(?)) WHERE project_id = ? AND version = 1",
    ).run('{"comments":[]}', project.id);
    const file = exportProject(db, project.id)!;
    expect(file.versions.map((v) => v.document.flows[0]!.flow_data.groups)).toEqual([[], [], [group]]);
  });

  it("keeps a draft until the next save", () => {
    const db = fresh();
    const project = createProject(db, { name: "Draft" });
    const flow = demoFlowConfiguration("3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b", "Draft");
    saveDraft(db, project.id, {
      baseVersion: 1,
      document: doc(db, project.id, flow, { comments: [], groups: [] }),
    });
    expect(getDraft(db, project.id)!.document.flows[0]!.configuration.nodes).toHaveLength(3);
    saveVersion(db, project.id, {
      baseVersion: 1,
      document: doc(db, project.id, flow, { comments: [], groups: [] }),
    });
    expect(getDraft(db, project.id)).toBeNull();
  });

  it("refuses a save based on an older version with the newest number, and writes nothing", () => {
    const dir = tempDir("designer-db");
    const db = openDatabase(join(dir, "projects.db"));
    const project = createProject(db, { name: "Two tabs" });
    const flow = demoFlowConfiguration("3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b", "Two tabs");
    const empty = { comments: [], groups: [] };
    // Both tabs opened v1; the first save lands as v2.
    const first = saveVersion(db, project.id, { baseVersion: 1, document: doc(db, project.id, flow, empty) });
    expect(first.ok && first.value.version).toBe(2);
    const second = saveVersion(db, project.id, {
      baseVersion: 1,
      document: doc(db, project.id, { ...flow, nodes: flow.nodes.slice(0, 1) }, empty),
    });
    expect(second).toEqual({ ok: false, code: "version_conflict", latestVersion: 2 });
    expect(listVersions(db, project.id).map((v) => v.version)).toEqual([2, 1]);
    // A version the project never had is no base either.
    expect(
      saveVersion(db, project.id, { baseVersion: 7, document: doc(db, project.id, flow, empty) }).ok,
    ).toBe(false);

    // "Save as a new version on top": the same document based on the newest lands, v2 stays in history.
    const onTop = saveVersion(db, project.id, {
      baseVersion: 2,
      document: doc(db, project.id, { ...flow, nodes: flow.nodes.slice(0, 1) }, empty),
    });
    expect(onTop.ok && onTop.value.document.flows[0]!.configuration.nodes).toHaveLength(1);
    db.close();
    // The refusal holds across processes: a fresh connection to the same file sees v3 as newest.
    const again = openDatabase(join(dir, "projects.db"));
    expect(
      saveVersion(again, project.id, { baseVersion: 2, document: doc(again, project.id, flow, empty) }),
    ).toEqual({
      ok: false,
      code: "version_conflict",
      latestVersion: 3,
    });
    expect(listVersions(again, project.id).map((v) => [v.version, v.node_count])).toEqual([
      [3, 1],
      [2, 3],
      [1, 0],
    ]);
  });

  it("refuses a draft or a restore based on an older version, and keeps the draft that was there", () => {
    const db = fresh();
    const project = createProject(db, { name: "Drafts" });
    const flow = demoFlowConfiguration("3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b", "Drafts");
    const empty = { comments: [], groups: [] };
    saveVersion(db, project.id, { baseVersion: 1, document: doc(db, project.id, flow, empty) });
    const kept = saveDraft(db, project.id, { baseVersion: 2, document: doc(db, project.id, flow, empty) });
    expect(kept.ok).toBe(true);
    const stale = saveDraft(db, project.id, {
      baseVersion: 1,
      document: doc(db, project.id, { ...flow, nodes: [] }, empty),
    });
    expect(stale).toEqual({ ok: false, code: "version_conflict", latestVersion: 2 });
    expect(getDraft(db, project.id)!.document.flows[0]!.configuration.nodes).toHaveLength(3);

    expect(restoreVersion(db, project.id, 1, { baseVersion: 1 })).toEqual({
      ok: false,
      code: "version_conflict",
      latestVersion: 2,
    });
    const restored = restoreVersion(db, project.id, 1, { baseVersion: 2 });
    expect(restored?.ok && restored.value.version).toBe(3);
    expect(restoreVersion(db, project.id, 9, { baseVersion: 3 })).toBeNull();
  });

  it("opens the draft with its own base, else the newest version", () => {
    const db = fresh();
    const project = createProject(db, { name: "Open" });
    const flow = demoFlowConfiguration("3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b", "Open");
    const empty = { comments: [], groups: [] };
    const meta = getProject(db, project.id)!;
    expect(openDocument(db, meta)).toMatchObject({ base_version: 1, draft_saved_at: null });
    saveVersion(db, project.id, { baseVersion: 1, document: doc(db, project.id, flow, empty) });
    const opened = openDocument(db, meta);
    expect(opened.base_version).toBe(2);
    expect(opened.document.flows[0]!.configuration.nodes).toHaveLength(3);
    saveDraft(db, project.id, {
      baseVersion: 2,
      document: doc(db, project.id, { ...flow, nodes: [] }, empty),
    });
    const drafted = openDocument(db, meta);
    expect(drafted.base_version).toBe(2);
    expect(drafted.document.flows[0]!.configuration.nodes).toEqual([]);
    expect(drafted.draft_saved_at).not.toBeNull();
    // A draft left on an older base (written before drafts were checked) keeps that base, so the
    // editor's first autosave or save meets the conflict instead of hiding v3.
    db.prepare("UPDATE project_drafts SET base_version = 1 WHERE project_id = ?").run(project.id);
    expect(openDocument(db, meta).base_version).toBe(1);
  });

  it("duplicates with a new flow id, and searches by name", () => {
    const db = fresh();
    const project = createProject(db, { name: "AHU-1 economiser" });
    const copy = duplicateProject(db, project.id)!;
    expect(copy.name).toBe("AHU-1 economiser (copy)");
    expect(listProjects(db, "economiser")).toHaveLength(2);
    expect(listProjects(db, "100%_")).toHaveLength(0);
  });

  it("imports its own export identically and refuses foreign files without writing", () => {
    const db = fresh();
    const project = createProject(db, { name: "Transfer" });
    const file = exportProject(db, project.id)!;
    const before = listProjects(db).length;
    expect(importProject(db, { ...file, format: "node-red" }).ok).toBe(false);
    const broken = structuredClone(file);
    (broken.versions[0]!.document.flows[0]!.configuration.metadata as { flow_id: string }).flow_id =
      "not-a-uuid";
    const refused = importProject(db, broken);
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.errors[0]?.path).toBe("versions.0.document.flows.0.configuration.metadata.flow_id");
    expect(listProjects(db)).toHaveLength(before);

    const imported = importProject(db, file);
    expect(imported.ok).toBe(true);
    if (!imported.ok) return;
    const again = exportProject(db, imported.project.id)!;
    expect(again.versions.map((v) => v.document.flows[0]!.configuration.nodes)).toEqual(
      file.versions.map((v) => v.document.flows[0]!.configuration.nodes),
    );
    expect(again.project.flow_id).not.toBe(file.project.flow_id);
    // Next to its original, the import is told apart by its name; a second one by its number.
    expect(imported.project.name).toBe("Transfer (imported)");
    const second = importProject(db, file);
    expect(second.ok && second.project.name).toBe("Transfer (imported 2)");
  });

  it("imports examples/demo-site.bms.json with its flow test cases, which follow their flows when renamed", () => {
    const db = fresh();
    const file = JSON.parse(
      readFileSync(new URL("../../../../../examples/demo-site.bms.json", import.meta.url), "utf8"),
    );
    const first = importProject(db, file);
    const second = importProject(db, file);
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    for (const id of [first.project.id, second.project.id]) {
      const { document } = latestVersion(db, id)!;
      const flowIds = new Set(document.flows.map((f) => f.configuration.metadata.flow_id));
      expect(document.tests?.length).toBe(file.versions[0].document.tests.length);
      expect(document.tests!.every((t) => flowIds.has(t.flow_id))).toBe(true);
    }
    // The second import took new flow ids (the first holds the file's), and its cases moved with them.
    const ids = (id: string) => latestVersion(db, id)!.document.tests!.map((t) => t.flow_id);
    expect(ids(second.project.id)).not.toEqual(ids(first.project.id));
    expect(exportProject(db, first.project.id)!.versions[0]!.document.tests).toEqual(
      latestVersion(db, first.project.id)!.document.tests,
    );
  });
});
