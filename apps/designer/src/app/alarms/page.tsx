import { roleAllows } from "@bms/schemas";
import { AlarmView } from "../../components/alarms/alarm-view";
import { requirePageSession } from "../../lib/auth/page-session";

export const dynamic = "force-dynamic";

/** Alarms of one supervisor (`?supervisor=<id>`): viewers read them, operators acknowledge. */
export default async function AlarmsPage({
  searchParams,
}: {
  searchParams: Promise<{ supervisor?: string | string[] }>;
}) {
  const session = (await requirePageSession("/alarms"))!;
  const { supervisor } = await searchParams;
  return (
    <AlarmView
      initialSupervisor={typeof supervisor === "string" ? supervisor : null}
      canAck={roleAllows(session.user.role, "operator")}
    />
  );
}
