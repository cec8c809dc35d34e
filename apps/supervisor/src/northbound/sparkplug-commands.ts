import { type AuditActor, PointWriteRequestSchema, type Role, roleAllows } from "@bms/schemas";
import type { AuditEntry } from "../storage/audit-repo";

/** Why a command from the broker was refused: codes for tests and the audit trail, never message text. */
export type CommandRefusal =
  | "commands_disabled"
  | "no_host_configured"
  | "wrong_host"
  | "host_offline"
  | "role"
  | "invalid"
  | "flow_owned";

export interface CommandWrite {
  point: string;
  value: number | boolean | string | null;
  priority: number;
}

/** What a command may touch: small interfaces, so the policy is tested without a BACnet network. */
export interface CommandTarget {
  /** The flow commanding this point at this priority, if any (an operator may not write there). */
  flowHolder(point: string, priority: number): string | undefined;
  write(writes: readonly CommandWrite[]): Promise<{ ok: boolean; error?: string }[]>;
  audit(entry: AuditEntry): void;
}

export interface CommandPolicyConfig {
  /** `--sparkplug-commands`: off by default. */
  enabled: boolean;
  /** The only primary host application whose commands count (`--sparkplug-host-id`). */
  hostId: string | undefined;
  /** The role a command from that host acts with; writes need operator, as an API write does. */
  hostRole: Role;
}

/** What the edge node knows about one incoming command. */
export interface IncomingCommand {
  scope: "node" | "device";
  device?: string;
  /** The MQTT 5 user property `sparkplug_host_id` the sender put on the message. */
  hostClaim: string | undefined;
  /** Whether that host's last STATE said online. */
  hostOnline: boolean;
  /** Metrics resolved to names (point refs for DCMD, node metric names for NCMD). */
  metrics: { name: string; value: number | boolean | string | null; priority?: number }[];
}

export type CommandOutcome =
  | { accepted: true; rebirth: boolean; results: { point: string; ok: boolean; error?: string }[] }
  | { accepted: false; code: CommandRefusal; reason: string };

const REFUSAL_AUDITS_PER_MINUTE = 30;

/**
 * NCMD/DCMD are plant commands arriving over the broker, so they pass the same gates as an API write:
 * enabled explicitly, from the one configured primary host (its STATE online and the message naming
 * it; the broker's ACL is what stops another client from naming it, see docs/architecture.md), the
 * operator role, the flow-ownership rule, and an audit record either way. Refusals are audited up to
 * a rate, so a misbehaving client cannot flood the audit trail.
 */
export class CommandPolicy {
  private refusalWindow = { start: 0, count: 0 };

  constructor(
    private readonly config: CommandPolicyConfig,
    private readonly target: CommandTarget,
  ) {}

  private actor(): AuditActor {
    return {
      kind: "system",
      name: `sparkplug host ${this.config.hostId ?? "(none)"}`,
      role: this.config.hostRole,
    };
  }

  private refuse(command: IncomingCommand, code: CommandRefusal, reason: string): CommandOutcome {
    const now = Date.now();
    if (now - this.refusalWindow.start > 60_000) this.refusalWindow = { start: now, count: 0 };
    if (this.refusalWindow.count++ < REFUSAL_AUDITS_PER_MINUTE) {
      this.target.audit({
        actor: { ...this.actor(), name: `sparkplug host ${command.hostClaim ?? "(unnamed)"}` },
        source: "sparkplug",
        action: command.scope === "node" ? "sparkplug.ncmd" : "sparkplug.dcmd",
        target: command.device ?? null,
        result: "denied",
        reason,
        details: { code, metrics: command.metrics.slice(0, 20).map((m) => m.name) },
      });
    }
    return { accepted: false, code, reason };
  }

  async handle(command: IncomingCommand): Promise<CommandOutcome> {
    const { enabled, hostId, hostRole } = this.config;
    if (!enabled)
      return this.refuse(
        command,
        "commands_disabled",
        "commands from the broker are off (--sparkplug-commands)",
      );
    if (!hostId)
      return this.refuse(
        command,
        "no_host_configured",
        "no primary host is configured (--sparkplug-host-id)",
      );
    if (command.hostClaim !== hostId)
      return this.refuse(
        command,
        "wrong_host",
        `the command does not come from the configured host ${hostId}`,
      );
    if (!command.hostOnline)
      return this.refuse(command, "host_offline", `host ${hostId} is not online (no STATE online)`);

    if (command.scope === "node") {
      const rebirth = command.metrics.some((m) => m.name === "Node Control/Rebirth" && m.value === true);
      const unknown = command.metrics.filter((m) => m.name !== "Node Control/Rebirth");
      if (unknown.length > 0 || !rebirth)
        return this.refuse(
          command,
          "invalid",
          `unsupported node command: ${command.metrics.map((m) => m.name).join(", ")}`,
        );
      this.target.audit({
        actor: this.actor(),
        source: "sparkplug",
        action: "sparkplug.rebirth",
        target: null,
        result: "ok",
      });
      return { accepted: true, rebirth: true, results: [] };
    }

    if (!roleAllows(hostRole, "operator"))
      return this.refuse(command, "role", `the ${hostRole} role may not write points (needs operator)`);
    const parsed = PointWriteRequestSchema.safeParse({
      writes: command.metrics.map((m) => ({ point: m.name, value: m.value, priority: m.priority ?? 16 })),
    });
    if (!parsed.success)
      return this.refuse(
        command,
        "invalid",
        parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      );
    const writes = parsed.data.writes;
    const owned = writes.flatMap((w) => {
      const flow = this.target.flowHolder(w.point, w.priority);
      return flow ? [`priority ${w.priority} of ${w.point} is commanded by flow ${flow}`] : [];
    });
    if (owned.length > 0) return this.refuse(command, "flow_owned", owned.join("; "));
    const outcomes = await this.target.write(writes);
    const results = writes.map((w, i) => ({
      point: w.point,
      ...(outcomes[i] ?? { ok: false, error: "no result" }),
    }));
    const failed = results.filter((r) => !r.ok);
    this.target.audit({
      actor: this.actor(),
      source: "sparkplug",
      action: "point.write",
      target: writes.length === 1 ? writes[0]!.point : `${writes.length} points`,
      result: failed.length > 0 ? "failed" : "ok",
      ...(failed.length > 0
        ? { reason: failed.map((f) => `${f.point}: ${f.error ?? "failed"}`).join("; ") }
        : {}),
      details: { device: command.device, writes },
    });
    return { accepted: true, rebirth: false, results };
  }
}
