import { notFound } from "next/navigation";
import { FlowEditor } from "../../../components/flow-editor/flow-editor";
import { requirePageSession } from "../../../lib/auth/page-session";
import { getDb } from "../../../lib/db/client";
import { getProject } from "../../../lib/db/projects-repository";

export const dynamic = "force-dynamic";

/**
 * Only checks that the project exists: the editor loads the document itself on every mount, so a
 * cached copy of this page can never carry an old document into the editor.
 */
export default async function EditorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageSession(`/projects/${encodeURIComponent(id)}`);
  if (!getProject(getDb(), id)) notFound();
  return <FlowEditor key={id} projectId={id} />;
}
