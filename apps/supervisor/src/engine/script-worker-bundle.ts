/**
 * The script worker as one plain JavaScript file, bundled from its TypeScript sources when the pool
 * first needs it. A worker started on the .ts sources would load tsx in its own thread and compile them
 * there: about 0.45 s of CPU per worker on a 2-core controller, against 0.04 s for the bundle. That is
 * paid again whenever a worker is replaced, so it matters. QuickJS itself stays outside the bundle (it
 * finds its .wasm file next to its own module) and is imported by its absolute path.
 *
 * The file goes into a directory of this process's own, mode 0700, so no other local user can swap it.
 *
 * A release bundle (`pnpm release`) ships the worker already built next to the supervisor's own bundle
 * (`script-worker.mjs`, read-only with the install), so it needs neither esbuild nor the .ts sources;
 * esbuild is imported only when that file is absent, i.e. when running from the repository.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ENTRY = fileURLToPath(new URL("./script-worker.ts", import.meta.url));
/** Where the release bundle puts the prebuilt worker: beside the bundled supervisor. */
const PREBUILT = new URL("./script-worker.mjs", import.meta.url);

export interface BundledWorker {
  url: URL;
  /** Removes the file and its directory. */
  remove(): void;
}

export async function bundleScriptWorker(): Promise<BundledWorker> {
  if (existsSync(PREBUILT)) return { url: PREBUILT, remove: () => {} };
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "silent",
    plugins: [
      {
        name: "quickjs-by-path",
        setup(b) {
          b.onResolve({ filter: /^quickjs-emscripten$/ }, async (args) => {
            if (args.pluginData === "resolving") return undefined;
            const resolved = await b.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              importer: args.importer,
              pluginData: "resolving",
            });
            if (resolved.errors.length > 0) return { errors: resolved.errors };
            return { path: pathToFileURL(resolved.path).href, external: true };
          });
        },
      },
    ],
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error("bundling the script worker produced no output");
  const dir = mkdtempSync(join(tmpdir(), "bms-script-worker-"));
  const file = join(dir, "script-worker.mjs");
  writeFileSync(file, code, { mode: 0o600 });
  return { url: pathToFileURL(file), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
