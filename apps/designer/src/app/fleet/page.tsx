import { roleAllows } from "@bms/schemas";
import { FleetConsole } from "../../components/fleet/fleet-console";
import { requirePageSession } from "../../lib/auth/page-session";

export const dynamic = "force-dynamic";

export default async function FleetPage() {
  const session = (await requirePageSession("/fleet"))!;
  return (
    <FleetConsole
      canTag={roleAllows(session.user.role, "admin")}
      canRollOut={roleAllows(session.user.role, "operator")}
      canUpdate={roleAllows(session.user.role, "admin")}
    />
  );
}
