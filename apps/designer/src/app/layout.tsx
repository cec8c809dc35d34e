import { roleAllows } from "@bms/schemas";
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "../components/auth/sign-out-button";
import { pageSession } from "../lib/auth/page-session";
import { CSRF_META } from "../lib/designer-api";
import "./globals.css";

export const metadata: Metadata = {
  title: "BMS Designer",
  description: "Build, verify, version and deploy building-automation control flows",
};

// Every page depends on who is signed in (and gets a per-request CSP nonce): nothing is prerendered.
export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await pageSession();
  return (
    <html lang="en">
      <head>{session ? <meta name={CSRF_META} content={session.csrfToken} /> : null}</head>
      <body className="flex h-full flex-col">
        <header className="flex h-11 shrink-0 items-center gap-4 border-b border-slate-200 bg-slate-900 px-4 text-sm text-slate-100">
          <Link href="/" className="font-semibold tracking-tight" data-testid="nav-home">
            BMS Designer
          </Link>
          {session ? (
            <>
              <nav className="flex gap-3 text-slate-300">
                <Link href="/" className="hover:text-white">
                  Projects
                </Link>
                <Link href="/fleet" className="hover:text-white" data-testid="nav-fleet">
                  Fleet
                </Link>
                <Link href="/alarms" className="hover:text-white" data-testid="nav-alarms">
                  Alarms
                </Link>
                <Link href="/settings" className="hover:text-white" data-testid="nav-settings">
                  Settings
                </Link>
                {roleAllows(session.user.role, "admin") ? (
                  <Link href="/audit" className="hover:text-white" data-testid="nav-audit">
                    Audit
                  </Link>
                ) : null}
              </nav>
              <div className="ml-auto flex items-center gap-2 text-xs text-slate-300">
                <span data-testid="signed-in-user">
                  {session.user.name} <span className="text-slate-400">({session.user.role})</span>
                </span>
                <SignOutButton />
              </div>
            </>
          ) : null}
        </header>
        <div className="min-h-0 flex-1">{children}</div>
      </body>
    </html>
  );
}
