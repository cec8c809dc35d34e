"use client";

import { useState } from "react";
import { designerFetch, problemText } from "../../lib/designer-api";
import type { ReleaseBundle } from "../../lib/fleet/release-bundles";
import type { Rollout } from "../../lib/fleet/rollout-model";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { FormField, RolloutFormFrame, type RolloutGroups, useRolloutForm } from "./rollout-fields";

/**
 * The form that stages a supervisor release (signed OTA bundle) over a group: the bundle and its .sig are
 * uploaded once, then the rollout runs canary first like a project rollout (admin).
 */
export function ReleaseRolloutForm({
  onStarted,
  ...targets
}: RolloutGroups & { onStarted: (rollout: Rollout) => void }) {
  const [bundle, setBundle] = useState<ReleaseBundle | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [sig, setSig] = useState<File | null>(null);
  const form = useRolloutForm(onStarted);
  const { busy, setBusy, setError, start } = form;

  const upload = async () => {
    if (!file || !sig) return;
    setBusy(true);
    try {
      const response = await designerFetch("/api/release-bundles", {
        method: "POST",
        headers: { "content-type": "application/octet-stream", "x-bms-signature": (await sig.text()).trim() },
        body: file,
      });
      const body = (await response.json()) as {
        bundle?: ReleaseBundle;
        error?: string;
        errors?: { path: string; message: string }[];
      };
      if (!response.ok || !body.bundle) {
        setError(problemText({ error: body.error ?? "upload refused", errors: body.errors ?? [] }));
        return;
      }
      setError(null);
      setBundle(body.bundle);
    } catch {
      setError("The Designer server is unreachable.");
    } finally {
      setBusy(false);
    }
  };

  const submit = async () => {
    if (!bundle) return;
    await start("/api/rollouts/release", {
      kind: "release",
      bundle_id: bundle.id,
    });
  };

  return (
    <RolloutFormFrame
      idPrefix="release-rollout"
      targets={targets}
      form={form}
      onSubmit={submit}
      startLabel="Start release rollout"
      ready={bundle !== null}
    >
      <FilePicker
        id="release-bundle"
        label="Bundle (.tar.gz)"
        accept=".tar.gz,.tgz,application/gzip"
        onPick={setFile}
      />
      <FilePicker id="release-sig" label="Signature (.sig)" accept=".sig" onPick={setSig} />
      <div className="col-span-2 flex items-end gap-3">
        <Button type="button" disabled={busy || !file || !sig} onClick={() => void upload()}>
          Upload
        </Button>
        <span className="text-xs" data-testid="release-bundle-version">
          {bundle ? `version ${bundle.version} (${Math.round(bundle.size / 1024 / 1024)} MB) ready` : ""}
        </span>
      </div>
    </RolloutFormFrame>
  );
}

function FilePicker({
  id,
  label,
  accept,
  onPick,
}: {
  id: string;
  label: string;
  accept: string;
  onPick: (file: File | null) => void;
}) {
  return (
    <FormField id={id} label={label}>
      <Input id={id} type="file" accept={accept} onChange={(e) => onPick(e.target.files?.[0] ?? null)} />
    </FormField>
  );
}
