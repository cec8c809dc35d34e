import { notFound } from "next/navigation";
import { DeployPage } from "../../../../components/deploy/deploy-page";
import { requirePageSession } from "../../../../lib/auth/page-session";
import { getDb } from "../../../../lib/db/client";
import { getProject } from "../../../../lib/db/projects-repository";

export const dynamic = "force-dynamic";

export default async function ProjectDeployPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageSession(`/projects/${encodeURIComponent(id)}/deploy`);
  const project = getProject(getDb(), id);
  if (!project) notFound();
  return <DeployPage projectId={id} projectName={project.name} />;
}
