import { randomUUID } from "node:crypto";
import { api, SKELETON_ZONE as ZONE, zoneToSetpointFlow } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Reserved for the limits helper: 127.0.93.0/24. This file: simulator .1:47870, supervisor .2:47871.
const SIM_BIND = "127.0.93.1";
const SIM_PORT = 47870;
const SUP_BIND = "127.0.93.2";
const SUP_PORT = 47871;

const FLOW = randomUUID();

/** zone temperature → round(a) (node "Calc") → the setpoint at priority 12; no test cases yet. */
function projectFile() {
  const now = new Date().toISOString();
  const configuration = zoneToSetpointFlow({ flowId: FLOW, name: "Rounding", intervalMs: 1000 });
  return {
    format: "bms-designer-project",
    format_version: 2,
    exported_at: now,
    project: { name: "Test case form", flow_id: FLOW },
    versions: [
      {
        version: 1,
        summary: "no test cases",
        created_by: "e2e",
        created_at: now,
        document: {
          flows: [{ configuration, flow_data: { comments: [], groups: [] } }],
          library: [],
          tests: [],
        },
      },
    ],
    templates: [],
  };
}

/**
 * Issue 16's test cases without JSON: a case is made in the form generated from the test-case schema,
 * its input and expectation picked from the flow by the names the canvas shows; a bad value stays in
 * its box with its message and nothing else is lost; the case runs in the browser and shows PASS or FAIL.
 */
describe("Designer: a flow test case made in the form, run, and read on screen", () => {
  let stack: DesignerStack;
  const page = () => stack.browser.page;
  /** The text box of a generated field, inside the element with `scope` as its test id. */
  const field = (scope: string, key: string) => page().getByTestId(scope).getByTestId(`field-${key}`);

  beforeAll(async () => {
    stack = await startDesignerStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBind: SUP_BIND,
      supervisorPort: SUP_PORT,
    });
    const imported = await api<{ project: { id: string } }>(stack.designer.url, "/api/projects/import", {
      body: projectFile(),
    });
    if (imported.status !== 201) throw new Error(`import failed: ${JSON.stringify(imported.body)}`);
    await page().goto(`${stack.designer.url}/projects/${imported.body.project.id}`);
    await page().getByTestId("flow-canvas").waitFor();
    await page().getByTestId("tab-tests").click();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("creates a case through the form only, picking what it sets and checks by canvas name", async () => {
    await page().getByTestId("tests-new").click();
    await page().getByTestId("test-form").waitFor();
    await field("test-field-name", "name").fill("Rounds 21.4 down");
    await field("test-field-duration_s", "duration_s").fill("120");

    // The input: the zone point, as the canvas names its reader.
    await page().getByTestId("test-add-inputs").click();
    const inputTarget = page().getByTestId("test-inputs-0").getByTestId("test-inputs-target");
    const inputLabels = await inputTarget.locator("option").allTextContents();
    expect(inputLabels).toContain(`Zone: ${ZONE}`);
    await inputTarget.selectOption({ label: `Zone: ${ZONE}` });
    await field("test-inputs-0-value", "value").fill("21.4");

    // The expectation: Calc's Result at the end of the run.
    const expectTarget = page().getByTestId("test-expect-0").getByTestId("test-expect-target");
    expect(await expectTarget.locator("option").allTextContents()).toEqual(
      expect.arrayContaining([
        "Zone → Value",
        "Calc → Result",
        "Setpoint writes bacnet:1001/analogValue:1 @ 12",
      ]),
    );
    await expectTarget.selectOption({ label: "Calc → Result" });
    await field("test-expect-0-mode", "mode").selectOption("at_end");
    await field("test-expect-0-op", "op").selectOption("eq");
    await field("test-expect-0-value", "value").fill("21");
    await documentScreenshot(page(), "test-case-form");
  });

  it("shows a bad value at its field, refuses to save, and loses nothing typed", async () => {
    const tolerance = field("test-expect-0-tolerance", "tolerance");
    await tolerance.fill("abc");
    const error = page().getByTestId("test-expect-0-tolerance").getByTestId("field-error-tolerance");
    expect(await error.textContent()).toBe('"abc" is not a number');
    await page().getByTestId("test-case-save").click();
    expect(await page().getByTestId("test-case-errors").textContent()).toContain(
      "fix the ones marked in red",
    );
    expect(await page().getByTestId("test-case-test-1").count()).toBe(0);
    // Everything typed is still there, the bad value included.
    expect(await tolerance.inputValue()).toBe("abc");
    expect(await field("test-field-name", "name").inputValue()).toBe("Rounds 21.4 down");
    expect(await field("test-inputs-0-value", "value").inputValue()).toBe("21.4");
    await tolerance.fill("0.5");
    expect(await error.count()).toBe(0);

    // A problem only the whole case shows (between needs a max): at the max field, the row named as on the canvas.
    await field("test-expect-0-op", "op").selectOption("between");
    await page().getByTestId("test-case-save").click();
    const atMax = page().getByTestId("test-expect-0-max").getByTestId("test-issue");
    expect(await atMax.getAttribute("data-path")).toBe("expect.0.max");
    expect(await atMax.textContent()).toBe(
      "Expectation 1 (Calc → Result): max: between needs a number value and a max ≥ value",
    );
    expect(await page().getByTestId("test-case-test-1").count()).toBe(0);
    await field("test-expect-0-op", "op").selectOption("eq");
    await page().getByTestId("test-case-save").click();
    await page().getByTestId("test-case-test-1").waitFor();
    expect(await page().getByTestId("test-case-edit").count()).toBe(0);
  });

  it("runs the case and shows PASS; a case expecting what the flow never does shows FAIL with its diff", async () => {
    await page().getByTestId("test-run-test-1").click();
    const verdict = page().getByTestId("test-result-test-1");
    await expect.poll(() => verdict.getAttribute("data-passed"), { timeout: 15_000 }).toBe("true");
    expect(await verdict.textContent()).toBe("PASS");

    await page().getByTestId("tests-new").click();
    await field("test-field-name", "name").fill("Expects 30");
    await field("test-field-duration_s", "duration_s").fill("60");
    await page().getByTestId("test-add-inputs").click();
    await field("test-inputs-0-value", "value").fill("21.4");
    await page()
      .getByTestId("test-expect-0")
      .getByTestId("test-expect-target")
      .selectOption({ label: "Calc → Result" });
    await field("test-expect-0-value", "value").fill("30");
    await page().getByTestId("test-case-save").click();
    await page().getByTestId("test-run-test-2").click();
    const failed = page().getByTestId("test-result-test-2");
    await expect.poll(() => failed.getAttribute("data-passed"), { timeout: 15_000 }).toBe("false");
    expect(await failed.textContent()).toBe("FAIL");
    expect(await page().getByTestId("test-expectation-test-2-0").textContent()).toContain("actual:");
  });

  it("keeps JSON for power users: the same case as JSON, edited there and back in the form", async () => {
    await page().getByTestId("test-edit-test-1").click();
    await page().getByTestId("test-case-json-toggle").click();
    const json = page().getByTestId("test-case-editor");
    const text = await json.inputValue();
    expect(JSON.parse(text)).toMatchObject({
      id: "test-1",
      name: "Rounds 21.4 down",
      flow_id: FLOW,
      duration_s: 120,
      inputs: [{ at_s: 0, point: `${ZONE}.presentValue`, value: 21.4 }],
      expect: [
        { output: { node: "calc", port: "result" }, mode: "at_end", op: "eq", value: 21, tolerance: 0.5 },
      ],
    });
    await json.fill(text.replace('"name": "Rounds 21.4 down"', '"name": "Rounds down (JSON)"'));
    await page().getByTestId("test-case-json-toggle").click();
    expect(await field("test-field-name", "name").inputValue()).toBe("Rounds down (JSON)");
    await page().getByTestId("test-case-save").click();
    expect(await page().getByTestId("test-case-test-1").textContent()).toContain("Rounds down (JSON)");
  });

  it("keeps a bad value's mark on its own row when a row above it is removed", async () => {
    const save = page().getByTestId("test-case-save");
    const add = page().getByTestId("test-add-inputs");
    /** A new case with rows [A, B], B's time bad, then A removed: B is row 0 and still holds its text. */
    const twoRowsRemoveFirst = async (name: string) => {
      await page().getByTestId("tests-new").click();
      await field("test-field-name", "name").fill(name);
      await field("test-field-duration_s", "duration_s").fill("60");
      await page()
        .getByTestId("test-expect-0")
        .getByTestId("test-expect-target")
        .selectOption({ label: "Calc → Result" });
      await field("test-expect-0-value", "value").fill("21");
      await add.click();
      await add.click();
      await field("test-inputs-0-at_s", "at_s").fill("0");
      await field("test-inputs-1-at_s", "at_s").fill("abc");
      await page().getByTestId("test-remove-inputs-0").click();
      expect(await field("test-inputs-0-at_s", "at_s").inputValue()).toBe("abc");
    };

    // (a) Fixing B is enough to save: no mark left behind at B's old place.
    await twoRowsRemoveFirst("Fixed after remove");
    await field("test-inputs-0-at_s", "at_s").fill("5");
    await save.click();
    await page().getByTestId("test-case-test-3").waitFor();
    await page().getByTestId("test-edit-test-3").click();
    await page().getByTestId("test-case-json-toggle").click();
    const saved = JSON.parse(await page().getByTestId("test-case-editor").inputValue());
    expect(saved.inputs.map((s: { at_s: number }) => s.at_s)).toEqual([5]);
    await page().getByRole("button", { name: "Cancel" }).click();

    // (b) A valid new row in B's old place does not clear B's mark: Save is refused, B's text kept.
    await twoRowsRemoveFirst("Bad row kept");
    await add.click();
    await field("test-inputs-1-at_s", "at_s").fill("10");
    await save.click();
    expect(await page().getByTestId("test-case-errors").textContent()).toContain(
      "fix the ones marked in red",
    );
    expect(await page().getByTestId("test-case-test-4").count()).toBe(0);
    expect(await field("test-inputs-0-at_s", "at_s").inputValue()).toBe("abc");
    expect(await page().getByTestId("test-inputs-0-at_s").getByTestId("field-error-at_s").textContent()).toBe(
      '"abc" is not a number',
    );
    await page().getByRole("button", { name: "Cancel" }).click();
  });
});
