import { DEMO_PROJECT } from "@bms/nodes/starters";
import type Database from "better-sqlite3";
import { demoSiteDocument } from "../demo-site";
import { createProject } from "./projects-repository";

export const DEMO_PROJECT_NAME = DEMO_PROJECT.name;

/** First start only: the quick start must open on flows that run against the simulator's demo building. */
export function seedDemoProject(db: Database.Database): void {
  const { count } = db.prepare("SELECT COUNT(*) AS count FROM projects").get() as { count: number };
  if (count > 0) return;
  createProject(db, {
    // The supervisor's first start deploys this same site under this id: one project, not two.
    id: DEMO_PROJECT.id,
    name: DEMO_PROJECT_NAME,
    description:
      "The demo building as five flows from the starter library: AHU-1, the ten VAV boxes, the chilled- " +
      "and hot-water plants' lead/lag pumps, and the lighting schedule",
    document: demoSiteDocument(),
  });
}
