"use client";

import { type FormEvent, type ReactNode, useState } from "react";
import { apiCall, problemText } from "../../lib/designer-api";
import type { Rollout } from "../../lib/fleet/rollout-model";
import { Button } from "../ui/button";
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

/**
 * A rollout form's state: the staging fields, and `start`, which posts the form's own part of the request
 * with the staging options and hands the new rollout on, or keeps the refusal in `error` (each problem as
 * path: message). `busy` and `setError` serve the form's other calls.
 */
export function useRolloutForm(onStarted: (rollout: Rollout) => void) {
  const [fields, setFields] = useState<RolloutFieldValues>({ tag: "", canary: "", batch: "5", watch: "300" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async (path: string, body: object) => {
    setBusy(true);
    const result = await apiCall<{ rollout: Rollout }>(path, {
      body: { ...body, ...rolloutOptions(fields) },
    });
    setBusy(false);
    if (!result.ok) {
      setError(problemText(result));
      return;
    }
    setError(null);
    onStarted(result.body.rollout);
  };
  return { fields, setFields, busy, setBusy, error, setError, start };
}

/** The staging part of a rollout request, the same for a project version and a supervisor release. */
function rolloutOptions(v: RolloutFieldValues) {
  return {
    tag: v.tag,
    ...(v.canary ? { canary_id: v.canary } : {}),
    batch_size: Number(v.batch),
    watch_seconds: Number(v.watch),
    // About three health polls per watch window, every 1 to 5 s.
    poll_seconds: Math.max(1, Math.min(5, Math.floor(Number(v.watch) / 3) || 1)),
  };
}

/** One labelled control of a rollout form. */
export function FormField({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <Label htmlFor={id}>{label}</Label>
      {children}
    </div>
  );
}

/** The groups a rollout can target, and their members (by tag, lower case) for the canary choice. */
export interface RolloutGroups {
  groups: { tag: string; members: number }[];
  members: (tag: string) => { id: string; name: string }[];
}

/**
 * The frame both rollout forms share: the form's own fields (children), the staging fields, then the
 * start button and the refusal. `idPrefix` names the form ("rollout", "release-rollout"): its field ids,
 * its test id and those of its start button and error.
 */
export function RolloutFormFrame({
  idPrefix,
  targets,
  form,
  onSubmit,
  startLabel,
  ready = true,
  children,
}: {
  idPrefix: string;
  targets: RolloutGroups;
  form: ReturnType<typeof useRolloutForm>;
  onSubmit: () => Promise<void>;
  startLabel: string;
  /** The form's own condition to start (the release form: a bundle uploaded). */
  ready?: boolean;
  children: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void onSubmit();
  };
  return (
    <form
      onSubmit={submit}
      className="grid grid-cols-2 gap-3 text-sm md:grid-cols-4"
      data-testid={`${idPrefix}-form`}
    >
      {children}
      <RolloutFields idPrefix={idPrefix} {...targets} values={form.fields} onChange={form.setFields} />
      <div className="col-span-2 flex items-end gap-3">
        <Button
          type="submit"
          variant="primary"
          disabled={form.busy || !ready}
          data-testid={`${idPrefix}-start`}
        >
          {startLabel}
        </Button>
        {form.error ? (
          <span className="text-xs text-red-700" role="alert" data-testid={`${idPrefix}-error`}>
            {form.error}
          </span>
        ) : null}
      </div>
    </form>
  );
}

/**
 * The group, canary, batch size and watch time of a staged rollout (project and release forms).
 * `idPrefix` keeps each form's field ids (and so their labels) its own.
 */
function RolloutFields({
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
      <FormField id={`${idPrefix}-group`} label="Group">
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
      </FormField>
      <FormField id={`${idPrefix}-canary`} label="Canary">
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
      </FormField>
      <FormField id={`${idPrefix}-batch`} label="Batch size">
        <Input
          id={`${idPrefix}-batch`}
          type="number"
          min={1}
          max={100}
          value={values.batch}
          onChange={(e) => set({ batch: e.target.value })}
        />
      </FormField>
      <FormField id={`${idPrefix}-watch`} label="Healthy for (seconds)">
        <Input
          id={`${idPrefix}-watch`}
          type="number"
          min={1}
          value={values.watch}
          onChange={(e) => set({ watch: e.target.value })}
        />
      </FormField>
    </>
  );
}
