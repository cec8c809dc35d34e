import type { ComponentChildren } from "preact";

export type Tone = "ok" | "warn" | "bad" | "idle" | "info";

/** A coloured label; the word always says the state too, so colour is never the only signal. */
export function Pill(props: { tone: Tone; children: ComponentChildren; testId?: string; title?: string }) {
  return (
    <span class={`pill pill-${props.tone}`} data-testid={props.testId} title={props.title}>
      {props.children}
    </span>
  );
}

export function qualityTone(quality: string | undefined): Tone {
  return quality === "good" ? "ok" : quality === "uncertain" ? "warn" : quality === "bad" ? "bad" : "idle";
}

export function flowTone(status: string | undefined): Tone {
  return status === "running" ? "ok" : status === "error" ? "bad" : "idle";
}

export function flowWord(status: string | undefined): string {
  if (status === "running") return "Running";
  if (status === "stopped") return "Stopped";
  if (status === "error") return "Stopped on error";
  if (status === "idle") return "No flow";
  return "Unknown";
}

export function nodeTone(status: string | undefined): Tone {
  if (status === "completed") return "ok";
  if (status === "error") return "bad";
  if (status === "skipped") return "warn";
  if (status === "executing") return "info";
  return "idle";
}

export function Card(props: { title: string; children: ComponentChildren; testId?: string; wide?: boolean }) {
  return (
    <section class={props.wide ? "card card-wide" : "card"} data-testid={props.testId}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** Label/value rows, as on a controller's status screen. */
export function Facts(props: { rows: [string, ComponentChildren, string?][] }) {
  return (
    <dl class="facts">
      {props.rows.map(([label, shown, testId]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd data-testid={testId}>{shown}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A message that a refresh failed while older data stays on screen. */
export function Stale(props: { error: unknown }) {
  if (!props.error) return null;
  const text = props.error instanceof Error ? props.error.message : String(props.error);
  return <p class="note note-warn">Could not refresh: {text}. Showing the last values received.</p>;
}
