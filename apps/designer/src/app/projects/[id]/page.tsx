import { roleAllows } from "@bms/schemas";
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
  const session = await requirePageSession(`/projects/${encodeURIComponent(id)}`);
  if (!getProject(getDb(), id)) notFound();
  // A viewer opens the editor to look: its Save and Deploy are off and it sends no drafts (the API
  // would refuse each with a 403 the viewer could do nothing about).
  const readOnly = !session || !roleAllows(session.user.role, "operator");
  return <FlowEditor key={id} projectId={id} readOnly={readOnly} />;
}
