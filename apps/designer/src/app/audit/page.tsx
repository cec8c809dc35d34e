import { AuditView } from "../../components/auth/audit-view";
import { Forbidden } from "../../components/auth/forbidden";
import { requirePageSession } from "../../lib/auth/page-session";

export const dynamic = "force-dynamic";

export default async function AuditPage() {
  return (await requirePageSession("/audit", "admin")) ? <AuditView /> : <Forbidden need="admin" />;
}
