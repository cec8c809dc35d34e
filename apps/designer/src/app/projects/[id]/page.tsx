import { notFound } from "next/navigation";
import { FlowEditor } from "../../../components/flow-editor/flow-editor";
import { requirePageSession } from "../../../lib/auth/page-session";
import { getDb } from "../../../lib/db/client";
import { getProject } from "../../../lib/db/projects-repository";
import { getDraft, latestVersion } from "../../../lib/db/versions-repository";
import { EMPTY_FLOW_DATA, emptyFlowConfiguration } from "../../../lib/flow-document";

export const dynamic = "force-dynamic";

export default async function EditorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageSession(`/projects/${encodeURIComponent(id)}`);
  const db = getDb();
  const project = getProject(db, id);
  if (!project) notFound();
  const latest = latestVersion(db, id);
  const draft = getDraft(db, id);
  // An autosaved draft newer than the last version is what the user was looking at: reopen on it.
  const useDraft = draft !== null && draft.base_version >= (latest?.version ?? 0);
  const configuration = useDraft
    ? draft.configuration
    : (latest?.configuration ?? emptyFlowConfiguration(project.flow_id, project.name));
  return (
    <FlowEditor
      key={`${id}:${latest?.version ?? 0}`}
      init={{
        projectId: id,
        projectName: project.name,
        version: latest?.version ?? 0,
        configuration,
        flowData: useDraft ? draft.flow_data : (latest?.flow_data ?? EMPTY_FLOW_DATA),
        dirty: useDraft,
      }}
      restoredDraftAt={useDraft ? draft.saved_at : null}
    />
  );
}
