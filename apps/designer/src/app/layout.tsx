import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "BMS Designer",
  description: "Build, verify, version and deploy building-automation control flows",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex h-full flex-col">
        <header className="flex h-11 shrink-0 items-center gap-4 border-b border-slate-200 bg-slate-900 px-4 text-sm text-slate-100">
          <Link href="/" className="font-semibold tracking-tight" data-testid="nav-home">
            BMS Designer
          </Link>
          <nav className="flex gap-3 text-slate-300">
            <Link href="/" className="hover:text-white">
              Projects
            </Link>
            <Link href="/settings" className="hover:text-white" data-testid="nav-settings">
              Settings
            </Link>
          </nav>
        </header>
        <div className="min-h-0 flex-1">{children}</div>
      </body>
    </html>
  );
}
