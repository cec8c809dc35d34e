import { api, type SupervisorHandle, startSupervisor, testFlow } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { type DesignerHandle, startDesigner } from "./support/designer";
import { documentScreenshot } from "./support/screenshots";

// 127.0.67.11-12 and BACnet port 47835 belong to this file (the integration file uses .1-.3).
const HOSTS = ["127.0.67.11", "127.0.67.12"];
const BACNET_PORT = 47835;
const DEAD_POINT = "modbus:127.0.67.250:1/holding_register:40001";

function documentWith(nodes: unknown[]) {
  return {
    flows: [
      {
        configuration: testFlow({
          name: "Chiller plant",
          flowId: "6d1f4b1e-0c55-4c57-9a35-67a000000011",
          intervalMs: 200,
          nodes,
          connections: [],
        }),
        flow_data: { comments: [], groups: [] },
      },
    ],
    library: [],
  };
}

describe("the fleet console in the browser: status grid, groups and a staged rollout", () => {
  const supervisors: SupervisorHandle[] = [];
  const ids: string[] = [];
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let projectId = "";
  const page = () => browser.page;

  beforeAll(async () => {
    for (const [i, host] of HOSTS.entries())
      supervisors.push(
        await startSupervisor({
          bacnetBind: host,
          bacnetPort: BACNET_PORT,
          broadcast: "127.0.67.255",
          publicRead: false,
          token: `fleet-e2e-token-${i}-0123456789`,
          extraArgs: ["--http-host", host, "--allowed-hosts", host],
        }),
      );
    designer = await startDesigner({});
    browser = await openBrowser();
    for (const [i, s] of supervisors.entries()) {
      const saved = await api<{ supervisor: { id: string } }>(designer.url, "/api/supervisors", {
        body: { name: `Plant ${i + 1}`, url: s.url, token: s.token },
      });
      expect(saved.status).toBe(201);
      ids.push(saved.body.supervisor.id);
    }
    const project = await api<{ project: { id: string } }>(designer.url, "/api/projects", {
      body: { name: "Chiller plant" },
    });
    projectId = project.body.project.id;
    const constant = { id: "setpoint", type: "constant", position: { x: 0, y: 0 }, config: { value: 7 } };
    for (const [base, nodes] of [
      [1, [constant]],
      [
        2,
        [
          constant,
          { id: "chw", type: "sensor_read", position: { x: 0, y: 150 }, config: { point: DEAD_POINT } },
        ],
      ],
    ] as const) {
      const saved = await api(designer.url, `/api/projects/${projectId}/versions`, {
        body: { base_version: base, document: documentWith([...nodes]) },
      });
      expect(saved.status).toBe(201);
    }
    const deployed = await api<{ outcomes: { ok: boolean }[] }>(
      designer.url,
      `/api/projects/${projectId}/deploy`,
      {
        body: { supervisor_ids: ids, version: 2 },
      },
    );
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
    await Promise.all(supervisors.map((s) => s.stop()));
  });

  it("shows every supervisor running its project, with counters, and lets an admin group them", async () => {
    await page().goto(`${designer.url}/fleet`);
    const row = (name: string) => page().getByTestId("fleet-row").filter({ hasText: name });
    for (const name of ["Plant 1", "Plant 2"]) {
      await expect
        .poll(() => row(name).getByTestId("fleet-status").textContent(), { timeout: 20_000 })
        .toBe("running");
      expect(await row(name).getByTestId("fleet-running").textContent()).toBe("Chiller plant v2");
      expect(await row(name).getByTestId("fleet-bad").textContent()).toBe("0");
    }
    // The local supervisor the Designer was started without is shown as unreachable, not hidden.
    await expect
      .poll(() => row("Local supervisor").getByTestId("fleet-status").textContent())
      .toBe("unreachable");

    for (const name of ["Plant 1", "Plant 2"]) {
      await row(name).getByTestId("fleet-tags-edit").click();
      await row(name).getByTestId("fleet-tags-input").fill("chiller plants, building B");
      await row(name).getByTestId("fleet-tags-save").click();
      await expect.poll(() => row(name).textContent()).toContain("chiller plants");
    }
    await documentScreenshot(page(), "fleet-console");
  });

  it("a rollout whose canary reads bad is rolled back and stops, and the report says so", async () => {
    // The project rollout's form: an admin also sees the release rollout form, with the same field names.
    const form = page().getByTestId("rollout-form");
    await form.getByLabel("Project").selectOption({ label: "Chiller plant (latest v3)" });
    await form.getByLabel("Group").selectOption("chiller plants");
    await form.getByLabel("Canary").selectOption({ label: "Plant 2" });
    await form.getByLabel("Healthy for (seconds)").fill("3");
    await page().getByTestId("rollout-start").click();
    const report = page().getByTestId("rollout-report");
    await expect
      .poll(() => report.getByTestId("rollout-status").textContent(), { timeout: 30_000 })
      .toBe("rolled back");
    const outcomes = await report.getByTestId("rollout-member").allTextContents();
    expect(outcomes[0]).toMatch(/canary\s*Plant 2\s*rolled back\s*1 → 2\s*new_bad_points/);
    expect(outcomes[1]).toMatch(/Plant 1\s*skipped/);
    expect(await report.getByTestId("rollout-summary").textContent()).toMatch(
      /rolled back: v3 to "chiller plants"/,
    );
    await documentScreenshot(page(), "fleet-rollout-rolled-back");

    // Both supervisors run v2 again: the canary through its own rollback, the other never left it.
    for (const s of supervisors) {
      const health = await api<{ project: { version: number } }>(s.url, "/api/health", { token: s.token });
      expect(health.body.project.version).toBe(2);
    }
    // The Designer's audit holds the start (the operator) and the automatic rollback (the system, for them).
    const audit = await api<{
      records: { action: string; actor: { kind: string }; details?: Record<string, unknown> }[];
    }>(designer.url, "/api/audit?limit=50");
    const actions = audit.body.records.map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(["rollout.start", "rollout.rollback", "rollout.finish", "supervisor.tags"]),
    );
    const rollback = audit.body.records.find((r) => r.action === "rollout.rollback");
    expect(rollback?.actor.kind).toBe("system");
    expect(rollback?.details).toMatchObject({ started_by: "admin", from_config: 2, to_config: 1 });
  });

  it("an admin's release rollout form refuses what is not a signed bundle, and keeps nothing", async () => {
    // A real bundle to a group of installed supervisors: apps/designer/test/integration/fleet-ota.test.ts.
    const form = page().getByTestId("release-rollout-form");
    await form.getByLabel("Bundle (.tar.gz)").setInputFiles({
      name: "bms-supervisor-9.9.9-linux-x64.tar.gz",
      mimeType: "application/gzip",
      buffer: Buffer.from("not an archive"),
    });
    await form.getByLabel("Signature (.sig)").setInputFiles({
      name: "bms-supervisor-9.9.9-linux-x64.tar.gz.sig",
      mimeType: "text/plain",
      buffer: Buffer.from(`${Buffer.alloc(64, 7).toString("base64")}\n`),
    });
    await form.getByRole("button", { name: "Upload" }).click();
    await expect
      .poll(() => form.getByTestId("release-rollout-error").textContent(), { timeout: 10_000 })
      .toMatch(/not a \.tar\.gz archive/);
    expect(await form.getByTestId("release-rollout-start").isDisabled()).toBe(true);
    const bundles = await api<{ bundles: unknown[] }>(designer.url, "/api/release-bundles");
    expect(bundles.body.bundles).toEqual([]);
  });
});
