"use client";

import { ROLES, type Role } from "@bms/schemas";
import { Plus, Trash2 } from "lucide-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { User } from "../../lib/auth/users-repository";
import { apiCall, problemText } from "../../lib/designer-api";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "../ui/card";
import { Input } from "../ui/input";
import { Select } from "../ui/select";

/** Admins manage accounts: add with a role, change a role, set a new password, remove. */
export function UsersSettings({ self }: { self: string }) {
  const [users, setUsers] = useState<User[]>([]);
  const [form, setForm] = useState<{ name: string; role: Role; password: string }>({
    name: "",
    role: "operator",
    password: "",
  });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await apiCall<{ users: User[] }>("/api/users");
    if (result.ok) setUsers(result.body.users);
    else setError(result.error);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const report = (result: Awaited<ReturnType<typeof apiCall>>, done: string) => {
    if (!result.ok) {
      setError(problemText(result));
      setNotice(null);
      return false;
    }
    setError(null);
    setNotice(done);
    return true;
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (report(await apiCall("/api/users", { body: form }), `User ${form.name} added.`)) {
      setForm({ name: "", role: "operator", password: "" });
      await load();
    }
  };

  const setRole = async (user: User, role: Role) => {
    report(
      await apiCall(`/api/users/${user.id}`, { method: "PATCH", body: { role } }),
      `${user.name} is now ${role}.`,
    );
    await load();
  };

  const resetPassword = async (user: User) => {
    const password = window.prompt(`New password for ${user.name} (12+ characters)`);
    if (!password) return;
    report(
      await apiCall(`/api/users/${user.id}`, { method: "PATCH", body: { password } }),
      `New password set for ${user.name}; their sessions were signed out.`,
    );
  };

  const remove = async (user: User) => {
    if (!window.confirm(`Remove ${user.name}? Their sessions end at once.`)) return;
    report(await apiCall(`/api/users/${user.id}`, { method: "DELETE" }), `${user.name} removed.`);
    await load();
  };

  return (
    <div className="mx-auto max-w-4xl space-y-4 p-6">
      <Card>
        <CardHeader>
          <CardTitle>Users and roles</CardTitle>
        </CardHeader>
        <CardContent className="space-y-3 text-sm">
          <p className="text-slate-600">
            viewer: reads everything · operator: also edits, saves and deploys projects, starts and stops
            flows, writes points · admin: also manages users and supervisors and reads the audit trail.
          </p>
          <table className="w-full text-left" data-testid="users-table">
            <thead className="text-xs text-slate-500">
              <tr>
                <th className="py-1">Name</th>
                <th>Role</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} className="border-t border-slate-100" data-testid={`user-row-${user.name}`}>
                  <td className="py-1.5 font-medium">
                    {user.name}
                    {user.name === self ? <span className="text-slate-400"> (you)</span> : null}
                  </td>
                  <td>
                    <Select
                      value={user.role}
                      aria-label={`Role of ${user.name}`}
                      data-testid={`user-role-${user.name}`}
                      onChange={(e) => void setRole(user, e.target.value as Role)}
                      className="w-32"
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </Select>
                  </td>
                  <td className="text-xs text-slate-500">{user.created_at.slice(0, 16).replace("T", " ")}</td>
                  <td className="space-x-1 text-right">
                    <Button size="sm" variant="outline" onClick={() => void resetPassword(user)}>
                      Set password
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove ${user.name}`}
                      data-testid={`user-remove-${user.name}`}
                      onClick={() => void remove(user)}
                    >
                      <Trash2 />
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            onSubmit={add}
            className="grid grid-cols-[1fr_8rem_1fr_auto] items-end gap-2"
            data-testid="user-add-form"
          >
            <Input
              placeholder="user name"
              aria-label="New user name"
              data-testid="user-add-name"
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
            <Select
              aria-label="New user role"
              data-testid="user-add-role"
              value={form.role}
              onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </Select>
            <Input
              type="password"
              placeholder="password (12+ characters)"
              aria-label="New user password"
              autoComplete="new-password"
              data-testid="user-add-password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
            <Button type="submit" variant="primary" data-testid="user-add-submit">
              <Plus /> Add
            </Button>
          </form>
          {error ? (
            <Banner tone="error" data-testid="users-error">
              {error}
            </Banner>
          ) : null}
          {notice ? (
            <Banner tone="success" data-testid="users-notice">
              {notice}
            </Banner>
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}
