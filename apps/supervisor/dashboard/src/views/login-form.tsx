import { useState } from "preact/hooks";
import { login } from "../api/session";

/** Sign in with a token (the bootstrap admin token or a named one); the page never stores it. */
export function LoginForm(props: { autoFocus?: boolean }) {
  const [text, setText] = useState("");
  const [show, setShow] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="token-form"
      data-testid="login-form"
      onSubmit={(e) => {
        e.preventDefault();
        const token = text.trim();
        if (!token) return;
        setBusy(true);
        void login(token)
          .then((refusal) => {
            setProblem(refusal);
            if (!refusal) setText("");
          })
          .catch(() => setProblem("The supervisor cannot be reached."))
          .finally(() => setBusy(false));
      }}
    >
      <label for="login-token" class="small">
        Access token
      </label>
      <div class="row">
        <input
          id="login-token"
          type={(show ? "text" : "password") as "text"}
          autoComplete="off"
          spellcheck={false}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          placeholder="Paste your token"
          data-testid="login-token"
          // biome-ignore lint/a11y/noAutofocus: the prompt exists only to take the token
          autoFocus={props.autoFocus}
        />
        <button type="button" class="btn btn-plain" onClick={() => setShow(!show)}>
          {show ? "Hide" : "Show"}
        </button>
        <button
          type="submit"
          class="btn btn-primary"
          data-testid="login-submit"
          disabled={!text.trim() || busy}
        >
          Sign in
        </button>
      </div>
      {problem ? (
        <p class="note note-bad small" role="alert" data-testid="login-error">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
