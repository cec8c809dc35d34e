"use client";

import type { Role } from "@bms/schemas";
import { type FormEvent, useState } from "react";
import { apiCall } from "../../lib/designer-api";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "../ui/card";
import { Input } from "../ui/input";
import { Label } from "../ui/label";

/** The signed-in user's own account: who they are, and a password change. */
export function AccountSettings({ name, role }: { name: string; role: Role }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await apiCall("/api/auth/password", {
      body: { current_password: current, new_password: next },
    });
    if (!result.ok) {
      setMessage({
        tone: "error",
        text: result.errors.length ? result.errors.map((e) => e.message).join("; ") : result.error,
      });
      return;
    }
    setCurrent("");
    setNext("");
    setMessage({ tone: "success", text: "Password changed. Your other sessions were signed out." });
  };

  return (
    <div className="mx-auto max-w-4xl px-6 pt-6">
      <Card>
        <CardHeader>
          <CardTitle>
            Signed in as <span data-testid="account-name">{name}</span> ({role})
          </CardTitle>
        </CardHeader>
        <CardContent>
          <form onSubmit={submit} className="grid grid-cols-[1fr_1fr_auto] items-end gap-3">
            <div className="space-y-1">
              <Label htmlFor="current-password">Current password</Label>
              <Input
                id="current-password"
                type="password"
                autoComplete="current-password"
                value={current}
                onChange={(e) => setCurrent(e.target.value)}
              />
            </div>
            <div className="space-y-1">
              <Label htmlFor="new-password">New password (12+ characters)</Label>
              <Input
                id="new-password"
                type="password"
                autoComplete="new-password"
                value={next}
                onChange={(e) => setNext(e.target.value)}
              />
            </div>
            <Button type="submit" variant="outline" disabled={!current || !next}>
              Change password
            </Button>
          </form>
          {message ? (
            <Banner tone={message.tone} className="mt-3" data-testid="password-message">
              {message.text}
            </Banner>
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}
