import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, type RunningProcess, setSessionHeaders, startProcess, tempDir } from "@bms/test-support";
import type { BrowserContext } from "playwright-core";
import { freePort } from "./ports";

export const DESIGNER_DIR = join(REPO_ROOT, "apps/designer");

/** The first admin every test Designer gets unless a test asks for a fresh, unset-up one. */
export const TEST_ADMIN = { name: "admin", password: "test-admin-password-0123" } as const;

export interface DesignerSession {
  cookie: string;
  csrf: string;
  user: { id: number; name: string; role: string };
}

export interface DesignerHandle extends RunningProcess {
  url: string;
  dataDir: string;
  /** The session `api(designer.url, …)` uses (null for a Designer started with `setup: false`). */
  session: DesignerSession | null;
}

/** Signs in over HTTP as a browser would (with Origin), and answers the session cookie and CSRF token. */
export async function signInOverHttp(
  url: string,
  credentials: { name: string; password: string } = TEST_ADMIN,
): Promise<DesignerSession> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify(credentials),
  });
  if (!response.ok)
    throw new Error(
      `sign-in as ${credentials.name} failed: HTTP ${response.status} ${await response.text()}`,
    );
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const body = (await response.json()) as { csrf_token: string; user: DesignerSession["user"] };
  return { cookie, csrf: body.csrf_token, user: body.user };
}

/** Creates the first admin through the first-run API, or signs in if a reused data directory has one. */
async function setUp(url: string): Promise<DesignerSession> {
  const response = await fetch(`${url}/api/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify(TEST_ADMIN),
  });
  if (response.status !== 201 && response.status !== 409) {
    throw new Error(`Designer setup failed: HTTP ${response.status} ${await response.text()}`);
  }
  return signInOverHttp(url);
}

/** Puts a fresh session of `credentials` into a browser context, so its pages open signed in. */
export async function signInBrowser(
  context: BrowserContext,
  url: string,
  credentials: { name: string; password: string } = TEST_ADMIN,
): Promise<DesignerSession> {
  const session = await signInOverHttp(url, credentials);
  const [name, value] = session.cookie.split("=");
  await context.addCookies([
    { name: name ?? "", value: value ?? "", url, httpOnly: true, sameSite: "Strict" },
  ]);
  return session;
}

let latest: DesignerHandle | null = null;

/** The Designer this test file started last: `openBrowser()` signs its pages in to it. */
export function latestDesigner(): DesignerHandle | null {
  return latest;
}

/**
 * Starts the built Designer through its server entry (server.ts: the browser guard, CSP and TLS in front
 * of Next) as a real process with its own data directory, creates the test admin and signs in, so
 * existing tests keep driving a ready Designer. The root `pnpm test:e2e` builds it first; a missing
 * build is reported plainly instead of a 60 s timeout.
 */
export async function startDesigner(options: {
  supervisorUrl?: string;
  supervisorToken?: string;
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
  /** false: leave the Designer without users (first-run tests). */
  setup?: boolean;
}): Promise<DesignerHandle> {
  if (!existsSync(join(DESIGNER_DIR, ".next", "BUILD_ID"))) {
    throw new Error(
      "apps/designer is not built: run `pnpm --filter @bms/designer build` (pnpm test:e2e does)",
    );
  }
  const port = await freePort();
  const dataDir = options.dataDir ?? tempDir("designer");
  const proc = await startProcess(
    process.execPath,
    [
      "--import",
      "tsx",
      join(DESIGNER_DIR, "server.ts"),
      "--port",
      String(port),
      // No --http-host: the default (127.0.0.1) is what every test then relies on.
      ...(options.args ?? []),
    ],
    {
      name: "designer",
      cwd: DESIGNER_DIR,
      env: {
        BMS_DATA_DIR: dataDir,
        BMS_SUPERVISOR_URL: options.supervisorUrl ?? "http://127.0.0.1:9",
        BMS_SUPERVISOR_TOKEN: options.supervisorToken ?? "",
        NEXT_TELEMETRY_DISABLED: "1",
        NODE_ENV: "production",
        ...options.env,
      },
      ready: /bms-designer listening/,
    },
  );
  const scheme = (options.args ?? []).some((a) => a.startsWith("--tls")) ? "https" : "http";
  const url = `${scheme}://127.0.0.1:${port}`;
  const session = options.setup === false || scheme === "https" ? null : await setUp(url);
  if (session) setSessionHeaders(url, { cookie: session.cookie, origin: url, "x-csrf-token": session.csrf });
  const handle: DesignerHandle = Object.assign(proc, { url, dataDir, session });
  latest = handle;
  return handle;
}
