import { z } from "zod";
import {
  DeviceDiscoveryResponseSchema,
  ExecutionStateResponseSchema,
  ExecutionStateSchema,
  FlowStatusResponseSchema,
  LiveDataResponseSchema,
  NodeExecutionEventSchema,
  NodeExecutionStatusSchema,
} from "./api";
import { DeploymentPackageSchema } from "./deployment";
import { FlowConfigurationStructureSchema } from "./flow";
import { SitePackageSchema } from "./site";

const SCHEMAS = {
  "flow-configuration": FlowConfigurationStructureSchema,
  "deployment-package": DeploymentPackageSchema,
  "site-package": SitePackageSchema,
  "live-data-response": LiveDataResponseSchema,
  "flow-status-response": FlowStatusResponseSchema,
  "device-discovery-response": DeviceDiscoveryResponseSchema,
  "execution-state": ExecutionStateSchema,
  "execution-state-response": ExecutionStateResponseSchema,
  "node-execution-status": NodeExecutionStatusSchema,
  "node-execution-event": NodeExecutionEventSchema,
} as const;

/** The documents `pnpm schemas` writes; `io: "input"` describes what a sender may send (defaults optional). */
export function jsonSchemaDocuments(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    out[name] = {
      $id: `https://bms-supervisor.local/schemas/${name}.schema.json`,
      ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }),
    };
  }
  return out;
}
