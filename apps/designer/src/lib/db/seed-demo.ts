import type Database from "better-sqlite3";
import { demoSiteDocument } from "../demo-site";
import { createProject } from "./projects-repository";

export const DEMO_PROJECT_NAME = "Demo building";

/** First start only: the quick start must open on flows that run against the simulator's demo building. */
export function seedDemoProject(db: Database.Database): void {
  const { count } = db.prepare("SELECT COUNT(*) AS count FROM projects").get() as { count: number };
  if (count > 0) return;
  createProject(db, {
    name: DEMO_PROJECT_NAME,
    description:
      "A site of four flows: VAV-1 reheat on PID with a high-temperature alarm; VAV-2 to VAV-4, AHU-1 " +
      "supply-air reset and the CHW pumps lead/lag from the starter library",
    document: demoSiteDocument(),
  });
}
