import type { FastifyInstance } from "fastify";
import { openApiDocument } from "./document";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
}

/** A plain page listing every endpoint: readable on a Pi without shipping a Swagger UI bundle. */
function renderHtml(doc: ReturnType<typeof openApiDocument>): string {
  const paths = doc.paths as Record<string, Record<string, { summary: string; "x-role": string }>>;
  const rows = Object.entries(paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(
        ([method, op]) =>
          `<tr><td class="m ${method}">${method.toUpperCase()}</td><td><code>${escapeHtml(path)}</code></td>` +
          `<td>${escapeHtml(op.summary)}</td><td>${escapeHtml(op["x-role"])}</td></tr>`,
      ),
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>BMS Supervisor API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1f2937}table{border-collapse:collapse;width:100%}
td{border-bottom:1px solid #e5e7eb;padding:.4rem .6rem;vertical-align:top}.m{font-weight:600;width:4rem}
.get{color:#2563eb}.post{color:#16a34a}.put{color:#d97706}.delete{color:#dc2626}code{font-size:13px}</style></head>
<body><h1>BMS Supervisor API</h1><p>Machine-readable: <a href="/docs/openapi.json">/docs/openapi.json</a> (OpenAPI 3.1).</p>
<table><tr><th>Method</th><th>Path</th><th>What</th><th>Least role</th></tr>${rows}</table></body></html>`;
}

export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  app.get("/docs/openapi.json", async () => openApiDocument());
  app.get("/docs", async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(renderHtml(openApiDocument())),
  );
}
