import { roleAllows } from "@bms/schemas";
import Link from "next/link";
import { AccountSettings } from "../../components/auth/account-settings";
import { SupervisorsSettings } from "../../components/settings/supervisors-settings";
import { requirePageSession } from "../../lib/auth/page-session";

export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const session = (await requirePageSession("/settings"))!;
  return (
    <>
      <AccountSettings name={session.user.name} role={session.user.role} />
      {roleAllows(session.user.role, "admin") ? (
        <div className="mx-auto max-w-4xl px-6 pt-2 text-sm">
          <Link href="/settings/users" className="text-sky-700 hover:underline" data-testid="nav-users">
            Users and roles →
          </Link>
        </div>
      ) : null}
      <SupervisorsSettings />
    </>
  );
}
