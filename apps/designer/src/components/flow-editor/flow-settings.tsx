"use client";

import { TriggerSchema } from "@bms/schemas";
import { useState } from "react";
import { useEditorStore } from "../../store/editor-store-provider";
import { Input } from "../ui/input";
import { Select } from "../ui/select";

/** With nothing selected the inspector edits the flow itself: trigger and error policy. */
export function FlowSettings() {
  const execution = useEditorStore((s) => s.execution);
  const setExecution = useEditorStore((s) => s.setExecution);
  const trigger = execution.trigger;
  const [intervalText, setIntervalText] = useState(
    trigger.type === "interval" ? String(trigger.interval_ms) : "1000",
  );
  const [cronText, setCronText] = useState(trigger.type === "cron" ? trigger.expression : "*/5 * * * *");
  const [error, setError] = useState<string | null>(null);

  const applyTrigger = (candidate: unknown) => {
    const parsed = TriggerSchema.safeParse(candidate);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "invalid trigger");
      return;
    }
    setError(null);
    setExecution({ ...execution, trigger: parsed.data });
  };

  return (
    <div className="space-y-3 p-3" data-testid="flow-settings">
      <div className="text-sm font-semibold">Flow settings</div>
      <p className="text-[11px] text-slate-500">Select a node to edit its properties.</p>
      <div className="space-y-1">
        <label className="text-xs font-medium text-slate-700" htmlFor="trigger-type">
          Trigger
        </label>
        <Select
          id="trigger-type"
          data-testid="trigger-type"
          value={trigger.type}
          onChange={(e) => {
            const type = e.target.value;
            if (type === "interval") applyTrigger({ type, interval_ms: Number(intervalText) || 1000 });
            else if (type === "cron") applyTrigger({ type, expression: cronText, timezone: "UTC" });
            else applyTrigger({ type: "on_change" });
          }}
        >
          <option value="interval">Interval (scan period)</option>
          <option value="cron">Cron schedule</option>
          <option value="on_change">On change (COV)</option>
        </Select>
      </div>
      {trigger.type === "interval" ? (
        <div className="space-y-1">
          <label className="text-xs font-medium text-slate-700" htmlFor="interval-ms">
            Scan period
          </label>
          <div className="flex items-center gap-1">
            <Input
              id="interval-ms"
              data-testid="trigger-interval"
              value={intervalText}
              aria-invalid={error ? true : undefined}
              onChange={(e) => {
                setIntervalText(e.target.value);
                applyTrigger({ type: "interval", interval_ms: Number(e.target.value) });
              }}
            />
            <span className="text-xs text-slate-500">ms</span>
          </div>
        </div>
      ) : null}
      {trigger.type === "cron" ? (
        <div className="space-y-1">
          <label className="text-xs font-medium text-slate-700" htmlFor="cron-expr">
            Cron expression ({trigger.timezone})
          </label>
          <Input
            id="cron-expr"
            value={cronText}
            onChange={(e) => {
              setCronText(e.target.value);
              applyTrigger({ type: "cron", expression: e.target.value, timezone: trigger.timezone });
            }}
          />
        </div>
      ) : null}
      {error ? (
        <p className="text-[11px] text-red-700" data-testid="trigger-error">
          {error}
        </p>
      ) : null}
      <div className="space-y-1">
        <label className="text-xs font-medium text-slate-700" htmlFor="on-failure">
          On node failure
        </label>
        <Select
          id="on-failure"
          value={execution.error_handling.on_failure}
          onChange={(e) => {
            const v = e.target.value;
            if (v === "stop" || v === "continue" || v === "alert") {
              setExecution({ ...execution, error_handling: { ...execution.error_handling, on_failure: v } });
            }
          }}
        >
          <option value="continue">continue</option>
          <option value="stop">stop</option>
          <option value="alert">alert</option>
        </Select>
      </div>
    </div>
  );
}
