import { z } from "zod";
import { guarded } from "../../../../../../lib/auth/guard";
import { getDb } from "../../../../../../lib/db/client";
import { previewDeploy } from "../../../../../../lib/deploy-service";
import { json, problem } from "../../../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ id: string }> };

const QuerySchema = z.object({
  supervisor: z.array(z.string().min(1).max(100)).min(1, "name at least one supervisor").max(100),
  version: z.coerce.number().int().min(1).optional(),
});

/**
 * What a deploy would do, flow by flow, on each chosen supervisor (`?supervisor=a&supervisor=b`):
 * a read of each supervisor's running package, nothing changes.
 */
export const GET = guarded({ role: "viewer" }, async (request: Request, { params }: Params) => {
  const { id } = await params;
  const search = new URL(request.url).searchParams;
  const query = QuerySchema.safeParse({
    supervisor: search.getAll("supervisor"),
    ...(search.get("version") ? { version: search.get("version") } : {}),
  });
  if (!query.success)
    return problem(
      422,
      "invalid preview request",
      query.error.issues.map((i) => ({ path: i.path.join(".") || "(query)", message: i.message })),
    );
  const preview = await previewDeploy(getDb(), id, query.data.supervisor, query.data.version);
  if (!preview.ok) return problem(preview.status, preview.error, preview.errors);
  return json({ previews: preview.previews });
});
