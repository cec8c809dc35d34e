import { redirect } from "next/navigation";
import { SignInForm } from "../../components/auth/sign-in-form";
import { pageSession } from "../../lib/auth/page-session";
import { safeNext } from "../../lib/auth/safe-next";
import { countUsers } from "../../lib/auth/users-repository";
import { getDb } from "../../lib/db/client";

export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; ended?: string }>;
}) {
  const { next, ended } = await searchParams;
  if (countUsers(getDb()) === 0) redirect("/setup");
  if (await pageSession()) redirect(safeNext(next));
  return (
    <SignInForm
      mode="login"
      next={safeNext(next)}
      {...(ended ? { notice: "Your session has ended. Sign in again to continue." } : {})}
    />
  );
}
