import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { migrate } from "./migrations";
import {
  listGroups,
  setTags,
  supervisorsTagged,
  TagsInputSchema,
  tagsBySupervisor,
} from "./supervisor-tags-repository";

let db: Database.Database;
beforeEach(() => {
  db = new Database(":memory:");
  migrate(db);
  db.prepare("INSERT INTO supervisors (id, name, url) VALUES ('s1', 'AHU 1', 'http://127.0.0.1:1')").run();
});

describe("supervisor tags (the fleet console's groups)", () => {
  it("replaces a supervisor's tags and finds the members of a group case-insensitively", () => {
    setTags(db, "s1", ["Building A", "AHU controllers"]);
    setTags(db, "default", ["building a"]);
    expect(tagsBySupervisor(db).get("s1")).toEqual(["AHU controllers", "Building A"]);
    expect(supervisorsTagged(db, "BUILDING A").sort()).toEqual(["default", "s1"]);
    expect(listGroups(db)).toEqual([
      { tag: "AHU controllers", members: 1 },
      { tag: "Building A", members: 2 },
    ]);
    setTags(db, "s1", []);
    expect(supervisorsTagged(db, "building a")).toEqual(["default"]);
  });

  it("drops a deleted supervisor's tags with it", () => {
    setTags(db, "s1", ["Building A"]);
    db.prepare("DELETE FROM supervisors WHERE id = 's1'").run();
    expect(supervisorsTagged(db, "Building A")).toEqual([]);
  });

  it("refuses empty, over-long or odd tags with a path per problem, and folds duplicates", () => {
    const bad = TagsInputSchema.safeParse({ tags: ["", "x".repeat(61), "<script>"] });
    expect(bad.success).toBe(false);
    expect([...new Set(bad.error?.issues.map((i) => i.path.join(".")))]).toEqual([
      "tags.0",
      "tags.1",
      "tags.2",
    ]);
    expect(TagsInputSchema.parse({ tags: ["Building A", " building a ", "B/2"] }).tags).toEqual([
      "building a",
      "B/2",
    ]);
  });
});
