import { redirect } from "next/navigation";
import { SignInForm } from "../../components/auth/sign-in-form";
import { serverConfig } from "../../lib/auth/server-config";
import { countUsers } from "../../lib/auth/users-repository";
import { getDb } from "../../lib/db/client";

export const dynamic = "force-dynamic";

/** First run only: once a user exists this page sends everyone to the sign-in page. */
export default function SetupPage() {
  if (countUsers(getDb()) > 0) redirect("/login");
  return <SignInForm mode="setup" needsSetupCode={(serverConfig()?.setupCode ?? null) !== null} />;
}
