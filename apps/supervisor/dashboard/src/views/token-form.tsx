import { useState } from "preact/hooks";
import { tokenStore } from "../api/token";
import { useStore } from "../store";

/** Enter, replace or forget the bearer token; used by the Access page and the access prompt. */
export function TokenForm(props: { autoFocus?: boolean }) {
  const saved = useStore(tokenStore);
  const [text, setText] = useState("");
  const [show, setShow] = useState(false);
  return (
    <form
      class="token-form"
      data-testid="token-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) tokenStore.set(text.trim());
        setText("");
      }}
    >
      <label for="token-input" class="small">
        {saved ? "Replace the access token" : "Access token"}
      </label>
      <div class="row">
        <input
          id="token-input"
          type={(show ? "text" : "password") as "text"}
          autoComplete="off"
          spellcheck={false}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          placeholder="Paste the token from the supervisor"
          data-testid="token-input"
          // biome-ignore lint/a11y/noAutofocus: the prompt exists only to take the token
          autoFocus={props.autoFocus}
        />
        <button type="button" class="btn btn-plain" onClick={() => setShow(!show)}>
          {show ? "Hide" : "Show"}
        </button>
        <button type="submit" class="btn btn-primary" data-testid="token-save" disabled={!text.trim()}>
          Use token
        </button>
        {saved ? (
          <button
            type="button"
            class="btn btn-plain"
            data-testid="token-forget"
            onClick={() => tokenStore.set("")}
          >
            Forget token
          </button>
        ) : null}
      </div>
    </form>
  );
}
