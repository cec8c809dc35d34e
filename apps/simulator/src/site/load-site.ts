import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSite, type SiteIssue, type SiteSpec } from "./site-schema";

/** Sites that ship with the simulator, by name. */
export const BUILT_IN_SITES = ["skeleton", "demo"] as const;

export class SiteLoadError extends Error {
  constructor(
    readonly source: string,
    readonly issues: SiteIssue[],
  ) {
    super(`invalid site ${source}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
    this.name = "SiteLoadError";
  }
}

export interface SiteSource {
  /** A built-in name, or the absolute path of a JSON file (watched for changes). */
  label: string;
  file: string;
  builtIn: boolean;
}

const sitesDir = fileURLToPath(new URL("../sites/", import.meta.url));

/**
 * `--site demo` picks a built-in; anything else is a file path, relative to the directory the user
 * ran pnpm from (INIT_CWD), because `pnpm --filter exec` itself runs inside apps/simulator.
 */
export function resolveSiteSource(site: string, cwd: string): SiteSource {
  if ((BUILT_IN_SITES as readonly string[]).includes(site)) {
    return { label: site, file: resolve(sitesDir, `${site}.json`), builtIn: true };
  }
  const file = isAbsolute(site) ? site : resolve(cwd, site);
  return { label: file, file, builtIn: false };
}

export function loadSiteFile(source: SiteSource): SiteSpec {
  let text: string;
  try {
    text = readFileSync(source.file, "utf8");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new SiteLoadError(source.label, [{ path: "(file)", message: `cannot read: ${reason}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new SiteLoadError(source.label, [{ path: "(file)", message: `not valid JSON: ${reason}` }]);
  }
  const parsed = parseSite(json);
  if (!parsed.ok) throw new SiteLoadError(source.label, parsed.issues);
  return parsed.site;
}
