import { ProjectsList } from "../components/projects/projects-list";
import { requirePageSession } from "../lib/auth/page-session";
import { getDb } from "../lib/db/client";
import { listProjects } from "../lib/db/projects-repository";

export const dynamic = "force-dynamic";

export default async function ProjectsPage() {
  await requirePageSession("/");
  return <ProjectsList initial={listProjects(getDb())} />;
}
