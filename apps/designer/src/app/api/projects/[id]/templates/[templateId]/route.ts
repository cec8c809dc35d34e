import { guarded } from "../../../../../../lib/auth/guard";
import { getDb } from "../../../../../../lib/db/client";
import { deleteTemplate } from "../../../../../../lib/db/templates-repository";
import { json, problem } from "../../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string; templateId: string }> };

export const DELETE = guarded(
  { role: "operator", audit: "project.template.delete" },
  async (_request: Request, { params }: Params) => {
    const { id, templateId } = await params;
    if (!deleteTemplate(getDb(), id, templateId)) return problem(404, `template ${templateId} not found`);
    return json({ deleted: true });
  },
);
