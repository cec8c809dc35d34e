import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { describeFailure } from "../api/client";

/**
 * A button for a state change (start, stop, acknowledge, discover). It shows that it is working and,
 * when the server refuses, says why next to itself: an operator must see a refusal, not a silent no-op.
 */
export function ActionButton(props: {
  run: () => Promise<unknown>;
  children: ComponentChildren;
  testId?: string;
  kind?: "primary" | "danger" | "plain";
  confirm?: string;
  disabled?: boolean;
  onDone?: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const click = async () => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    setBusy(true);
    setFailure(null);
    try {
      await props.run();
      props.onDone?.();
    } catch (error) {
      setFailure(describeFailure(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button
        type="button"
        class={`btn btn-${props.kind ?? "plain"}`}
        data-testid={props.testId}
        disabled={busy || props.disabled}
        onClick={click}
      >
        {busy ? "Working…" : props.children}
      </button>
      {failure ? (
        <span
          class="action-error"
          role="alert"
          data-testid={props.testId ? `${props.testId}-error` : undefined}
        >
          {failure}
        </span>
      ) : null}
    </span>
  );
}
