import { readdirSync } from "node:fs";
import { STRICT_CSP } from "@bms/security";

/**
 * The shared strict CSP with this response's nonce added to script-src: Next's production pages carry
 * inline scripts (the RSC payload, `self.__next_f.push`), which Next marks with the nonce it finds in
 * the request's CSP header. No 'unsafe-eval' and no 'unsafe-inline' for scripts.
 */
export function contentSecurityPolicy(nonce: string): string {
  return STRICT_CSP.replace("script-src 'self'", `script-src 'self' 'nonce-${nonce}'`);
}

/**
 * The test runner's Web Worker chunk (components/test-cases/test-run-client.ts names it): webpack's
 * production name, `/_next/static/chunks/flow-test-worker.<contenthash>.js`.
 */
const TEST_WORKER_FILE = /^flow-test-worker\.[0-9a-f]+\.js$/;
const CHUNKS_URL = "/_next/static/chunks/";

/**
 * The worker chunks this build holds (`chunksDir` is the build's .next/static/chunks), by URL path.
 * Only these get the worker's policy, so it goes to the one file it is for and to no other answer (a
 * path of the same shape whose file does not exist is Next's 404, which keeps the page's policy).
 */
export function builtTestWorkerScripts(chunksDir: string): ReadonlySet<string> {
  let files: string[];
  try {
    files = readdirSync(chunksDir);
  } catch {
    return new Set();
  }
  return new Set(files.filter((f) => TEST_WORKER_FILE.test(f)).map((f) => `${CHUNKS_URL}${f}`));
}

export function isTestWorkerScript(path: string, built: ReadonlySet<string>): boolean {
  return built.has(path);
}

/**
 * The policy of the test runner's worker (a dedicated worker loaded from a URL runs under its own
 * response's CSP, not its page's): the strict one plus 'wasm-unsafe-eval', which lets it compile
 * WebAssembly (the QuickJS sandbox that evaluates Script nodes) and nothing else: no JavaScript eval,
 * no inline script. The page's own script-src stays without it, so no page script can compile
 * WebAssembly; only this worker, whose code is ours, can.
 */
export function testWorkerContentSecurityPolicy(): string {
  return STRICT_CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'");
}
