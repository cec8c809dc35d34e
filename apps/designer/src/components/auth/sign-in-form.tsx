"use client";

import { type FormEvent, useState } from "react";
import { safeNext } from "../../lib/auth/safe-next";
import { apiCall, problemText } from "../../lib/designer-api";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "../ui/card";
import { Input } from "../ui/input";
import { Label } from "../ui/label";

/**
 * The sign-in form, and with `setup` the first-run form that creates the first admin (and asks for the
 * setup code when the server printed one).
 */
export function SignInForm({
  mode,
  next,
  notice,
  needsSetupCode = false,
}: {
  mode: "login" | "setup";
  next?: string;
  notice?: string;
  needsSetupCode?: boolean;
}) {
  const [name, setName] = useState(mode === "setup" ? "admin" : "");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (mode === "setup" && password !== confirm) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    const result =
      mode === "setup"
        ? await apiCall("/api/auth/setup", {
            body: { name, password, ...(needsSetupCode ? { setup_code: code.trim() } : {}) },
          })
        : await apiCall("/api/auth/login", { body: { name, password } });
    setBusy(false);
    if (!result.ok) {
      setError(problemText(result));
      return;
    }
    // A full load: the layout renders the new session's CSRF token and the signed-in header.
    window.location.assign(safeNext(next));
  };

  return (
    <main className="mx-auto mt-16 max-w-sm px-4">
      <Card>
        <CardHeader>
          <CardTitle>
            {mode === "setup" ? "Set up the Designer: create the first admin" : "Sign in"}
          </CardTitle>
        </CardHeader>
        <CardContent>
          <form onSubmit={submit} className="space-y-3" data-testid={`${mode}-form`}>
            {notice ? (
              <Banner tone="info" data-testid="sign-in-notice">
                {notice}
              </Banner>
            ) : null}
            {mode === "setup" && needsSetupCode ? (
              <div className="space-y-1">
                <Label htmlFor="setup-code">Setup code (printed in the Designer's log)</Label>
                <Input
                  id="setup-code"
                  data-testid="setup-code"
                  autoComplete="one-time-code"
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                />
              </div>
            ) : null}
            <div className="space-y-1">
              <Label htmlFor="user-name">User name</Label>
              <Input
                id="user-name"
                data-testid="user-name"
                autoComplete="username"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <div className="space-y-1">
              <Label htmlFor="password">Password{mode === "setup" ? " (12+ characters)" : ""}</Label>
              <Input
                id="password"
                data-testid="password"
                type="password"
                autoComplete={mode === "setup" ? "new-password" : "current-password"}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </div>
            {mode === "setup" ? (
              <div className="space-y-1">
                <Label htmlFor="password-confirm">Repeat the password</Label>
                <Input
                  id="password-confirm"
                  data-testid="password-confirm"
                  type="password"
                  autoComplete="new-password"
                  value={confirm}
                  onChange={(e) => setConfirm(e.target.value)}
                />
              </div>
            ) : null}
            {error ? (
              <Banner tone="error" data-testid="sign-in-error">
                {error}
              </Banner>
            ) : null}
            <Button
              type="submit"
              variant="primary"
              className="w-full"
              disabled={busy}
              data-testid="sign-in-submit"
            >
              {mode === "setup" ? "Create admin and sign in" : "Sign in"}
            </Button>
          </form>
        </CardContent>
      </Card>
    </main>
  );
}
