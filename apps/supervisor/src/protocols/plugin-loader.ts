import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PLUGIN_SCHEME } from "@bms/schemas";
import type { PointIOPluginModule } from "./point-io";

/** A plugins directory or configuration file that cannot be used: the supervisor does not start. */
export class PluginLoadError extends Error {
  override name = "PluginLoadError";
  constructor(
    readonly code:
      | "config_unreadable"
      | "config_invalid"
      | "dir_unreadable"
      | "dir_unsafe"
      | "module_invalid",
    /** The file or directory at fault, named in the message too. */
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** Each plugin's section of the configuration file, by protocol (`{"mqtt": {...}, "virtual": {...}}`). */
export type PluginsConfig = Record<string, unknown>;

/**
 * Reads `--plugins-config`: one JSON object whose keys are protocols and whose values are handed,
 * unvalidated, to that plugin as `context.config` (each plugin validates its own section).
 */
export function loadPluginsConfig(path: string): PluginsConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new PluginLoadError(
      "config_unreadable",
      path,
      `cannot read the plugins configuration (${errnoText(error)})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PluginLoadError(
      "config_invalid",
      path,
      `the plugins configuration is not JSON: ${(error as Error).message}`,
    );
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new PluginLoadError(
      "config_invalid",
      path,
      'the plugins configuration must be a JSON object keyed by protocol, e.g. {"mqtt": {...}}',
    );
  }
  for (const key of Object.keys(parsed)) {
    if (!PLUGIN_SCHEME.test(key)) {
      throw new PluginLoadError(
        "config_invalid",
        path,
        `"${key}" is not a protocol name (a-z, 0-9, _ and -)`,
      );
    }
  }
  return parsed as PluginsConfig;
}

/**
 * Imports every plugin in `--plugins-dir`: each `*.js` / `*.mjs` file, and each folder with an
 * `index.js` / `index.mjs`, whose default export is a `PointIOPluginModule`. Loading a plugin runs its
 * code with the supervisor's rights, so a directory (or file) anyone on the machine may write to is
 * refused rather than trusted.
 */
export async function loadPluginsDir(dir: string): Promise<PointIOPluginModule[]> {
  let names: string[];
  try {
    checkNotWorldWritable(dir);
    names = readdirSync(dir).sort();
  } catch (error) {
    if (error instanceof PluginLoadError) throw error;
    throw new PluginLoadError(
      "dir_unreadable",
      dir,
      `cannot read the plugins directory (${errnoText(error)})`,
    );
  }
  const modules: PointIOPluginModule[] = [];
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    const file = entryFile(path);
    if (!file) continue;
    checkNotWorldWritable(file);
    let loaded: { default?: unknown };
    try {
      loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (error) {
      throw new PluginLoadError(
        "module_invalid",
        file,
        `the plugin failed to load: ${(error as Error).message}`,
      );
    }
    modules.push(checkPluginModule(loaded.default, file));
  }
  return modules;
}

/** Checks what a module exports before anything calls it. */
export function checkPluginModule(value: unknown, path: string): PointIOPluginModule {
  const problems: string[] = [];
  const m = (value ?? {}) as Partial<Record<keyof PointIOPluginModule, unknown>>;
  if (!value || typeof value !== "object") problems.push("has no default export object");
  else {
    if (typeof m.name !== "string" || m.name.length === 0 || m.name.length > 100)
      problems.push("name must be a non-empty string");
    if (typeof m.protocol !== "string" || !PLUGIN_SCHEME.test(m.protocol))
      problems.push("protocol must be 2-32 of a-z, 0-9, _ and -, starting with a letter");
    if (typeof m.version !== "string" || m.version.length === 0) problems.push("version must be a string");
    if (typeof m.create !== "function") problems.push("create must be a function");
  }
  if (problems.length > 0)
    throw new PluginLoadError("module_invalid", path, `not a PointIO plugin: ${problems.join("; ")}`);
  return value as PointIOPluginModule;
}

function entryFile(path: string): string | undefined {
  const stat = statSync(path);
  if (stat.isFile()) return /\.m?js$/.test(path) ? path : undefined;
  if (!stat.isDirectory()) return undefined;
  for (const index of ["index.mjs", "index.js"]) {
    const file = join(path, index);
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // Not this name; try the next.
    }
  }
  return undefined;
}

function checkNotWorldWritable(path: string): void {
  const stat = statSync(path);
  // The sticky bit does not help here: anyone could still add a file.
  if ((stat.mode & 0o002) !== 0) {
    throw new PluginLoadError(
      "dir_unsafe",
      path,
      "is writable by every user of the machine; plugins run with the supervisor's rights, so it is not loaded (chmod o-w)",
    );
  }
}

function errnoText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(error);
}
