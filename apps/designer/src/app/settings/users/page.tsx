import { Forbidden } from "../../../components/auth/forbidden";
import { UsersSettings } from "../../../components/auth/users-settings";
import { requirePageSession } from "../../../lib/auth/page-session";

export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const session = await requirePageSession("/settings/users", "admin");
  return session ? <UsersSettings self={session.user.name} /> : <Forbidden need="admin" />;
}
