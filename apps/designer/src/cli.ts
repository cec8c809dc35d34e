// `pnpm designer user add|list|remove|passwd`: account management without a browser, against the same
// projects.db the server uses (BMS_DATA_DIR or <repo>/data). Passwords come from a prompt or stdin,
// never from the command line, where `ps` and shell history would keep them.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { type Role, RoleSchema } from "@bms/schemas";
import { appendAudit } from "./lib/auth/audit-repository";
import {
  createUser,
  deleteUser,
  findUserByName,
  listUsers,
  NewPasswordSchema,
  UserNameSchema,
  updateUser,
} from "./lib/auth/users-repository";
import { getDb } from "./lib/db/client";

const USAGE = `usage:
  pnpm designer user add <name> --role admin|operator|viewer [--password-stdin]
  pnpm designer user list
  pnpm designer user remove <name>
  pnpm designer user passwd <name> [--password-stdin]
  pnpm designer user role <name> admin|operator|viewer`;

function fail(message: string): never {
  console.error(`bms-designer: ${message}`);
  process.exit(1);
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text.replace(/\r?\n$/, "");
}

/** Asks twice without echo when stdin is a terminal; reads one line from a pipe otherwise. */
async function askPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) return readStdin();
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      const output = rl as unknown as { _writeToOutput: (s: string) => void };
      process.stdout.write(prompt);
      output._writeToOutput = () => undefined; // no echo
      rl.question("", (answer) => {
        rl.close();
        process.stdout.write("\n");
        resolve(answer);
      });
    });
  const first = await ask("Password (12+ characters): ");
  if ((await ask("Repeat: ")) !== first) fail("the two passwords differ");
  return first;
}

function checked<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) fail(`${what}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data;
}

function audit(action: string, target: string, details?: Record<string, unknown>): void {
  const who = process.env.SUDO_USER ?? process.env.USER ?? "cli";
  appendAudit(getDb(), {
    actor: { kind: "system", name: `cli:${who}`, role: null },
    source: "cli",
    action,
    target,
    result: "ok",
    ...(details ? { details } : {}),
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { role: { type: "string" }, "password-stdin": { type: "boolean", default: false } },
  });
  const [noun, verb, name, extra] = positionals;
  if (noun !== "user" || !verb) fail(USAGE);
  const db = getDb();
  switch (verb) {
    case "list": {
      for (const user of listUsers(db)) console.log(`${user.name}\t${user.role}\tcreated ${user.created_at}`);
      return;
    }
    case "add": {
      const userName = checked(UserNameSchema, name, "name");
      const role = checked(RoleSchema, values.role, "--role") as Role;
      const password = checked(
        NewPasswordSchema,
        await askPassword(values["password-stdin"] ?? false),
        "password",
      );
      const created = await createUser(db, { name: userName, role, password });
      if (!created.ok) fail(created.message);
      audit("user.create", `user:${userName}`, { role });
      console.log(`user ${userName} added with role ${role}`);
      return;
    }
    case "remove": {
      const user = findUserByName(db, checked(UserNameSchema, name, "name")) ?? fail(`no user ${name}`);
      const removed = deleteUser(db, user.id);
      if (!removed.ok) fail(removed.message);
      audit("user.delete", `user:${user.name}`);
      console.log(`user ${user.name} removed; their sessions ended`);
      return;
    }
    case "passwd": {
      const user = findUserByName(db, checked(UserNameSchema, name, "name")) ?? fail(`no user ${name}`);
      const password = checked(
        NewPasswordSchema,
        await askPassword(values["password-stdin"] ?? false),
        "password",
      );
      const updated = await updateUser(db, user.id, { password });
      if (!updated.ok) fail(updated.message);
      audit("user.update", `user:${user.name}`, { password_reset: true });
      console.log(`password of ${user.name} changed; their sessions ended`);
      return;
    }
    case "role": {
      const user = findUserByName(db, checked(UserNameSchema, name, "name")) ?? fail(`no user ${name}`);
      const role = checked(RoleSchema, extra, "role") as Role;
      const updated = await updateUser(db, user.id, { role });
      if (!updated.ok) fail(updated.message);
      audit("user.update", `user:${user.name}`, { role });
      console.log(`${user.name} is now ${role}`);
      return;
    }
    default:
      fail(USAGE);
  }
}

await main();
