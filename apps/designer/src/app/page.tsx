import { ProjectsList } from "../components/projects/projects-list";
import { getDb } from "../lib/db/client";
import { listProjects } from "../lib/db/projects-repository";

export const dynamic = "force-dynamic";

export default function ProjectsPage() {
  return <ProjectsList initial={listProjects(getDb())} />;
}
