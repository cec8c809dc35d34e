import type { FlowPlan } from "@bms/nodes";
import { type Site, validateSitePackage } from "@bms/schemas";
import type { ConfigsRepo, StoredConfig } from "../storage/configs-repo";
import type { DevicesRepo } from "../storage/devices-repo";
import type { EventsRepo } from "../storage/events-repo";
import { type FlowChange, SiteEngine } from "./site-engine";
import { nodeCatalogForValidation, type ValidationProblem } from "./validation";

export type DeployResult =
  | {
      ok: true;
      stored: StoredConfig;
      changes: FlowChange[];
      /** The other project a `replace` deploy took the supervisor over from (for the audit trail). */
      replaced?: { project_id: string; project_name: string };
    }
  | { ok: false; errors: ValidationProblem[]; code?: "project_conflict" };

/** `replace`: the package may take over a supervisor that runs another project's site. */
export type DeployMode = "update" | "replace";

/**
 * A supervisor runs one project's site. Deploying another project over it would silently relinquish
 * every point the first one commands, so it needs an explicit `replace`. Pure: tests share it.
 */
export function ownershipProblem(
  active: { project_id: string; project_name: string } | undefined,
  incoming: { id: string; name: string },
  mode: DeployMode,
): ValidationProblem | undefined {
  if (!active || active.project_id === incoming.id || mode === "replace") return undefined;
  return {
    path: "project.id",
    code: "project_conflict",
    message:
      `this supervisor runs project "${active.project_name}" (${active.project_id}); deploying ` +
      `"${incoming.name}" (${incoming.id}) would stop its flows and relinquish their points. ` +
      'Deploy with mode "replace" to do that on purpose, or merge both projects into one site.',
  };
}

/**
 * Deploy, validate, rollback and reload: validation first (nothing is stored on a problem and the
 * running flow is untouched), then one transaction that stores and activates, then the engine swap.
 */
export class Deployer {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly configs: ConfigsRepo,
    private readonly devices: DevicesRepo,
    private readonly events: EventsRepo,
    private readonly engine: SiteEngine,
    private readonly execute: boolean,
  ) {}

  validate(
    input: unknown,
  ): { ok: true; site: Site; plans: FlowPlan[] } | { ok: false; errors: ValidationProblem[] } {
    const checked = validateSitePackage(input, nodeCatalogForValidation);
    if (!checked.ok) return checked;
    const compiled = SiteEngine.compile(checked.value);
    if (!compiled.ok) return compiled;
    return { ok: true, site: checked.value, plans: compiled.plans };
  }

  /** Deploys are serialised: two integrators deploying at once get two versions, in order. */
  deploy(input: unknown, mode: DeployMode = "update"): Promise<DeployResult> {
    return this.serialised(async () => {
      const checked = this.validate(input);
      if (!checked.ok) return checked;
      const active = this.configs.active();
      const previous = active ? this.configs.get(active.version) : undefined;
      const problem = ownershipProblem(previous, checked.site.project, mode);
      if (problem) return { ok: false, errors: [problem], code: "project_conflict" };
      const result = await this.activate(checked.site, input, checked.plans, "deploy");
      if (!result.ok || !previous || previous.project_id === checked.site.project.id) return result;
      return {
        ...result,
        replaced: { project_id: previous.project_id, project_name: previous.project_name },
      };
    });
  }

  rollback(version?: number): Promise<DeployResult> {
    return this.serialised(async () => {
      const active = this.configs.active();
      const target = version ?? this.previousVersion(active?.version);
      if (target === undefined) {
        return {
          ok: false,
          errors: [{ path: "version", message: "there is no earlier version to roll back to" }],
        };
      }
      const pkg = this.configs.package(target);
      if (!pkg)
        return {
          ok: false,
          errors: [{ path: "version", message: `config version ${target} does not exist` }],
        };
      const checked = this.validate(pkg);
      if (!checked.ok) return checked;
      return this.activate(checked.site, pkg, checked.plans, "rollback", target);
    });
  }

  /** Re-reads the active config from runtime.db and restarts it. */
  reload(): Promise<DeployResult> {
    return this.serialised(async () => {
      const active = this.configs.active();
      if (!active)
        return { ok: false, errors: [{ path: "(config)", message: "no config has been deployed" }] };
      const pkg = this.configs.package(active.version);
      const stored = this.configs.get(active.version);
      const checked = pkg ? this.validate(pkg) : undefined;
      if (!checked?.ok || !stored) {
        return {
          ok: false,
          errors:
            checked && !checked.ok
              ? checked.errors
              : [{ path: "(config)", message: "stored config is unreadable" }],
        };
      }
      // A reload restarts every flow (node state carried over, as on any restart).
      const changes = await this.engine.activate(
        checked.site,
        stored,
        checked.plans,
        this.execute,
        true,
        "all",
      );
      this.events.add("info", "config", `reloaded config v${stored.version}`);
      return { ok: true, stored, changes };
    });
  }

  private previousVersion(activeVersion: number | undefined): number | undefined {
    const history = this.configs.history(1000);
    const activeChecksum = history.find((c) => c.version === activeVersion)?.checksum;
    // The previous *different* config: rolling back twice must not bounce between two copies.
    return history.find((c) => c.version !== activeVersion && c.checksum !== activeChecksum)?.version;
  }

  private async activate(
    site: Site,
    raw: unknown,
    plans: FlowPlan[],
    source: "deploy" | "rollback",
    from?: number,
  ): Promise<DeployResult> {
    const stored = this.configs.insertAndActivate(site, raw, source);
    if (site.bacnet_objects.length > 0) this.devices.mergeObjects(site.bacnet_objects);
    const changes = await this.engine.activate(site, stored, plans, this.execute);
    this.events.add(
      "info",
      "config",
      source === "rollback"
        ? `rolled back to config v${from} as v${stored.version} "${stored.flow_name}"`
        : `deployed config v${stored.version} "${stored.flow_name}" ${stored.flow_version}`,
      { checksum: stored.checksum, deployed_by: stored.deployed_by, flows: changes },
    );
    return { ok: true, stored, changes };
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
