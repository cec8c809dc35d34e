import type { FastifyInstance } from "fastify";
import type { Simulator } from "../simulator";

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** Server-rendered device list; the live object view is added by the UI script. */
export function registerUi(app: FastifyInstance, sim: Simulator): void {
  app.get("/", async (_request, reply) => {
    const rows = sim.devices
      .map(
        (d) =>
          `<tr><td>${d.instance}</td><td>${escapeHtml(d.name)}</td><td>${d.address}</td><td>${d.objects.length}</td></tr>`,
      )
      .join("");
    reply.type("text/html; charset=utf-8");
    return `<!doctype html><html><head><meta charset="utf-8"><title>bms-sim</title></head><body>
<h1>bms-sim: ${escapeHtml(sim.siteName)}</h1><table><thead><tr><th>Instance</th><th>Name</th><th>Address</th><th>Objects</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>`;
  });
}
