import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { type Role, RoleSchema } from "@bms/schemas";
import { TokenNameSchema } from "./routes/auth";
import { AuditRepo } from "./storage/audit-repo";
import { openDatabase } from "./storage/database";
import { type ApiToken, TokensRepo } from "./storage/tokens-repo";

/**
 * `bms-supervisor token add|list|revoke`: the same table the API manages, opened directly in the data
 * directory (runtime.db is in WAL mode, so this works while the server runs, and the server sees a new
 * or revoked token on its next request). Changes are audited as done by the CLI's OS user.
 */
function open(dataDir: string) {
  // A mistyped --data-dir must not quietly create a second database the server never reads.
  if (!existsSync(join(dataDir, "runtime.db")))
    throw new Error(`no runtime.db in ${dataDir}: start the supervisor there once, or check --data-dir`);
  const db = openDatabase(dataDir);
  return { db, tokens: new TokensRepo(db), audit: new AuditRepo(db) };
}

function cliActor() {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return { kind: "system" as const, name: `cli (${user})`, role: null };
}

/** `30d`, `12h`, `90m`, or an ISO date; answers ms since epoch. */
export function parseExpiry(text: string, now = Date.now()): number {
  const relative = /^(\d+)\s*(m|h|d)$/.exec(text.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "m" | "h" | "d"];
    return now + Number(relative[1]) * unit;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new Error(`--expires: "${text}" is not 30d/12h/90m or a date`);
  if (at <= now) throw new Error(`--expires: ${text} is in the past`);
  return at;
}

export function addToken(dataDir: string, name: string, role: string, expires?: string): void {
  const parsedName = TokenNameSchema.safeParse(name);
  if (!parsedName.success) throw new Error(`token name: ${parsedName.error.issues[0]?.message}`);
  const parsedRole = RoleSchema.safeParse(role);
  if (!parsedRole.success) throw new Error(`--role must be viewer, operator or admin, not "${role}"`);
  const expiresAt = expires ? parseExpiry(expires) : null;
  const { db, tokens, audit } = open(dataDir);
  try {
    const { token, secret } = tokens.create({
      name: parsedName.data,
      role: parsedRole.data as Role,
      createdBy: cliActor().name,
      expiresAt,
    });
    audit.add({
      actor: cliActor(),
      source: "cli",
      action: "token.create",
      target: token.name,
      result: "ok",
      details: { id: token.id, role: token.role, expires_at: token.expires_at },
    });
    console.log(
      `token ${token.id} "${token.name}" (${token.role}${token.expires_at ? `, expires ${token.expires_at}` : ""}) created.`,
    );
    console.log("The secret is shown once; give it to the client now (Authorization: Bearer <secret>):");
    console.log(secret);
  } finally {
    db.close();
  }
}

function describe(t: ApiToken): string {
  const state = t.revoked_at
    ? `revoked ${t.revoked_at}`
    : t.expires_at && Date.parse(t.expires_at) <= Date.now()
      ? `expired ${t.expires_at}`
      : t.expires_at
        ? `valid until ${t.expires_at}`
        : "valid";
  return [
    String(t.id).padStart(4),
    t.name.padEnd(24),
    t.role.padEnd(8),
    state.padEnd(36),
    `last used ${t.last_used_at ?? "never"}`,
  ].join("  ");
}

export function listTokens(dataDir: string): void {
  const { db, tokens } = open(dataDir);
  try {
    const all = tokens.list();
    if (all.length === 0) console.log("no named tokens (the bootstrap admin token is BMS_SUPERVISOR_TOKEN)");
    for (const t of all) console.log(describe(t));
  } finally {
    db.close();
  }
}

export function revokeToken(dataDir: string, idText: string): void {
  const id = Number(idText);
  if (!Number.isInteger(id) || id < 1) throw new Error(`"${idText}" is not a token id (see \`token list\`)`);
  const { db, tokens, audit } = open(dataDir);
  try {
    if (!tokens.revoke(id)) throw new Error(`no token with id ${id}`);
    const token = tokens.get(id)!;
    audit.add({
      actor: cliActor(),
      source: "cli",
      action: "token.revoke",
      target: token.name,
      result: "ok",
      details: { id, role: token.role },
    });
    console.log(`token ${id} "${token.name}" revoked`);
  } finally {
    db.close();
  }
}
