import { useEffect } from "preact/hooks";
import { accessProblem, connectionProblem } from "./api/client";
import { logout, refreshSession, sessionStore } from "./api/session";
import { AlarmBanner } from "./components/alarm-banner";
import { go, useView, VIEWS, type ViewId } from "./router";
import { StatusBar } from "./status-bar";
import { useStore } from "./store";
import { Access } from "./views/access";
import { Audit } from "./views/audit";
import { Commissioning } from "./views/commissioning";
import { Devices } from "./views/devices";
import { Execution } from "./views/execution";
import { History } from "./views/history";
import { LoginForm } from "./views/login-form";
import { Operate } from "./views/operate";
import { Overview } from "./views/overview";
import { Points } from "./views/points";

const PAGES: Record<ViewId, () => preact.JSX.Element> = {
  overview: Overview,
  points: Points,
  operate: Operate,
  history: History,
  execution: Execution,
  devices: Devices,
  commissioning: Commissioning,
  audit: Audit,
  access: Access,
};

/** Shown over every view while reads are refused: the operator signs in before anything else. */
function AccessPrompt(props: { reason: string }) {
  return (
    <section class="prompt" role="alert" data-testid="login-prompt">
      <h2>Sign in</h2>
      <p>{props.reason}</p>
      <LoginForm autoFocus />
      <p class="muted small">Ask the person who runs this supervisor for a token with the role you need.</p>
    </section>
  );
}

/** Who is signed in, and the way out; a sign-in link when nobody is. */
function SignedIn() {
  const session = useStore(sessionStore);
  const id = session.identity;
  if (!session.loaded) return null;
  if (!id) {
    return (
      <a class="btn btn-plain small" href="#/access" data-testid="signed-in">
        Sign in
      </a>
    );
  }
  return (
    <div class="signed-in small" data-testid="signed-in">
      <span data-testid="signed-in-name">
        {id.name} <span class="muted">({id.role})</span>
      </span>{" "}
      <button type="button" class="btn btn-plain" data-testid="sign-out" onClick={() => void logout()}>
        Sign out
      </button>
    </div>
  );
}

export function App() {
  const view = useView();
  const problem = useStore(accessProblem);
  const offline = useStore(connectionProblem);
  useEffect(() => {
    void refreshSession().catch(() => undefined);
  }, []);
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
        <SignedIn />
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
        {problem ? null : <AlarmBanner />}
        <Page />
      </main>
    </div>
  );
}
