import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../storage/audit-repo";
import {
  CommandPolicy,
  type CommandPolicyConfig,
  type CommandWrite,
  type IncomingCommand,
} from "./sparkplug-commands";

const POINT = "bacnet:1001/analogValue:1.presentValue";

function setup(config: Partial<CommandPolicyConfig> = {}, flowOwned?: string) {
  const audits: AuditEntry[] = [];
  const writes: CommandWrite[][] = [];
  const policy = new CommandPolicy(
    { enabled: true, hostId: "fleet", hostRole: "operator", ...config },
    {
      flowHolder: (point, priority) =>
        flowOwned && point === POINT && priority === 8 ? flowOwned : undefined,
      async write(list) {
        writes.push([...list]);
        return list.map(() => ({ ok: true }));
      },
      audit: (entry) => audits.push(entry),
    },
  );
  return { policy, audits, writes };
}

const dcmd = (over: Partial<IncomingCommand> = {}): IncomingCommand => ({
  scope: "device",
  device: "bacnet:1001",
  hostClaim: "fleet",
  hostOnline: true,
  metrics: [{ name: POINT, value: 21.5, priority: 10 }],
  ...over,
});

describe("Sparkplug command policy", () => {
  it.each([
    ["disabled", { enabled: false }, dcmd(), "commands_disabled"],
    ["no host configured", { hostId: undefined }, dcmd(), "no_host_configured"],
    ["another host", {}, dcmd({ hostClaim: "rogue" }), "wrong_host"],
    ["no host named", {}, dcmd({ hostClaim: undefined }), "wrong_host"],
    ["host offline", {}, dcmd({ hostOnline: false }), "host_offline"],
    ["viewer role", { hostRole: "viewer" as const }, dcmd(), "role"],
    ["priority out of range", {}, dcmd({ metrics: [{ name: POINT, value: 1, priority: 17 }] }), "invalid"],
    ["not a point ref", {}, dcmd({ metrics: [{ name: "alias 99", value: 1 }] }), "invalid"],
    [
      "unknown node command",
      {},
      dcmd({ scope: "node", metrics: [{ name: "Node Control/Reboot", value: true }] }),
      "invalid",
    ],
  ])(
    "refuses a command when %s, writes nothing and audits the refusal",
    async (_name, config, command, code) => {
      const { policy, audits, writes } = setup(config);
      const outcome = await policy.handle(command);
      expect(outcome).toMatchObject({ accepted: false, code });
      expect(writes).toEqual([]);
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ result: "denied", source: "sparkplug", details: { code } });
    },
  );

  it("refuses a write at a priority a flow commands, as an operator's API write is", async () => {
    const { policy, writes } = setup({}, "flow-1");
    const outcome = await policy.handle(dcmd({ metrics: [{ name: POINT, value: 20, priority: 8 }] }));
    expect(outcome).toMatchObject({ accepted: false, code: "flow_owned" });
    expect(writes).toEqual([]);
  });

  it("writes from the configured host at the given priority (default 16) and audits a point write", async () => {
    const { policy, audits, writes } = setup();
    const outcome = await policy.handle(
      dcmd({
        metrics: [
          { name: POINT, value: 21.5, priority: 10 },
          { name: POINT, value: 22 },
        ],
      }),
    );
    expect(outcome).toMatchObject({ accepted: true, rebirth: false });
    expect(writes[0]).toEqual([
      { point: POINT, value: 21.5, priority: 10 },
      { point: POINT, value: 22, priority: 16 },
    ]);
    expect(audits[0]).toMatchObject({
      action: "point.write",
      result: "ok",
      actor: { kind: "system", name: "sparkplug host fleet", role: "operator" },
    });
  });

  it("accepts a rebirth request from the host", async () => {
    const { policy, audits } = setup();
    const outcome = await policy.handle(
      dcmd({ scope: "node", metrics: [{ name: "Node Control/Rebirth", value: true }] }),
    );
    expect(outcome).toMatchObject({ accepted: true, rebirth: true });
    expect(audits[0]).toMatchObject({ action: "sparkplug.rebirth", result: "ok" });
  });

  it("caps refusal audits so a flood cannot fill the audit trail", async () => {
    const { policy, audits } = setup({ enabled: false });
    for (let i = 0; i < 100; i++) await policy.handle(dcmd());
    expect(audits.length).toBe(30);
  });
});
