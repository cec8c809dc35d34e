import { normalizePointRef, roleAllows, type ValidationProblem } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { PdfError, printPdf } from "../../commissioning/pdf-printer";
import { verifyReport } from "../../commissioning/report-signature";
import { REPORT_ID } from "../../commissioning/report-store";
import { CommissioningRunner, type RunRequest, sitePoints } from "../../commissioning/runner";
import type { ReportSigningKey } from "../../commissioning/signing-key";
import { HttpError, route } from "../../http/route";
import { OVERRIDE_PRIORITY_MIN } from "../points/overrides";

/**
 * Commissioning (issue 16): a run checks out the site's points (read, and with explicit confirmation a
 * write test at a priority with the priority array read back and relinquished), verifies its alarms by
 * injection, measures a performance baseline and checks device communication, then stores a report in
 * JSON, HTML and PDF. Starting a run is operator (it commands points) and audited, with what it will
 * write; forcing a write test over a flow's command is admin, as for a manual write. Reports are viewer.
 * Each finished report is signed with the supervisor's Ed25519 key (commissioning/signing-key.ts); its
 * public half and a verification of an uploaded report are viewer too, since they change nothing.
 */

const Scalar = z.union([z.number().refine(Number.isFinite, "must be a finite number"), z.boolean()]);

const RunBody = z
  .object({
    /** Who commissions: printed on the report and in its signature block. */
    person: z.string().trim().min(1).max(100),
    /** The site name on the report; the deployed project's name when absent. */
    site: z.string().trim().min(1).max(200).optional(),
    notes: z.string().max(2000).default(""),
    checkout: z
      .object({
        /** The points to check; every point the site's flows read or write when absent. */
        points: z.array(z.string().min(1).max(300)).min(1).max(5000).optional(),
        write_test: z
          .object({
            /** 1-5 are life safety and critical equipment: as for overrides, not a test's to take. */
            priority: z.number().int().min(OVERRIDE_PRIORITY_MIN).max(16),
            /** The explicit confirmation: "all" commanded points of the run, or the points one by one. */
            confirm: z.union([z.literal("all"), z.array(z.string().min(1).max(300)).min(1).max(5000)]),
            /** Test values by point; a point without one is written its current value (nothing moves). */
            values: z.record(z.string().max(300), Scalar).default({}),
            /** Write over a flow's command at that priority (admin only); the flow rewrites it next scan. */
            force: z.boolean().default(false),
          })
          .optional(),
      })
      .optional(),
    alarms: z
      .object({
        timeout_s: z.number().min(1).max(120).default(15),
        max_delay_s: z.number().min(0).max(3600).default(120),
      })
      .optional(),
    baseline: z
      .object({
        window_s: z.number().min(1).max(3600).default(60),
        poll_interval_s: z.number().min(0.2).max(300).default(5),
      })
      .optional(),
    devices: z.object({ samples: z.number().int().min(1).max(50).default(5) }).optional(),
  })
  .refine((b) => b.checkout || b.alarms || b.baseline || b.devices, {
    message: "name at least one check: checkout, alarms, baseline or devices",
  });

const ReportParams = z.object({ id: z.string().regex(REPORT_ID, "not a report id") });

function canonical(ref: string, path: string, problems: ValidationProblem[]): string {
  try {
    return normalizePointRef(ref);
  } catch (error) {
    problems.push({ path, message: (error as Error).message, code: "invalid_point" });
    return ref;
  }
}

export async function commissioningRoutes(
  app: FastifyInstance,
  options: { dataDir: string; key: ReportSigningKey },
): Promise<void> {
  const { key } = options;
  const runner = new CommissioningRunner(app, options.dataDir, key);
  // After the engine's own onReady (registration order), which resumes the deployed site.
  app.addHook("onReady", async () => runner.recover());
  app.addHook("onClose", async () => runner.close());

  const found = (id: string) => {
    const report = runner.get(id);
    if (!report) throw new HttpError(404, `no commissioning report "${id}"`);
    return report;
  };

  /** A finished report's stored file: 409 run_in_progress while the run goes on (it is signed when it ends). */
  function finishedReport(id: string, file: "json" | "html"): Buffer {
    const report = found(id);
    const stored = file === "json" ? runner.store.readJson(id) : runner.store.read(id, "html");
    if (report.status === "running" || !stored)
      throw new HttpError(409, "the run is still going: its report is signed when it ends", [
        { path: "id", message: "the run is still going", code: "run_in_progress" },
      ]);
    return stored;
  }

  route(app, {
    method: "GET",
    url: "/runs",
    summary: "Commissioning reports stored on the supervisor, newest first, and the run in progress",
    tags: ["commissioning"],
    auth: "viewer",
    handler() {
      return { running: runner.active?.id ?? null, reports: runner.store.list() };
    },
  });

  route(app, {
    method: "POST",
    url: "/runs",
    summary:
      "Start a commissioning run: point checkout (write tests only for confirmed points), alarm verification, performance baseline, device communication check",
    tags: ["commissioning"],
    auth: "operator",
    audit: { action: "commissioning.run", target: ({ body }) => body.site ?? null },
    body: RunBody,
    handler({ body }, request, reply) {
      if (runner.active)
        throw new HttpError(409, `commissioning run ${runner.active.id} is still running`, [
          { path: "", message: "one commissioning run at a time", code: "run_in_progress" },
        ]);
      const test = body.checkout?.write_test;
      if (test?.force && !(request.identity && roleAllows(request.identity.role, "admin"))) {
        const message = `the ${request.identity?.role ?? "anonymous"} role may not force a write test over a flow's command (needs admin)`;
        if (request.auditNote) {
          request.auditNote.result = "denied";
          request.auditNote.reason = message;
          request.auditNote.details = { forced: true };
        }
        return reply.status(403).send({ error: message, code: "forbidden" });
      }
      const problems: ValidationProblem[] = [];
      const site = sitePoints(app.engine.flows());
      const run: RunRequest = {
        person: body.person,
        notes: body.notes,
        startedBy: request.identity?.name ?? "anonymous",
        ...(body.site ? { site: body.site } : {}),
      };
      if (body.checkout) {
        const points = body.checkout.points
          ? body.checkout.points.map((p, i) => canonical(p, `checkout.points[${i}]`, problems))
          : site.points;
        if (points.length === 0)
          problems.push({
            path: "checkout.points",
            message: "the site uses no points: name them",
            code: "no_points",
          });
        let writeTest: NonNullable<RunRequest["checkout"]>["writeTest"];
        if (test) {
          const commanded = points.filter((p) => site.commanded.has(p));
          const confirmed =
            test.confirm === "all"
              ? commanded
              : test.confirm.map((p, i) => {
                  const ref = canonical(p, `checkout.write_test.confirm[${i}]`, problems);
                  if (!site.commanded.has(ref) || !points.includes(ref))
                    problems.push({
                      path: `checkout.write_test.confirm[${i}]`,
                      message: `${ref} is not a point of this checkout that a flow of the site commands`,
                      code: "not_commanded",
                    });
                  return ref;
                });
          const values = new Map<string, number | boolean>();
          for (const [p, v] of Object.entries(test.values)) {
            const ref = canonical(p, `checkout.write_test.values.${p}`, problems);
            if (!confirmed.includes(ref))
              problems.push({
                path: `checkout.write_test.values.${p}`,
                message: `a test value for ${ref}, which is not confirmed for the write test`,
                code: "not_confirmed",
              });
            values.set(ref, v);
          }
          // The manual-write rule: a priority a flow commands is the flow's. Refused before anything
          // runs unless an admin forces it; then the flow rewrites its command at its next scan.
          const forced = new Map<string, { flowId: string; label: string }>();
          const owned: ValidationProblem[] = [];
          for (const ref of confirmed) {
            const holder = app.engine.writes.holder(ref, test.priority);
            if (!holder?.flowId) continue;
            const flow = app.engine.get(holder.flowId);
            const node = flow?.flow?.config.nodes.find((n) => n.id === holder.nodeId);
            const label = `node "${node?.label ?? holder.nodeId}" of flow "${flow?.name ?? holder.flowId}"`;
            forced.set(ref, { flowId: holder.flowId, label });
            owned.push({
              path: `checkout.write_test.confirm[${confirmed.indexOf(ref)}]`,
              code: "flow_owned",
              message: `priority ${test.priority} of ${ref} is commanded by ${label}; test at another priority, or an admin sends force: true`,
            });
          }
          if (problems.length > 0) throw new HttpError(422, "invalid body", problems);
          if (owned.length > 0 && !test.force)
            throw new HttpError(
              409,
              "a flow commands a confirmed point at this priority; nothing was run",
              owned,
            );
          writeTest = {
            priority: test.priority,
            confirmed: new Set(confirmed),
            values,
            forced: test.force ? forced : new Map(),
          };
          if (request.auditNote)
            request.auditNote.details = {
              person: body.person,
              write_test: {
                priority: test.priority,
                confirmation: test.confirm === "all" ? "whole run" : "per point",
                points: confirmed,
                values: Object.fromEntries(values),
                ...(test.force ? { forced_over_flows: [...forced.keys()] } : {}),
              },
            };
        }
        if (problems.length > 0) throw new HttpError(422, "invalid body", problems);
        run.checkout = { points, commanded: site.commanded, ...(writeTest ? { writeTest } : {}) };
      }
      if (body.alarms)
        run.alarms = { timeoutMs: body.alarms.timeout_s * 1000, maxDelayS: body.alarms.max_delay_s };
      if (body.baseline)
        run.baseline = {
          windowMs: body.baseline.window_s * 1000,
          pollIntervalMs: body.baseline.poll_interval_s * 1000,
        };
      if (body.devices) run.devices = { samples: body.devices.samples };
      const report = runner.start(run);
      if (request.auditNote) {
        request.auditNote.target = report.id;
        request.auditNote.details = {
          ...request.auditNote.details,
          person: body.person,
          sections: ["checkout", "alarms", "baseline", "devices"].filter((s) => s in body),
        };
      }
      reply.code(202);
      return report;
    },
  });

  route(app, {
    method: "GET",
    url: "/runs/:id",
    summary: "One commissioning report (JSON), or the run's progress while it runs",
    tags: ["commissioning"],
    auth: "viewer",
    params: ReportParams,
    handler({ params }) {
      return found(params.id);
    },
  });

  route(app, {
    method: "POST",
    url: "/runs/:id/cancel",
    summary:
      "Cancel the commissioning run in progress: it stops between lines, its write test's priority is relinquished, and the report is stored as cancelled with the lines done so far",
    tags: ["commissioning"],
    auth: "operator",
    audit: { action: "commissioning.cancel", target: ({ params }) => params.id },
    params: ReportParams,
    async handler({ params }, request) {
      found(params.id);
      const report = await runner.cancel(params.id, request.identity?.name ?? "anonymous");
      if (!report)
        throw new HttpError(409, `commissioning run ${params.id} is not running`, [
          { path: "id", message: "the run has already ended", code: "run_not_running" },
        ]);
      return report;
    },
  });

  route(app, {
    method: "GET",
    url: "/runs/:id/report.json",
    summary:
      "A finished commissioning report as the signed JSON file stored on the supervisor, to keep and verify (bms-supervisor verify-report)",
    tags: ["commissioning"],
    auth: "viewer",
    params: ReportParams,
    handler({ params }, _request, reply) {
      const json = finishedReport(params.id, "json");
      return reply
        .type("application/json; charset=utf-8")
        .header("content-disposition", `attachment; filename="${params.id}.json"`)
        .send(json);
    },
  });

  route(app, {
    method: "GET",
    url: "/signing-key",
    summary:
      "The public half of this supervisor's report signing key (Ed25519) and its SHA-256 fingerprint, which a customer compares with the one on a report",
    tags: ["commissioning"],
    auth: "viewer",
    handler() {
      return {
        algorithm: "Ed25519",
        fingerprint: key.fingerprint,
        public_key: key.publicKeyRaw.toString("base64"),
        public_key_pem: key.publicKey.export({ format: "pem", type: "spki" }).toString(),
      };
    },
  });

  route(app, {
    method: "POST",
    url: "/verify",
    summary:
      "Check an uploaded commissioning report (its JSON) against its signature and this supervisor's signing key: 200 with valid and a code either way",
    tags: ["commissioning"],
    auth: "viewer",
    audit: {
      none: "it reads the uploaded report and this supervisor's public key and changes nothing, like a read",
    },
    documentedBody: z.looseObject({ id: z.string(), signature: z.unknown() }),
    handler(_input, request) {
      const body = request.body;
      if (typeof body !== "object" || body === null || Array.isArray(body))
        throw new HttpError(422, "invalid body", [
          { path: "", message: "send the report's JSON object", code: "not_a_report" },
        ]);
      return { ...verifyReport(body, { publicKey: key.publicKey }), supervisor_fingerprint: key.fingerprint };
    },
  });

  route(app, {
    method: "GET",
    url: "/runs/:id/report.html",
    summary: "A finished commissioning report as HTML (what the PDF prints)",
    tags: ["commissioning"],
    auth: "viewer",
    params: ReportParams,
    handler({ params }, _request, reply) {
      const html = finishedReport(params.id, "html");
      return reply
        .type("text/html; charset=utf-8")
        .header("content-disposition", `inline; filename="${params.id}.html"`)
        .send(html);
    },
  });

  route(app, {
    method: "GET",
    url: "/runs/:id/report.pdf",
    summary:
      "A finished commissioning report as PDF, printed by Chromium on first download (503 without Chromium)",
    tags: ["commissioning"],
    auth: "viewer",
    params: ReportParams,
    async handler({ params }, _request, reply) {
      const html = finishedReport(params.id, "html");
      let pdf = runner.store.read(params.id, "pdf");
      if (!pdf) {
        try {
          pdf = await printPdf(html.toString("utf8"));
        } catch (error) {
          if (error instanceof PdfError)
            return reply
              .status(error.code === "pdf_unavailable" ? 503 : 500)
              .send({ error: error.message, code: error.code });
          throw error;
        }
        runner.store.write(params.id, "pdf", pdf);
      }
      return reply
        .type("application/pdf")
        .header("content-disposition", `attachment; filename="${params.id}.pdf"`)
        .send(pdf);
    },
  });
}
