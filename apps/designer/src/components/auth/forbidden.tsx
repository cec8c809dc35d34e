import type { Role } from "@bms/schemas";

export function Forbidden({ need }: { need: Role }) {
  return (
    <main className="mx-auto max-w-xl p-8 text-sm text-slate-700" data-testid="forbidden">
      <h1 className="mb-2 text-lg font-semibold text-slate-900">Not allowed</h1>
      <p>This page needs the {need} role. Ask an admin if you need it.</p>
    </main>
  );
}
