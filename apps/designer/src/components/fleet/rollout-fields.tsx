"use client";

import { useState } from "react";
import { apiCall, problemText } from "../../lib/designer-api";
import type { Rollout } from "../../lib/fleet/rollout-model";
import { Input } from "../ui/input";
import { Label } from "../ui/label";
import { Select } from "../ui/select";

/** How a staged rollout goes over its group, as typed (numbers stay text until sent). */
export interface RolloutFieldValues {
  tag: string;
  /** A supervisor id, or "" for the first by name. */
  canary: string;
  batch: string;
  watch: string;
}

export function useRolloutFields() {
  return useState<RolloutFieldValues>({ tag: "", canary: "", batch: "5", watch: "300" });
}

/**
 * Starting a rollout from a form: `start` posts the request and hands the new rollout on, or keeps the
 * refusal in `error` (each problem as path: message). `busy` and `setError` serve the form's other calls.
 */
export function useRolloutStart(onStarted: (rollout: Rollout) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async (path: string, body: object) => {
    setBusy(true);
    const result = await apiCall<{ rollout: Rollout }>(path, { body });
    setBusy(false);
    if (!result.ok) {
      setError(problemText(result));
      return;
    }
    setError(null);
    onStarted(result.body.rollout);
  };
  return { busy, setBusy, error, setError, start };
}

/** The staging part of a rollout request, the same for a project version and a supervisor release. */
export function rolloutOptions(v: RolloutFieldValues) {
  return {
    tag: v.tag,
    ...(v.canary ? { canary_id: v.canary } : {}),
    batch_size: Number(v.batch),
    watch_seconds: Number(v.watch),
    // About three health polls per watch window, every 1 to 5 s.
    poll_seconds: Math.max(1, Math.min(5, Math.floor(Number(v.watch) / 3) || 1)),
  };
}

/**
 * The group, canary, batch size and watch time of a staged rollout (project and release forms).
 * `idPrefix` keeps each form's field ids (and so their labels) its own.
 */
export function RolloutFields({
  idPrefix,
  groups,
  members,
  values,
  onChange,
}: {
  idPrefix: string;
  groups: { tag: string; members: number }[];
  /** Supervisors by tag (lower case), for the canary choice. */
  members: (tag: string) => { id: string; name: string }[];
  values: RolloutFieldValues;
  onChange: (values: RolloutFieldValues) => void;
}) {
  const set = (patch: Partial<RolloutFieldValues>) => onChange({ ...values, ...patch });
  return (
    <>
      <div className="flex flex-col gap-1">
        <Label htmlFor={`${idPrefix}-group`}>Group</Label>
        <Select
          id={`${idPrefix}-group`}
          value={values.tag}
          // A canary belongs to its group: choosing another group clears it.
          onChange={(e) => set({ tag: e.target.value, canary: "" })}
          required
        >
          <option value="">choose…</option>
          {groups.map((g) => (
            <option key={g.tag} value={g.tag}>
              {g.tag} ({g.members})
            </option>
          ))}
        </Select>
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor={`${idPrefix}-canary`}>Canary</Label>
        <Select
          id={`${idPrefix}-canary`}
          value={values.canary}
          onChange={(e) => set({ canary: e.target.value })}
        >
          <option value="">first by name</option>
          {(values.tag ? members(values.tag) : []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </Select>
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor={`${idPrefix}-batch`}>Batch size</Label>
        <Input
          id={`${idPrefix}-batch`}
          type="number"
          min={1}
          max={100}
          value={values.batch}
          onChange={(e) => set({ batch: e.target.value })}
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor={`${idPrefix}-watch`}>Healthy for (seconds)</Label>
        <Input
          id={`${idPrefix}-watch`}
          type="number"
          min={1}
          value={values.watch}
          onChange={(e) => set({ watch: e.target.value })}
        />
      </div>
    </>
  );
}
