import { FlowConfigurationStructureSchema, ProjectDocumentSchema } from "@bms/schemas";
import { z } from "zod";
import { FlowDataSchema } from "./flow-document";
import { TemplateContentSchema } from "./project-template";

/**
 * The export file: one JSON document with a format name and version, the project and its whole
 * history. A file from another tool, or a newer format, is refused by name rather than half-read.
 * Version 2 holds a project document per version (many flows and the subflow library); version 1
 * files (one flow per version) still import, each version as a project of one flow.
 */
export const PROJECT_FILE_FORMAT = "bms-designer-project";
export const PROJECT_FILE_VERSION = 2;

const VersionMeta = {
  version: z.number().int().min(1),
  summary: z.string().max(500).default(""),
  created_by: z.string().max(100).default("designer"),
  created_at: z.string(),
};

function fileSchema<V extends z.ZodType<{ version: number }>>(formatVersion: 1 | 2, entry: V) {
  return z.object({
    format: z.literal(PROJECT_FILE_FORMAT, {
      message: `not a BMS Designer project file (format must be "${PROJECT_FILE_FORMAT}")`,
    }),
    format_version: z.literal(formatVersion),
    exported_at: z.string(),
    project: z.object({
      name: z.string().trim().min(1).max(100),
      description: z.string().max(2000).nullable().optional(),
      flow_id: z.uuid(),
    }),
    versions: z
      .array(entry)
      .min(1, "the file holds no version")
      .max(10_000)
      .refine(
        (versions) => new Set(versions.map((v) => v.version)).size === versions.length,
        "duplicate version numbers",
      ),
    /** Saved groups (palette "Project templates"); absent in files written before templates existed. */
    templates: z
      .array(TemplateContentSchema.and(z.object({ created_at: z.string() })))
      .max(1000)
      .default([])
      .refine((t) => new Set(t.map((x) => x.name)).size === t.length, "duplicate template names"),
  });
}

export const ProjectFileSchema = fileSchema(2, z.object({ ...VersionMeta, document: ProjectDocumentSchema }));
export type ProjectFile = z.infer<typeof ProjectFileSchema>;

const ProjectFileV1Schema = fileSchema(
  1,
  z.object({ ...VersionMeta, configuration: FlowConfigurationStructureSchema, flow_data: FlowDataSchema }),
);

/** Reads a version 2 file, or a version 1 file as version 2; problems name paths in the file. */
export function parseProjectFile(
  input: unknown,
): { success: true; data: ProjectFile } | { success: false; error: z.ZodError } {
  const declared = (input as { format_version?: unknown } | null)?.format_version;
  if (declared === 1) {
    const v1 = ProjectFileV1Schema.safeParse(input);
    if (!v1.success) return v1;
    return {
      success: true,
      data: {
        ...v1.data,
        format_version: PROJECT_FILE_VERSION,
        versions: v1.data.versions.map(({ configuration, flow_data, ...meta }) => ({
          ...meta,
          document: { flows: [{ configuration, flow_data }], library: [] },
        })),
      },
    };
  }
  if (declared !== undefined && declared !== PROJECT_FILE_VERSION && typeof input === "object") {
    return {
      success: false,
      error: new z.ZodError([
        {
          code: "custom",
          path: ["format_version"],
          message: `unsupported project file version (this Designer reads versions 1 and ${PROJECT_FILE_VERSION})`,
          input: declared,
        },
      ]),
    };
  }
  return ProjectFileSchema.safeParse(input);
}
