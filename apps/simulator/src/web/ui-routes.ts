import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import type { Simulator } from "../simulator";

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8");
const script = asset("ui.js");
const styles = asset("ui.css");

const FIRST_PAGE = 25;

/**
 * The operator page: server-rendered first page of devices (useful without JavaScript and fast with
 * 200 devices), then ui.js pages, searches and polls the REST API for live values.
 */
export function registerUi(app: FastifyInstance, sim: Simulator): void {
  app.get("/", async (_request, reply) => {
    const rows = sim.devices
      .slice(0, FIRST_PAGE)
      .map(
        (d) =>
          `<tr class="device" data-id="${d.instance}"><td>${d.instance}</td><td>${escapeHtml(d.name)}</td><td class="muted">${d.address}</td></tr>`,
      )
      .join("");
    reply.type("text/html; charset=utf-8");
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bms-sim · ${escapeHtml(sim.siteName)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/ui.css"></head>
<body>
<header><h1>bms-sim</h1><span class="meta" id="meta">site ${escapeHtml(sim.siteName)} · ${sim.devices.length} devices · UDP ${sim.network.port}</span></header>
<main>
<section>
  <input id="search" type="search" placeholder="Search name or instance" style="width:100%;margin-bottom:6px">
  <table><thead><tr><th>Device</th><th>Name</th><th>Address</th></tr></thead><tbody id="devices">${rows}</tbody></table>
  <div class="pager"><button id="prev">‹ Prev</button><span id="page-info"></span><button id="next">Next ›</button></div>
</section>
<section>
  <h2 id="device-title" style="font-size:15px;margin:0">Select a device</h2>
  <div class="faults" id="faults"></div>
  <div id="error" style="color:#a11"></div>
  <table><thead><tr><th>Object</th><th>Name</th><th>Present value</th><th>Priority array</th><th>Override</th></tr></thead>
  <tbody id="objects"></tbody></table>
</section>
</main>
<script src="/ui.js"></script>
</body></html>`;
  });

  app.get("/ui.js", async (_request, reply) => reply.type("text/javascript; charset=utf-8").send(script));
  app.get("/ui.css", async (_request, reply) => reply.type("text/css; charset=utf-8").send(styles));
}
