import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { z } from "zod";
import { DateTimeSchema, type Validated, zodProblems } from "./common";
import {
  checkFlowSemantics,
  type FlowConfiguration,
  FlowConfigurationStructureSchema,
  type NodeCatalog,
} from "./flow";
import { BacnetDeviceInstanceSchema, BacnetObjectInstanceSchema, BacnetObjectTypeSchema } from "./point-ref";

/** A discovered object the supervisor seeds its `bacnet_objects` table with. */
export const BacnetObjectSchema = z.object({
  device_id: BacnetDeviceInstanceSchema,
  object_type: BacnetObjectTypeSchema,
  object_instance: BacnetObjectInstanceSchema,
  object_name: z.string().max(255),
  description: z.string().max(1024).optional(),
  units: z.string().max(64).optional(),
  /** State_Text of a multi-state object, Active_Text/Inactive_Text of a binary one: how values read. */
  state_text: z.array(z.string().max(64)).max(64).optional(),
  active_text: z.string().max(64).optional(),
  inactive_text: z.string().max(64).optional(),
});
export type BacnetObject = z.infer<typeof BacnetObjectSchema>;

export const DEPLOYMENT_FORMAT_VERSION = 1 as const;

/** The fields every deployment package carries around its flows: objects, provenance and the checksum. */
export const PACKAGE_ENVELOPE = {
  bacnet_objects: z.array(BacnetObjectSchema).max(100_000).default([]),
  created_at: DateTimeSchema,
  deployed_by: z.string().max(100).optional(),
  checksum: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be a lowercase hex sha256")
    .describe("sha256 of the canonical JSON of every other field (keys sorted, no whitespace)"),
};
export const DeploymentPackageSchema = z.object({
  format_version: z.literal(DEPLOYMENT_FORMAT_VERSION).default(DEPLOYMENT_FORMAT_VERSION),
  project_id: z.string().min(1).max(64),
  project_name: z.string().min(1).max(200),
  project_version: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "The Designer's saved project version this package was built from (absent from older Designers)",
    ),
  configuration: FlowConfigurationStructureSchema,
  ...PACKAGE_ENVELOPE,
});
export type DeploymentPackage = z.infer<typeof DeploymentPackageSchema>;
export type DeploymentPackageInput = z.input<typeof DeploymentPackageSchema>;

/** JSON with object keys sorted at every depth: the same document always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** Checksum over the package as sent, minus the checksum field itself. */
export function deploymentChecksum(
  pkg: Omit<DeploymentPackageInput, "checksum"> & { checksum?: string },
): string {
  const { checksum: _ignored, ...body } = pkg;
  return sha256Hex(canonicalJson(body));
}

export function buildDeploymentPackage(
  body: Omit<DeploymentPackageInput, "checksum" | "format_version">,
): DeploymentPackageInput {
  const withVersion = {
    format_version: DEPLOYMENT_FORMAT_VERSION as typeof DEPLOYMENT_FORMAT_VERSION,
    ...body,
  };
  return { ...withVersion, checksum: deploymentChecksum(withVersion) };
}

/**
 * Validates a deployment package end to end: structure, checksum (over the raw input, before any
 * defaults are applied, so the sender's bytes are what is checked), and flow semantics.
 */
export function validateDeploymentPackage(
  input: unknown,
  catalog: NodeCatalog,
): Validated<DeploymentPackage> {
  const parsed = DeploymentPackageSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodProblems(parsed.error) };
  const raw = input as DeploymentPackageInput;
  const expected = deploymentChecksum(raw);
  if (expected !== parsed.data.checksum) {
    return {
      ok: false,
      errors: [
        { path: "checksum", message: "checksum does not match the package content (corrupted in transit?)" },
      ],
    };
  }
  const problems = checkFlowSemantics(parsed.data.configuration as FlowConfiguration, catalog).map((p) => ({
    ...p,
    path: `configuration.${p.path}`,
  }));
  if (problems.length > 0) return { ok: false, errors: problems };
  return { ok: true, value: parsed.data };
}
