/**
 * Runs once when the Designer server starts. A bad BMS_SUPERVISOR_URL (or pin) is said at start-up, in
 * the server log, rather than first discovered as a failed deploy; Settings shows the same text.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { builtinSupervisor } = await import("./lib/db/supervisors-repository");
  const problem = builtinSupervisor().problem;
  if (problem) console.error(`[designer] local supervisor: ${problem}`);
}
