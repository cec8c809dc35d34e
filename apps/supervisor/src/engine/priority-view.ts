import type { FlowPlan } from "@bms/nodes";
import type { PriorityArrayResponse } from "@bms/schemas";
import type { CommandPicture } from "../protocols/bacnet/command-picture";
import type { StoredCommand } from "../storage/commands-repo";

type Holder = NonNullable<PriorityArrayResponse["slots"][number]["holder"]>;

/**
 * Names who holds a slot: the flow and node that commanded it, as the running flow labels them. A
 * command from a flow that is no longer the active one keeps its ids, without names.
 */
function holderOf(command: StoredCommand, plans: readonly FlowPlan[]): Holder {
  const active = plans.find((p) => command.flowId === p.flow.metadata.flow_id);
  const config = active?.flow.nodes.find((n) => n.id === command.nodeId);
  const compiled = active && command.nodeId ? active.byId.get(command.nodeId) : undefined;
  return {
    flow_id: command.flowId,
    flow_name: active?.flow.metadata.flow_name ?? null,
    node_id: command.nodeId,
    node_label: config?.label ?? compiled?.definition.label ?? null,
    commanded_value: command.value,
  };
}

/**
 * A point's command picture for people: the device's 16 slots, each marked as held by one of this
 * supervisor's flows (from the write manager's command store) or by another writer, plus the relinquish
 * default, the winner and how values read. Pure, so the classification is tested without a device.
 */
export function priorityView(
  point: string,
  picture: CommandPicture,
  commands: readonly StoredCommand[],
  /** The running flows' plans (one plan, or none, also reads). */
  plan: FlowPlan | readonly FlowPlan[] | undefined,
): PriorityArrayResponse {
  const held = new Map(commands.map((c) => [c.priority, c]));
  const slots = picture.slots.map((value, i) => {
    const command = held.get(i + 1);
    const holder = command
      ? holderOf(command, plan === undefined ? [] : Array.isArray(plan) ? plan : [plan as FlowPlan])
      : undefined;
    return {
      priority: i + 1,
      value,
      source: holder ? ("flow" as const) : value === null ? null : ("other" as const),
      ...(holder ? { holder } : {}),
    };
  });
  const { labels } = picture;
  return {
    point,
    quality: picture.quality,
    ...(picture.reason ? { reason: picture.reason } : {}),
    present_value: picture.presentValue,
    relinquish_default: picture.relinquishDefault,
    winning_priority: picture.winningPriority,
    slots,
    ...(labels.units ? { units: labels.units } : {}),
    ...(labels.state_text ? { state_text: [...labels.state_text] } : {}),
    ...(labels.active_text !== undefined ? { active_text: labels.active_text } : {}),
    ...(labels.inactive_text !== undefined ? { inactive_text: labels.inactive_text } : {}),
    timestamp: new Date(picture.timestamp).toISOString(),
  };
}
