// `pnpm release [--sign <ed25519-private-key.pem>] [--version <v>] [--out <dir>]`
// Writes dist/bms-supervisor-<version>-linux-<arch>.tar.gz: a supervisor that runs with only Node.js.
//
// Why esbuild: it is already the supervisor's bundler (the script worker is built with it), it bundles the
// whole TypeScript workspace in well under a second without a separate tsc step, and its output is one
// plain ES module, so the installed supervisor loads no tsx and no .ts sources (start-up is measured in
// bench/bundle.bench.ts). Only what cannot be bundled stays a package beside it: better-sqlite3 (native
// addon) and quickjs-emscripten (finds its .wasm next to its own module).
//
// Layout of the unpacked bundle (the import.meta.url-relative paths of the sources land on these):
//   bin/bms-supervisor            runs the supervisor once (`node lib/app/supervisor.mjs "$@"`)
//   bin/bms-supervisor-launcher   runs the installed current version, switches and rolls back (OTA)
//   lib/app/supervisor.mjs        the bundled supervisor; lib/app/script-worker.mjs its script worker
//   lib/launcher.mjs              the launcher (plain JS, no dependencies)
//   lib/node-flags.mjs            the V8 flags both run the supervisor with by default
//   lib/package.json              name and version (the supervisor reports it)
//   lib/modbus-profiles/          the shipped Modbus profiles
//   lib/node_modules/             better-sqlite3 (with its native build) and quickjs-emscripten
//   dashboard/dist/               the dashboard's static assets
//   install/                      install.sh and the systemd unit
import { execFileSync } from "node:child_process";
import { createPrivateKey, sign } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { arch } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_MALLOC_ARENA_MAX, DEFAULT_NODE_FLAGS } from "./release/node-flags.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const supervisorDir = join(root, "apps", "supervisor");
// esbuild is the supervisor's dependency, not the root's.
const { build } = await import(
  pathToFileURL(createRequire(join(supervisorDir, "package.json")).resolve("esbuild")).href
);
const { values } = parseArgs({
  options: { sign: { type: "string" }, version: { type: "string" }, out: { type: "string" } },
});
const version =
  values.version ?? JSON.parse(readFileSync(join(supervisorDir, "package.json"), "utf8")).version;
if (!/^[0-9A-Za-z.+-]+$/.test(version))
  throw new Error(`version ${version} has characters a path cannot hold`);
const outDir = values.out ?? join(root, "dist");
const name = `bms-supervisor-${version}-linux-${arch()}`;
const stage = join(outDir, name);
rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, "lib", "app"), { recursive: true });

// Packages kept outside the bundle, copied with their runtime dependencies.
const EXTERNAL = ["better-sqlite3", "quickjs-emscripten"];
// Dependencies only used to install a package (prebuild-install fetches a native build at npm install
// time; the bundle carries the build itself). serialport is modbus-serial's optional RTU dependency,
// loaded in a try/catch: the bundle speaks Modbus TCP.
const NOT_AT_RUNTIME = new Set(["prebuild-install", "serialport"]);

const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  external: [...EXTERNAL, ...NOT_AT_RUNTIME, "esbuild"],
  // V8 keeps the whole script source in the heap; one non-ASCII character in a kept comment made it a
  // two-byte string (13.7 MB for a 6.9 MB file). Whitespace and comments out, identifiers kept (stack
  // traces stay readable), licence comments moved to a .LEGAL.txt beside the bundle.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "external",
  charset: "ascii",
  // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __bmsRequire } from 'node:module'; const require = __bmsRequire(import.meta.url);",
  },
};
await build({
  ...common,
  entryPoints: [join(supervisorDir, "src", "cli.ts")],
  outfile: join(stage, "lib", "app", "supervisor.mjs"),
});
await build({
  ...common,
  entryPoints: [join(supervisorDir, "src", "engine", "script-worker.ts")],
  outfile: join(stage, "lib", "app", "script-worker.mjs"),
});
cpSync(join(root, "scripts", "release", "launcher.mjs"), join(stage, "lib", "launcher.mjs"));
cpSync(join(root, "scripts", "release", "node-flags.mjs"), join(stage, "lib", "node-flags.mjs"));
writeFileSync(
  join(stage, "lib", "package.json"),
  `${JSON.stringify({ name: "bms-supervisor", version, private: true, type: "module" }, null, 2)}\n`,
);
cpSync(join(root, "packages", "schemas", "modbus-profiles"), join(stage, "lib", "modbus-profiles"), {
  recursive: true,
});
const dashboard = join(supervisorDir, "dashboard", "dist");
if (!existsSync(dashboard))
  execFileSync("pnpm", ["--filter", "@bms/supervisor", "build:dashboard"], { cwd: root, stdio: "inherit" });
cpSync(dashboard, join(stage, "dashboard", "dist"), { recursive: true });

// Copies a package (resolved from `fromDir` as Node would) and, flat beside it, its runtime dependencies.
const copied = new Set();
function copyPackage(pkg, fromDir) {
  if (copied.has(pkg) || NOT_AT_RUNTIME.has(pkg)) return;
  copied.add(pkg);
  const req = createRequire(join(fromDir, "noop.js"));
  let manifest;
  try {
    manifest = req.resolve(`${pkg}/package.json`);
  } catch {
    const entry = req.resolve(pkg);
    let dir = dirname(entry);
    while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
    manifest = join(dir, "package.json");
  }
  const dir = realpathSync(dirname(manifest));
  const target = join(stage, "lib", "node_modules", pkg);
  cpSync(dir, target, {
    recursive: true,
    dereference: true,
    // The native build is all better-sqlite3 needs; its C sources and the compiler's leftovers are not.
    filter: (src) => !/[/\\](deps|src|node_modules|obj\.target|\.deps)$/.test(src) || src === dir,
  });
  const deps = JSON.parse(readFileSync(manifest, "utf8")).dependencies ?? {};
  for (const dep of Object.keys(deps)) copyPackage(dep, dir);
}
const nodesDir = join(root, "packages", "nodes");
copyPackage("better-sqlite3", supervisorDir);
copyPackage("quickjs-emscripten", nodesDir);

mkdirSync(join(stage, "bin"));
const sh = (entry) =>
  `#!/bin/sh\n# Needs only Node.js (20 or newer) on the PATH, or NODE set to its path.\n# BMS_NODE_FLAGS: V8 flags for the supervisor (default ${DEFAULT_NODE_FLAGS}; see docs/install.md).\nset -e\nhere=$(dirname "$(readlink -f "$0")")\nexport MALLOC_ARENA_MAX="\${MALLOC_ARENA_MAX-${DEFAULT_MALLOC_ARENA_MAX}}"\nexec "\${NODE:-node}" \${BMS_NODE_FLAGS-${DEFAULT_NODE_FLAGS}} "$here/../lib/${entry}" "$@"\n`;
writeFileSync(join(stage, "bin", "bms-supervisor"), sh("app/supervisor.mjs"));
writeFileSync(join(stage, "bin", "bms-supervisor-launcher"), sh("launcher.mjs"));
chmodSync(join(stage, "bin", "bms-supervisor"), 0o755);
chmodSync(join(stage, "bin", "bms-supervisor-launcher"), 0o755);
cpSync(join(root, "scripts", "release", "install.sh"), join(stage, "install", "install.sh"));
cpSync(
  join(root, "scripts", "release", "bms-supervisor.service"),
  join(stage, "install", "bms-supervisor.service"),
);
chmodSync(join(stage, "install", "install.sh"), 0o755);

const tarball = join(outDir, `${name}.tar.gz`);
execFileSync("tar", ["-czf", tarball, "--owner=0", "--group=0", "-C", outDir, name]);
rmSync(stage, { recursive: true, force: true });
if (values.sign) {
  const key = createPrivateKey(readFileSync(values.sign));
  const signature = sign(null, readFileSync(tarball), key);
  writeFileSync(`${tarball}.sig`, `${signature.toString("base64")}\n`);
}
console.log(`release ${tarball}${values.sign ? ` (signed: ${tarball}.sig)` : ""}`);
