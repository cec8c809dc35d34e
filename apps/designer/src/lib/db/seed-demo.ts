import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { demoFlowConfiguration } from "../flow-document";
import { createProject } from "./projects-repository";

export const DEMO_PROJECT_NAME = "Demo: zone cooling";

/** First start only: the quick start must open on a flow that runs against the simulator. */
export function seedDemoProject(db: Database.Database): void {
  const { count } = db.prepare("SELECT COUNT(*) AS count FROM projects").get() as { count: number };
  if (count > 0) return;
  createProject(db, {
    name: DEMO_PROJECT_NAME,
    description: "sensor_read → threshold > 24 → actuator_write (skeleton site, device 1001)",
    configuration: demoFlowConfiguration(randomUUID(), DEMO_PROJECT_NAME),
  });
}
