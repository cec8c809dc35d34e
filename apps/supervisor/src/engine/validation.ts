import { nodeCatalog } from "@bms/nodes";

export type { DeploymentPackage, ValidationProblem } from "@bms/schemas";

/** The node library's view for validation, built once. */
export const nodeCatalogForValidation = nodeCatalog();
