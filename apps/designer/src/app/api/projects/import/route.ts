import { guarded } from "../../../../lib/auth/guard";
import { getDb } from "../../../../lib/db/client";
import { importProject } from "../../../../lib/db/project-transfer";
import { json, problem } from "../../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Projects files are small; anything past this is not one and is refused before parsing. */
const MAX_BYTES = 20 * 1024 * 1024;

export const POST = guarded({ role: "operator", audit: "project.import" }, async (request: Request) => {
  const text = await request.text();
  if (text.length > MAX_BYTES) return problem(413, "the file is larger than 20 MB: not a project file");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem(422, "the file is not valid JSON (corrupt or not a project file); nothing was imported");
  }
  const result = importProject(getDb(), body);
  if (!result.ok) {
    return problem(422, "the file is not a valid BMS Designer project; nothing was imported", result.errors);
  }
  return json({ project: result.project }, 201);
});
