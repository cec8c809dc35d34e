import type { ConfigsRepo } from "../storage/configs-repo";
import type { EventsRepo } from "../storage/events-repo";
import type { Deployer } from "./deployer";

/** What the first-start deploy did, for the log line and the tests. */
export type FirstStartOutcome =
  | { action: "kept"; reason: "deployed_before" }
  | { action: "deployed"; version: number; project: string }
  | { action: "failed"; message: string };

/** An audit writer: the deploy is recorded as the supervisor's own (a system actor), never silently. */
export type FirstStartAudit = (result: "ok" | "failed", target: string, reason?: string) => void;

/**
 * The quick start must run something: on the very first start (runtime.db has never held a config, not
 * even one later stopped or rolled back) deploy the given site, so flows run at once. Any later start keeps
 * whatever is there, so a user's deploy is never replaced.
 */
export async function deployOnFirstStart(
  configs: ConfigsRepo,
  deployer: Deployer,
  events: EventsRepo,
  audit: FirstStartAudit,
  sitePackage: () => { project: { id: string; name: string } },
): Promise<FirstStartOutcome> {
  if (configs.history(1).length > 0) return { action: "kept", reason: "deployed_before" };
  const pkg = sitePackage();
  const result = await deployer.deploy(pkg);
  if (!result.ok) {
    const message = result.errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    events.add("error", "config", `first-start deploy of "${pkg.project.name}" refused: ${message}`);
    audit("failed", pkg.project.id, message);
    return { action: "failed", message };
  }
  events.add(
    "info",
    "config",
    `first start: deployed "${pkg.project.name}" as config v${result.stored.version}`,
  );
  audit("ok", pkg.project.id);
  return { action: "deployed", version: result.stored.version, project: pkg.project.id };
}
