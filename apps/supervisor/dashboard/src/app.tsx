import { accessProblem, connectionProblem } from "./api/client";
import { go, useView, VIEWS, type ViewId } from "./router";
import { StatusBar } from "./status-bar";
import { useStore } from "./store";
import { Access } from "./views/access";
import { Devices } from "./views/devices";
import { Execution } from "./views/execution";
import { History } from "./views/history";
import { Overview } from "./views/overview";
import { Points } from "./views/points";
import { TokenForm } from "./views/token-form";

const PAGES: Record<ViewId, () => preact.JSX.Element> = {
  overview: Overview,
  points: Points,
  history: History,
  execution: Execution,
  devices: Devices,
  access: Access,
};

/** Shown over every view while reads are refused: the operator needs a token before anything else. */
function AccessPrompt(props: { reason: string }) {
  return (
    <section class="prompt" role="alert" data-testid="token-prompt">
      <h2>Access token needed</h2>
      <p>{props.reason}</p>
      <TokenForm autoFocus />
      <p class="muted small">Ask the person who installed this supervisor for the viewer or admin token.</p>
    </section>
  );
}

export function App() {
  const view = useView();
  const problem = useStore(accessProblem);
  const offline = useStore(connectionProblem);
  const Page = PAGES[view];
  return (
    <div class="shell">
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◧
          </span>
          <div>
            <div class="title">BMS Supervisor</div>
            <div class="small muted">{location.host}</div>
          </div>
        </div>
        <StatusBar />
      </header>
      <nav class="tabs" aria-label="Views">
        {VIEWS.map((v) => (
          <a
            key={v.id}
            href={`#/${v.id}`}
            class={v.id === view ? "tab active" : "tab"}
            aria-current={v.id === view ? "page" : undefined}
            data-testid={`nav-${v.id}`}
            onClick={(e) => {
              e.preventDefault();
              go(v.id);
            }}
          >
            {v.label}
          </a>
        ))}
      </nav>
      <main class="content">
        {offline ? (
          <p class="note note-bad" role="alert" data-testid="offline">
            {offline}
          </p>
        ) : null}
        {problem && view !== "access" ? <AccessPrompt reason={problem} /> : null}
        <Page />
      </main>
    </div>
  );
}
