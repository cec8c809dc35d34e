import { ConnectionSchema, NodeConfigurationSchema } from "@bms/schemas";
import { z } from "zod";

/**
 * A project template: a group of nodes and the wires between them, saved once and dropped as a copy
 * (fresh ids, aliases de-duplicated) from the palette's "Project templates". Stored with the project
 * in projects.db and carried by its export file.
 */
export const TemplateContentSchema = z
  .object({
    name: z.string().trim().min(1, "a template needs a name").max(100),
    nodes: z.array(NodeConfigurationSchema).min(1, "a template holds at least one node").max(500),
    connections: z.array(ConnectionSchema).max(2000).default([]),
  })
  .superRefine((t, ctx) => {
    const ids = new Set(t.nodes.map((n) => n.id));
    if (ids.size !== t.nodes.length)
      ctx.addIssue({ code: "custom", path: ["nodes"], message: "duplicate node ids" });
    t.connections.forEach((c, i) => {
      if (!ids.has(c.from_node) || !ids.has(c.to_node)) {
        ctx.addIssue({
          code: "custom",
          path: ["connections", i],
          message: "a template's wires join its own nodes only",
        });
      }
    });
  });
export type TemplateContent = z.infer<typeof TemplateContentSchema>;

export interface ProjectTemplate extends TemplateContent {
  id: string;
  created_at: string;
}

/** What the palette drags: the clipboard format, so a drop is a paste (store.paste). */
export const TEMPLATE_MIME = "application/x-bms-template";
