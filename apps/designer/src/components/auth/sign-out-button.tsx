"use client";

import { LogOut } from "lucide-react";
import { apiCall, beginSignOut } from "../../lib/designer-api";

export function SignOutButton() {
  const signOut = async () => {
    beginSignOut();
    await apiCall("/api/auth/logout", { body: {} });
    window.location.assign("/login");
  };
  return (
    <button
      type="button"
      onClick={signOut}
      className="inline-flex items-center gap-1 rounded px-2 py-1 text-slate-300 hover:bg-slate-800 hover:text-white"
      data-testid="sign-out"
    >
      <LogOut className="size-3.5" /> Sign out
    </button>
  );
}
