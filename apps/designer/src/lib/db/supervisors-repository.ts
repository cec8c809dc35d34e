import { randomUUID } from "node:crypto";
import type { ValidationProblem } from "@bms/schemas";
import { parseFingerprint, parseServiceUrl, SecretBoxError } from "@bms/security";
import type Database from "better-sqlite3";
import type { SupervisorEntry, SupervisorInput } from "../api-types";
import { secretsFor } from "./secret-store";
import { nowIso } from "./sqlite-time";

export const BUILTIN_SUPERVISOR_ID = "default";
const DEFAULT_LOCAL_URL = "http://127.0.0.1:8080";

/** A supervisor with its secret, for server-side calls only: never serialised to a browser or a file. */
export interface SupervisorTarget {
  id: string;
  name: string;
  /** The base URL as `scheme://host:port` (taken apart and rebuilt), or the raw text when it is invalid. */
  url: string;
  token: string;
  /** SHA-256 of the one certificate this supervisor may present (https); null: the system CAs decide. */
  tls_fingerprint: string | null;
  /**
   * SHA-256 of the supervisor's commissioning report signing key (Ed25519), `AB:CD:…`: its reports are
   * shown as signed by the pinned key or by another one. A label check, never a gate on calls.
   */
  report_key_fingerprint: string | null;
  /** Set when calls must be refused before connecting: the URL is invalid or the token cannot be opened. */
  problem: string | null;
  builtin: boolean;
}

/**
 * The supervisor named by the environment (what `pnpm start` and the tests wire up): its URL is taken
 * apart like a registered one, and an https one can be pinned with BMS_SUPERVISOR_TLS_FINGERPRINT. Its
 * report signing key is pinned with BMS_SUPERVISOR_REPORT_KEY_FINGERPRINT.
 */
export function builtinSupervisor(env: Record<string, string | undefined> = process.env): SupervisorTarget {
  const raw = env.BMS_SUPERVISOR_URL?.trim() || DEFAULT_LOCAL_URL;
  const parsed = parseServiceUrl(raw);
  const pinText = env.BMS_SUPERVISOR_TLS_FINGERPRINT?.trim();
  const pin = pinText ? parseFingerprint(pinText) : null;
  const reportPinText = env.BMS_SUPERVISOR_REPORT_KEY_FINGERPRINT?.trim();
  const reportPin = reportPinText ? parseFingerprint(reportPinText) : null;
  const problem = !parsed.ok
    ? `BMS_SUPERVISOR_URL is invalid (${parsed.message}): fix it in the Designer's environment and restart`
    : pin && !pin.ok
      ? `BMS_SUPERVISOR_TLS_FINGERPRINT is invalid (${pin.message})`
      : reportPin && !reportPin.ok
        ? `BMS_SUPERVISOR_REPORT_KEY_FINGERPRINT is invalid (${reportPin.message})`
        : null;
  return {
    id: BUILTIN_SUPERVISOR_ID,
    name: "Local supervisor",
    url: parsed.ok ? parsed.url.origin : raw,
    token: env.BMS_SUPERVISOR_TOKEN ?? "",
    tls_fingerprint: pin?.ok && parsed.ok && parsed.url.protocol === "https:" ? pin.fingerprint : null,
    report_key_fingerprint: reportPin?.ok ? reportPin.fingerprint : null,
    problem,
    builtin: true,
  };
}

interface SupervisorRow {
  id: string;
  name: string;
  url: string;
  token_sealed: string;
  tls_fingerprint: string | null;
  report_key_fingerprint: string | null;
}

const COLUMNS = "id, name, url, token_sealed, tls_fingerprint, report_key_fingerprint";

function fromRow(db: Database.Database, row: SupervisorRow): SupervisorTarget {
  const parsed = parseServiceUrl(row.url);
  let token = "";
  let problem = parsed.ok
    ? null
    : `the stored URL is not valid any more (${parsed.message}): edit it in Settings`;
  if (row.token_sealed) {
    try {
      token = secretsFor(db).open(row.token_sealed, row.id);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      problem ??= `the stored token cannot be used (${error.message}): enter it again in Settings`;
    }
  }
  return {
    id: row.id,
    name: row.name,
    url: parsed.ok ? parsed.url.origin : row.url,
    token,
    tls_fingerprint: row.tls_fingerprint,
    report_key_fingerprint: row.report_key_fingerprint,
    problem,
    builtin: false,
  };
}

export function listSupervisorTargets(db: Database.Database): SupervisorTarget[] {
  const rows = db.prepare(`SELECT ${COLUMNS} FROM supervisors ORDER BY name`).all() as SupervisorRow[];
  return [builtinSupervisor(), ...rows.map((row) => fromRow(db, row))];
}

export function getSupervisorTarget(db: Database.Database, id: string): SupervisorTarget | null {
  if (id === BUILTIN_SUPERVISOR_ID) return builtinSupervisor();
  const row = db.prepare(`SELECT ${COLUMNS} FROM supervisors WHERE id = ?`).get(id) as
    | SupervisorRow
    | undefined;
  return row ? fromRow(db, row) : null;
}

/** What a browser may see: whether a token is set, never the token. */
export function toEntry(target: SupervisorTarget): SupervisorEntry {
  return {
    id: target.id,
    name: target.name,
    url: target.url,
    has_token: target.token.length > 0,
    tls_fingerprint: target.tls_fingerprint,
    report_key_fingerprint: target.report_key_fingerprint,
    problem: target.problem,
    builtin: target.builtin,
  };
}

export type SaveSupervisorResult =
  | { ok: true; target: SupervisorTarget }
  | { ok: false; status: 404 | 409 | 422; error: string; errors?: ValidationProblem[] };

interface CheckedInput {
  name: string;
  url: string;
  /** undefined: keep the stored one. */
  token: string | undefined;
  /** undefined: keep the stored pin; null: none. */
  tls_fingerprint: string | null | undefined;
  /** undefined: keep the stored pin; null: none. Kept when the URL changes: the key is the supervisor's. */
  report_key_fingerprint: string | null | undefined;
  urlChanged: boolean;
}

/**
 * The rules of the registry, one place for create and update:
 * - the URL is taken apart by the URL API, so `?`, `#`, `@` or a path cannot redirect later calls;
 * - a new URL needs the token entered again: the stored one is never sent to an address it was not
 *   entered for;
 * - a new URL drops the pinned certificate unless a new fingerprint comes with it.
 */
function checkInput(
  input: SupervisorInput,
  current: SupervisorTarget | null,
): CheckedInput | ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const parsed = parseServiceUrl(input.url);
  if (!parsed.ok) problems.push({ path: "url", message: parsed.message });
  const url = parsed.ok ? parsed.url.origin : input.url;
  const https = parsed.ok && parsed.url.protocol === "https:";
  const token = input.token ? input.token : undefined;
  const urlChanged = current !== null && current.url !== url;
  if (urlChanged && token === undefined && current.token.length > 0)
    problems.push({ path: "token", message: "the token must be entered again when the URL changes" });

  let fingerprint: string | null | undefined = input.tls_fingerprint === "" ? null : input.tls_fingerprint;
  if (typeof fingerprint === "string") {
    const pin = parseFingerprint(fingerprint);
    if (!pin.ok) problems.push({ path: "tls_fingerprint", message: pin.message });
    else if (parsed.ok && !https)
      problems.push({
        path: "tls_fingerprint",
        message: "a certificate fingerprint applies to https URLs only",
      });
    else fingerprint = pin.fingerprint;
  }
  let reportKey: string | null | undefined =
    input.report_key_fingerprint === "" ? null : input.report_key_fingerprint;
  if (typeof reportKey === "string") {
    const pin = parseFingerprint(reportKey);
    if (!pin.ok) problems.push({ path: "report_key_fingerprint", message: pin.message });
    else reportKey = pin.fingerprint;
  }
  if (problems.length > 0) return problems;
  if (!https || (urlChanged && fingerprint === undefined)) fingerprint = null;
  return {
    name: input.name,
    url,
    token,
    tls_fingerprint: fingerprint,
    report_key_fingerprint: reportKey,
    urlChanged,
  };
}

const invalid = (errors: ValidationProblem[]): SaveSupervisorResult => ({
  ok: false,
  status: 422,
  error: "the supervisor was not saved",
  errors,
});

export function createSupervisor(db: Database.Database, input: SupervisorInput): SaveSupervisorResult {
  const checked = checkInput(input, null);
  if (Array.isArray(checked)) return invalid(checked);
  const id = randomUUID();
  db.prepare(
    "INSERT INTO supervisors (id, name, url, token_sealed, tls_fingerprint, report_key_fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(
    id,
    checked.name,
    checked.url,
    checked.token ? secretsFor(db).seal(checked.token, id) : "",
    checked.tls_fingerprint ?? null,
    checked.report_key_fingerprint ?? null,
    nowIso(),
  );
  return { ok: true, target: getSupervisorTarget(db, id)! };
}

/** An omitted token keeps the stored one (the browser never sees it, so it cannot send it back), unless the URL changes. */
export function updateSupervisor(
  db: Database.Database,
  id: string,
  input: SupervisorInput,
): SaveSupervisorResult {
  if (id === BUILTIN_SUPERVISOR_ID)
    return {
      ok: false,
      status: 409,
      error: "the local supervisor is set by BMS_SUPERVISOR_URL and BMS_SUPERVISOR_TOKEN",
    };
  const current = getSupervisorTarget(db, id);
  if (!current) return { ok: false, status: 404, error: `supervisor ${id} not found` };
  const checked = checkInput(input, current);
  if (Array.isArray(checked)) return invalid(checked);
  const sets = ["name = ?", "url = ?", "tls_fingerprint = ?", "report_key_fingerprint = ?"];
  const values: unknown[] = [
    checked.name,
    checked.url,
    checked.tls_fingerprint === undefined ? current.tls_fingerprint : checked.tls_fingerprint,
    checked.report_key_fingerprint === undefined
      ? current.report_key_fingerprint
      : checked.report_key_fingerprint,
  ];
  if (checked.token !== undefined) {
    sets.push("token_sealed = ?");
    values.push(secretsFor(db).seal(checked.token, id));
  } else if (checked.urlChanged) {
    // Only reachable when the stored token could not be opened: it must not follow the URL either.
    sets.push("token_sealed = ''");
  }
  db.prepare(`UPDATE supervisors SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
  return { ok: true, target: getSupervisorTarget(db, id)! };
}

export function deleteSupervisor(db: Database.Database, id: string): boolean {
  return db.prepare("DELETE FROM supervisors WHERE id = ?").run(id).changes > 0;
}
