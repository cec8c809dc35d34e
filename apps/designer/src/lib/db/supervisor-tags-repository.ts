import type Database from "better-sqlite3";
import { z } from "zod";

/**
 * A tag names a group of supervisors ("building A", "all AHU controllers"); a supervisor carries any
 * number of them, and a staged rollout targets the supervisors that carry one tag.
 */
export const TagSchema = z
  .string()
  .trim()
  .min(1, "a tag cannot be empty")
  .max(60, "a tag is at most 60 characters")
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._/-]*$/u, "letters, digits, spaces and . _ / - only");

export const TagsInputSchema = z.object({
  tags: z
    .array(TagSchema)
    .max(20, "at most 20 tags per supervisor")
    .transform((tags) => [...new Map(tags.map((t) => [t.toLowerCase(), t])).values()]),
});

/** Replaces a supervisor's tags in one transaction (case-insensitive: "Building A" = "building a"). */
export function setTags(db: Database.Database, supervisorId: string, tags: readonly string[]): void {
  db.transaction(() => {
    db.prepare("DELETE FROM supervisor_tags WHERE supervisor_id = ?").run(supervisorId);
    const add = db.prepare("INSERT INTO supervisor_tags (supervisor_id, tag) VALUES (?, ?)");
    for (const tag of tags) add.run(supervisorId, tag);
  })();
}

/** Every supervisor's tags, sorted, keyed by supervisor id. */
export function tagsBySupervisor(db: Database.Database): Map<string, string[]> {
  const rows = db
    .prepare("SELECT supervisor_id, tag FROM supervisor_tags ORDER BY tag COLLATE NOCASE")
    .all() as { supervisor_id: string; tag: string }[];
  const out = new Map<string, string[]>();
  for (const row of rows) out.set(row.supervisor_id, [...(out.get(row.supervisor_id) ?? []), row.tag]);
  return out;
}

/** The ids of the supervisors that carry a tag. */
export function supervisorsTagged(db: Database.Database, tag: string): string[] {
  return (
    db.prepare("SELECT supervisor_id FROM supervisor_tags WHERE tag = ?").all(tag) as {
      supervisor_id: string;
    }[]
  ).map((r) => r.supervisor_id);
}

/** Every tag in use with its member count: the groups a rollout can target. */
export function listGroups(db: Database.Database): { tag: string; members: number }[] {
  return db
    .prepare(
      "SELECT tag, count(*) AS members FROM supervisor_tags GROUP BY tag COLLATE NOCASE ORDER BY tag COLLATE NOCASE",
    )
    .all() as { tag: string; members: number }[];
}
