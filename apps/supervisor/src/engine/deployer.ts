import { validateDeploymentPackage } from "@bms/schemas";
import type { ConfigsRepo, StoredConfig } from "../storage/configs-repo";
import type { DevicesRepo } from "../storage/devices-repo";
import type { EventsRepo } from "../storage/events-repo";
import { FlowEngine } from "./flow-engine";
import { type DeploymentPackage, nodeCatalogForValidation, type ValidationProblem } from "./validation";

export type DeployResult = { ok: true; stored: StoredConfig } | { ok: false; errors: ValidationProblem[] };

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
    private readonly engine: FlowEngine,
    private readonly execute: boolean,
  ) {}

  validate(
    input: unknown,
  ):
    | { ok: true; pkg: DeploymentPackage; plan: ReturnType<typeof FlowEngine.compile> }
    | { ok: false; errors: ValidationProblem[] } {
    const checked = validateDeploymentPackage(input, nodeCatalogForValidation);
    if (!checked.ok) return checked;
    const plan = FlowEngine.compile(checked.value);
    if (!plan.ok) return plan;
    return { ok: true, pkg: checked.value, plan };
  }

  /** Deploys are serialised: two integrators deploying at once get two versions, in order. */
  deploy(input: unknown): Promise<DeployResult> {
    return this.serialised(async () => {
      const checked = this.validate(input);
      if (!checked.ok) return checked;
      return this.activate(checked.pkg, input, checked.plan, "deploy");
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
      return this.activate(checked.pkg, pkg, checked.plan, "rollback", target);
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
      if (!checked?.ok || !stored || !checked.plan.ok) {
        return {
          ok: false,
          errors:
            checked && !checked.ok
              ? checked.errors
              : [{ path: "(config)", message: "stored config is unreadable" }],
        };
      }
      await this.engine.activate(checked.pkg, stored, checked.plan.plan, this.execute);
      this.events.add("info", "config", `reloaded config v${stored.version}`);
      return { ok: true, stored };
    });
  }

  private previousVersion(activeVersion: number | undefined): number | undefined {
    const history = this.configs.history(1000);
    const activeChecksum = history.find((c) => c.version === activeVersion)?.checksum;
    // The previous *different* config: rolling back twice must not bounce between two copies.
    return history.find((c) => c.version !== activeVersion && c.checksum !== activeChecksum)?.version;
  }

  private async activate(
    pkg: DeploymentPackage,
    raw: unknown,
    plan: ReturnType<typeof FlowEngine.compile>,
    source: "deploy" | "rollback",
    from?: number,
  ): Promise<DeployResult> {
    if (!plan.ok) return plan;
    const stored = this.configs.insertAndActivate(pkg, raw, source);
    if (pkg.bacnet_objects.length > 0) this.devices.mergeObjects(pkg.bacnet_objects);
    await this.engine.activate(pkg, stored, plan.plan, this.execute);
    this.events.add(
      "info",
      "config",
      source === "rollback"
        ? `rolled back to config v${from} as v${stored.version} "${stored.flow_name}"`
        : `deployed config v${stored.version} "${stored.flow_name}" ${stored.flow_version}`,
      { checksum: stored.checksum, deployed_by: stored.deployed_by },
    );
    return { ok: true, stored };
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
