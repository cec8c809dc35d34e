import { describe, expect, it } from "vitest";
import { buildDeploymentPackage, canonicalJson, validateDeploymentPackage } from "./deployment";
import { testCatalog } from "./test/catalog";

const configuration = {
  metadata: {
    flow_id: "3f1c2b7e-8a4d-4e2f-9b6a-1c2d3e4f5a6b",
    flow_name: "Zone cooling",
    version: "1.2.3",
    generated_at: "2026-11-28T09:00:00.000Z",
  },
  nodes: [
    { id: "temp", type: "sensor_read", config: { point: "bacnet:100:AI1" } },
    { id: "hot", type: "threshold", config: { operator: ">", value: 25.5 } },
  ],
  connections: [{ from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" }],
};

function pkg() {
  return buildDeploymentPackage({
    project_id: "p1",
    project_name: "Demo",
    configuration,
    bacnet_objects: [
      {
        device_id: 100,
        object_type: "analogInput",
        object_instance: 1,
        object_name: "Zone Temp",
        units: "°C",
      },
    ],
    created_at: "2026-11-28T09:00:01.000Z",
  });
}

describe("DeploymentPackage", () => {
  it("accepts a package with a correct checksum", () => {
    const result = validateDeploymentPackage(pkg(), testCatalog);
    expect(result.ok).toBe(true);
  });

  it("survives a JSON round trip: key order does not change the checksum", () => {
    const original = pkg();
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(original).reverse())));
    expect(validateDeploymentPackage(reordered, testCatalog).ok).toBe(true);
  });

  it("rejects a package whose content changed after the checksum", () => {
    const tampered = pkg();
    (tampered.configuration.nodes[1]!.config as { value: number }).value = 99;
    expect(validateDeploymentPackage(tampered, testCatalog)).toEqual({
      ok: false,
      errors: [
        { path: "checksum", message: "checksum does not match the package content (corrupted in transit?)" },
      ],
    });
  });

  it("prefixes flow errors with configuration.", () => {
    const bad = buildDeploymentPackage({
      project_id: "p1",
      project_name: "Demo",
      configuration: { ...configuration, connections: [] },
      created_at: "2026-11-28T09:00:01.000Z",
    });
    const result = validateDeploymentPackage(bad, testCatalog);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.path).toBe("configuration.nodes[1]");
  });

  it("rejects out-of-range bacnet objects", () => {
    const bad = {
      ...pkg(),
      bacnet_objects: [{ device_id: 5000000, object_type: "analogInput", object_instance: 1 }],
    };
    const result = validateDeploymentPackage(bad, testCatalog);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path)).toContain("bacnet_objects[0].device_id");
  });

  it("canonical JSON sorts keys at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});
