import { type ProjectDocument, readProjectDocument, type Validated } from "@bms/schemas";

/** The Designer's export format (apps/designer/src/lib/project-file.ts): a project and its versions. */
const DESIGNER_EXPORT_FORMAT = "bms-designer-project";

/**
 * The project document `pnpm flow-test` runs: the latest version of a Designer export file, or a bare
 * project document (`{flows, library, tests}`). Problems carry paths into the file.
 */
export function readTestedProject(raw: unknown): Validated<ProjectDocument> {
  if (
    typeof raw === "object" &&
    raw !== null &&
    (raw as { format?: unknown }).format === DESIGNER_EXPORT_FORMAT
  ) {
    const versions = (raw as { versions?: unknown }).versions;
    if (!Array.isArray(versions) || versions.length === 0)
      return { ok: false, errors: [{ path: "versions", message: "the file holds no version" }] };
    let latest = 0;
    versions.forEach((v, i) => {
      if (
        Number((v as { version?: unknown }).version) >
        Number((versions[latest] as { version?: unknown }).version)
      )
        latest = i;
    });
    const read = readProjectDocument((versions[latest] as { document?: unknown }).document);
    if (read.ok) return read;
    return {
      ok: false,
      errors: read.errors.map((e) => ({
        ...e,
        path: `versions[${latest}].document${e.path ? `.${e.path}` : ""}`,
      })),
    };
  }
  return readProjectDocument(raw);
}
