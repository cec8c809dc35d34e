"use client";

import { type FormEvent, useState } from "react";
import { designerFetch, problemText } from "../../lib/designer-api";
import type { ReleaseBundle } from "../../lib/fleet/release-bundles";
import type { Rollout } from "../../lib/fleet/rollout-model";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { Label } from "../ui/label";
import { RolloutFields, rolloutOptions, useRolloutFields, useRolloutStart } from "./rollout-fields";

/**
 * The form that stages a supervisor release (signed OTA bundle) over a group: the bundle and its .sig are
 * uploaded once, then the rollout runs canary first like a project rollout (admin).
 */
export function ReleaseRolloutForm({
  groups,
  members,
  onStarted,
}: {
  groups: { tag: string; members: number }[];
  members: (tag: string) => { id: string; name: string }[];
  onStarted: (rollout: Rollout) => void;
}) {
  const [bundle, setBundle] = useState<ReleaseBundle | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [sig, setSig] = useState<File | null>(null);
  const [fields, setFields] = useRolloutFields();
  const { busy, setBusy, error, setError, start } = useRolloutStart(onStarted);

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

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!bundle) return;
    await start("/api/rollouts/release", {
      kind: "release",
      bundle_id: bundle.id,
      ...rolloutOptions(fields),
    });
  };

  return (
    <form
      onSubmit={(e) => void submit(e)}
      className="grid grid-cols-2 gap-3 text-sm md:grid-cols-4"
      data-testid="release-rollout-form"
    >
      <div className="flex flex-col gap-1">
        <Label htmlFor="release-bundle">Bundle (.tar.gz)</Label>
        <Input
          id="release-bundle"
          type="file"
          accept=".tar.gz,.tgz,application/gzip"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="release-sig">Signature (.sig)</Label>
        <Input
          id="release-sig"
          type="file"
          accept=".sig"
          onChange={(e) => setSig(e.target.files?.[0] ?? null)}
        />
      </div>
      <div className="col-span-2 flex items-end gap-3">
        <Button type="button" disabled={busy || !file || !sig} onClick={() => void upload()}>
          Upload
        </Button>
        <span className="text-xs" data-testid="release-bundle-version">
          {bundle ? `version ${bundle.version} (${Math.round(bundle.size / 1024 / 1024)} MB) ready` : ""}
        </span>
      </div>
      <RolloutFields
        idPrefix="release"
        groups={groups}
        members={members}
        values={fields}
        onChange={setFields}
      />
      <div className="col-span-2 flex items-end gap-3">
        <Button
          type="submit"
          variant="primary"
          disabled={busy || !bundle}
          data-testid="release-rollout-start"
        >
          Start release rollout
        </Button>
        {error ? (
          <span className="text-xs text-red-700" role="alert" data-testid="release-rollout-error">
            {error}
          </span>
        ) : null}
      </div>
    </form>
  );
}
