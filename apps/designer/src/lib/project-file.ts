import { FlowConfigurationStructureSchema } from "@bms/schemas";
import { z } from "zod";
import { FlowDataSchema } from "./flow-document";
import { TemplateContentSchema } from "./project-template";

/**
 * The export file: one JSON document with a format name and version, the project and its whole
 * history. A file from another tool, or a newer format, is refused by name rather than half-read.
 */
export const PROJECT_FILE_FORMAT = "bms-designer-project";
export const PROJECT_FILE_VERSION = 1;

export const ProjectFileSchema = z.object({
  format: z.literal(PROJECT_FILE_FORMAT, {
    message: `not a BMS Designer project file (format must be "${PROJECT_FILE_FORMAT}")`,
  }),
  format_version: z.literal(PROJECT_FILE_VERSION, {
    message: `unsupported project file version (this Designer reads version ${PROJECT_FILE_VERSION})`,
  }),
  exported_at: z.string(),
  project: z.object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(2000).nullable().optional(),
    flow_id: z.uuid(),
  }),
  versions: z
    .array(
      z.object({
        version: z.number().int().min(1),
        configuration: FlowConfigurationStructureSchema,
        flow_data: FlowDataSchema,
        summary: z.string().max(500).default(""),
        created_by: z.string().max(100).default("designer"),
        created_at: z.string(),
      }),
    )
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
export type ProjectFile = z.infer<typeof ProjectFileSchema>;
