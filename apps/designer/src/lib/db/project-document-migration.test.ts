import { join } from "node:path";
import { tempDir } from "@bms/test-support";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { demoFlowConfiguration, EMPTY_FLOW_DATA } from "../flow-document";
import { PROJECT_FILE_FORMAT } from "../project-file";
import { openDatabase } from "./client";
import { MIGRATIONS, migrate } from "./migrations";
import { exportProject, importProject } from "./project-transfer";
import { createProject, getProject, listProjects } from "./projects-repository";
import { getDraft, latestVersion, listVersions, openDocument, saveVersion } from "./versions-repository";

const FLOW_ID = "3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b";

describe("a project of many flows (issue 12)", () => {
  it("migrates a single-flow projects.db in place: versions and the draft become one-flow documents", () => {
    const file = join(tempDir("designer-migrate"), "projects.db");
    const old = new Database(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.id < 7),
    );
    const flow = demoFlowConfiguration(FLOW_ID, "Old AHU");
    old
      .prepare(
        "INSERT INTO projects (id, name, flow_id, created_at, updated_at) VALUES ('p1', 'Old AHU', ?, 'x', 'x')",
      )
      .run(FLOW_ID);
    const insert = old.prepare(
      "INSERT INTO project_configs (project_id, version, flow_data, config_json, summary) VALUES ('p1', ?, ?, ?, 's')",
    );
    insert.run(1, JSON.stringify({ comments: [] }), JSON.stringify({ ...flow, nodes: [] }));
    insert.run(
      2,
      JSON.stringify({ comments: [{ id: "c1", text: "hi", position: { x: 1, y: 2 } }] }),
      JSON.stringify(flow),
    );
    old
      .prepare(
        "INSERT INTO project_drafts (project_id, base_version, flow_data, config_json, saved_at) VALUES ('p1', 2, '{}', ?, 'now')",
      )
      .run(JSON.stringify({ ...flow, nodes: flow.nodes.slice(0, 1) }));
    old.close();

    const db = openDatabase(file);
    const latest = latestVersion(db, "p1")!;
    expect(latest.document.flows).toHaveLength(1);
    expect(latest.document.library).toEqual([]);
    expect(latest.document.flows[0]!.configuration.metadata.flow_id).toBe(FLOW_ID);
    expect(latest.document.flows[0]!.configuration.nodes.map((n) => n.id)).toEqual(
      flow.nodes.map((n) => n.id),
    );
    expect(latest.document.flows[0]!.flow_data.comments[0]?.text).toBe("hi");
    expect(getDraft(db, "p1")!.document.flows[0]!.configuration.nodes).toHaveLength(1);
    expect(listVersions(db, "p1").map((v) => [v.version, v.node_count, v.flow_count])).toEqual([
      [2, 3, 1],
      [1, 0, 1],
    ]);
    expect(listProjects(db).find((p) => p.id === "p1")).toMatchObject({ node_count: 3, flow_count: 1 });
    // The old columns are gone: nothing can read a stale copy of the flow.
    const columns = db.prepare("PRAGMA table_info(project_configs)").all() as { name: string }[];
    expect(columns.map((c) => c.name)).not.toContain("config_json");
  });

  it("saves, names and counts several flows; the history says which flow changed", () => {
    const db = openDatabase(join(tempDir("designer-flows"), "projects.db"));
    const project = createProject(db, { name: "Site" });
    const opened = openDocument(db, getProject(db, project.id)!);
    // A new project's library starts with the starter subflows.
    expect(opened.document.library.map((d) => d.id)).toEqual([
      "vav-cooling-reheat",
      "ahu-sat-reset",
      "lead-lag-pumps",
    ]);
    const first = opened.document.flows[0]!;
    const ahu = demoFlowConfiguration("5b2c9d1e-0f3a-4b6c-8d7e-9f0a1b2c3d4e", "AHU-1");
    const two = saveVersion(db, project.id, {
      baseVersion: 1,
      document: {
        flows: [first, { configuration: ahu, flow_data: EMPTY_FLOW_DATA }],
        library: opened.document.library,
      },
    });
    expect(two.ok).toBe(true);
    expect(listVersions(db, project.id)[0]).toMatchObject({
      flow_count: 2,
      node_count: 3,
      summary: 'flow "AHU-1" added',
    });
    const changed = structuredClone(ahu);
    changed.nodes[1]!.config.value = 25;
    saveVersion(db, project.id, {
      baseVersion: 2,
      document: {
        flows: [{ configuration: changed, flow_data: EMPTY_FLOW_DATA }, first],
        library: opened.document.library,
      },
    });
    expect(listVersions(db, project.id)[0]!.summary).toBe("AHU-1: 1 node changed; flows reordered");
    // Every flow is stamped with the version it was saved as.
    expect(
      latestVersion(db, project.id)!.document.flows.map((f) => f.configuration.metadata.version),
    ).toEqual(["1.0.3", "1.0.3"]);
  });

  it("imports a version-1 export file as one flow per version, and a corrupt file changes nothing", () => {
    const db = openDatabase(join(tempDir("designer-import"), "projects.db"));
    const flow = demoFlowConfiguration(FLOW_ID, "Legacy");
    const v1 = {
      format: PROJECT_FILE_FORMAT,
      format_version: 1,
      exported_at: "2025-01-01T00:00:00.000Z",
      project: { name: "Legacy", description: null, flow_id: FLOW_ID },
      versions: [
        {
          version: 1,
          configuration: flow,
          flow_data: { comments: [] },
          created_at: "2025-01-01T00:00:00.000Z",
        },
      ],
    };
    const before = listProjects(db).length;
    const corrupt = structuredClone(v1);
    (corrupt.versions[0]!.configuration as { nodes: unknown }).nodes = "lost";
    const refused = importProject(db, corrupt);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors[0]!.path).toBe("versions.0.configuration.nodes");
    expect(importProject(db, { ...v1, format_version: 9 }).ok).toBe(false);
    expect(listProjects(db)).toHaveLength(before);

    const imported = importProject(db, v1);
    if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
    const exported = exportProject(db, imported.project.id)!;
    expect(exported.format_version).toBe(2);
    expect(exported.versions[0]!.document.flows.map((f) => f.configuration.metadata.flow_id)).toEqual([
      FLOW_ID,
    ]);
    // Importing the same file again: its flow ids are taken here, so the copy's flows get new ones.
    const again = importProject(db, exported);
    if (!again.ok) throw new Error("second import refused");
    const copy = exportProject(db, again.project.id)!;
    expect(copy.versions[0]!.document.flows[0]!.configuration.metadata.flow_id).not.toBe(FLOW_ID);
  });
});
