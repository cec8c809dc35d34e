"use client";

import { Minus, Plus } from "lucide-react";
import type { PortGroupInfo } from "../../lib/node-catalog";
import type { FieldDescriptor } from "../../lib/zod-form";
import { Button } from "../ui/button";

/**
 * "+ input" / remove for a node's numbered ports (the port-group contract in packages/nodes): the count
 * is a config field like any other, so validation, save and deploy need nothing special. Removing the
 * last port also removes its wire, in the same undo step.
 */
export function PortCountControl({
  group,
  field,
  count,
  wiredBeyond,
  onChange,
}: {
  group: PortGroupInfo;
  field: FieldDescriptor | undefined;
  count: number;
  /** Wired ports past the count (a flow saved before counts existed): shown, and counted here. */
  wiredBeyond: number;
  onChange: (count: number) => void;
}) {
  const min = field?.min ?? 0;
  const noun = group.side === "input" ? "input" : "output";
  const label = field?.label ?? group.count;
  return (
    <div className="space-y-1" data-testid={`port-count-${group.count}`}>
      <div className="flex items-center justify-between text-xs font-medium text-slate-700">
        <span>
          {label}: <span data-testid={`port-count-value-${group.count}`}>{count}</span>
          {wiredBeyond > 0 ? (
            <span className="font-normal text-slate-500"> (+{wiredBeyond} wired beyond)</span>
          ) : null}
        </span>
        <span className="flex gap-1">
          <Button
            size="sm"
            variant="outline"
            disabled={count <= min}
            data-testid={`port-count-remove-${group.count}`}
            title={`Remove the last ${noun} (and its wire)`}
            onClick={() => onChange(count - 1)}
          >
            <Minus /> {noun}
          </Button>
          <Button
            size="sm"
            variant="outline"
            disabled={count >= group.max}
            data-testid={`port-count-add-${group.count}`}
            title={`Add an ${noun} (up to ${group.max})`}
            onClick={() => onChange(count + 1)}
          >
            <Plus /> {noun}
          </Button>
        </span>
      </div>
      {field?.description ? <p className="text-[11px] text-slate-500">{field.description}</p> : null}
    </div>
  );
}
