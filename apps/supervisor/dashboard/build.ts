/**
 * Builds the dashboard into dashboard/dist: one hashed JS and one hashed CSS file, an index.html that
 * names them, and .br/.gz copies of each so the supervisor serves them compressed without spending CPU.
 * Runs at `pnpm install` (postinstall) and with `pnpm --filter @bms/supervisor build:dashboard`.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const dist = join(here, "dist");
// Built aside and swapped in whole, so a running supervisor never serves half a build.
const staging = join(here, `dist.tmp-${process.pid}`);

/** Budget from issue 7: a Raspberry Pi serves this to tablets. */
const JS_BUDGET_GZIP = 300 * 1024;

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, "assets"), { recursive: true });
  const result = await build({
    entryPoints: { app: join(here, "src/main.tsx") },
    outdir: join(staging, "assets"),
    entryNames: "[name]-[hash]",
    bundle: true,
    minify: true,
    format: "esm",
    // Tablets on a building LAN are often a few years old: ES2020 runs on Safari 14 and Chrome 80 and later.
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });

  const outputs = Object.keys(result.metafile.outputs).map((p) => join(process.cwd(), p));
  const js = outputs.find((p) => p.endsWith(".js"));
  const css = outputs.find((p) => p.endsWith(".css"));
  if (!js || !css) throw new Error(`expected one .js and one .css output, got ${outputs.join(", ")}`);
  const asset = (p: string) => relative(staging, p).split("\\").join("/");

  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>BMS Supervisor</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%230369a1'/%3E%3Crect x='3' y='3' width='5' height='10' fill='white'/%3E%3C/svg%3E">
<link rel="stylesheet" href="/${asset(css)}">
<script type="module" src="/${asset(js)}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the supervisor dashboard…</p></div>
<noscript>This dashboard needs JavaScript.</noscript>
</body>
</html>
`;
  writeFileSync(join(staging, "index.html"), html);

  const sizes: Record<string, { raw: number; gzip: number; brotli: number }> = {};
  for (const file of [join(staging, "index.html"), js, css]) {
    const bytes = readFileSync(file);
    const gz = gzipSync(bytes, { level: 9 });
    const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
    writeFileSync(`${file}.gz`, gz);
    writeFileSync(`${file}.br`, br);
    sizes[basename(file)] = { raw: bytes.length, gzip: gz.length, brotli: br.length };
  }
  writeFileSync(
    join(staging, "build.json"),
    `${JSON.stringify({ built_at: new Date().toISOString(), sizes }, null, 2)}\n`,
  );

  rmSync(dist, { recursive: true, force: true });
  renameSync(staging, dist);

  const jsGzip = sizes[basename(js)]!.gzip;
  const cssGzip = sizes[basename(css)]!.gzip;
  console.log(
    `[dashboard] built in ${Date.now() - started} ms: JS ${(jsGzip / 1024).toFixed(1)} KB gzip, CSS ${(cssGzip / 1024).toFixed(1)} KB gzip -> ${relative(process.cwd(), dist) || "."}`,
  );
  if (jsGzip > JS_BUDGET_GZIP) {
    throw new Error(`dashboard JS is ${jsGzip} bytes gzipped, over the ${JS_BUDGET_GZIP} byte budget`);
  }
}

main().catch((error: unknown) => {
  rmSync(staging, { recursive: true, force: true });
  console.error(`[dashboard] build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
