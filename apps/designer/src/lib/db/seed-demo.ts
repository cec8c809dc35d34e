import { randomUUID } from "node:crypto";
import { starterSubflows } from "@bms/nodes/starters";
import type Database from "better-sqlite3";
import { demoBuildingFlowConfiguration, singleFlowDocument } from "../flow-document";
import { createProject } from "./projects-repository";

export const DEMO_PROJECT_NAME = "Demo: VAV-1 reheat";

/** First start only: the quick start must open on a flow that runs against the simulator. */
export function seedDemoProject(db: Database.Database): void {
  const { count } = db.prepare("SELECT COUNT(*) AS count FROM projects").get() as { count: number };
  if (count > 0) return;
  createProject(db, {
    name: DEMO_PROJECT_NAME,
    description:
      "Zone temperature → PID → reheat valve, with a high-temperature alarm (demo building, VAV-1)",
    document: {
      ...singleFlowDocument(demoBuildingFlowConfiguration(randomUUID(), DEMO_PROJECT_NAME)),
      library: starterSubflows(),
    },
  });
}
