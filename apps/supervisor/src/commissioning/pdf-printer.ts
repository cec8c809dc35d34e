import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Prints a report's HTML to PDF with a headless Chromium. The supervisor must run without a browser, so
 * Chromium is looked for only here (BMS_CHROMIUM, else /usr/bin/chromium) and its absence is a clear,
 * coded error, not a crash. The page is our own HTML with no script and no remote resource, and its CSP
 * (`default-src 'none'`) forbids both anyway. (Switching JavaScript off with --blink-settings makes
 * Chromium 150 exit 0 without writing the PDF.) The profile is a temporary directory removed afterwards.
 */

export type PdfErrorCode = "pdf_unavailable" | "pdf_failed";

export class PdfError extends Error {
  constructor(
    readonly code: PdfErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const chromiumPath = () => process.env.BMS_CHROMIUM ?? "/usr/bin/chromium";

const PRINT_TIMEOUT_MS = 60_000;

export async function printPdf(html: string): Promise<Buffer> {
  const chromium = chromiumPath();
  if (!existsSync(chromium))
    throw new PdfError(
      "pdf_unavailable",
      `no Chromium at ${chromium}: install it (apt install chromium) or set BMS_CHROMIUM to print PDF reports; the HTML report is available`,
    );
  const work = mkdtempSync(join(tmpdir(), "bms-report-"));
  try {
    const page = join(work, "report.html");
    const out = join(work, "report.pdf");
    writeFileSync(page, html);
    const args = [
      "--headless",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${join(work, "profile")}`,
      "--no-pdf-header-footer",
      `--print-to-pdf=${out}`,
      // Chromium refuses to run as root with its sandbox; a supervisor run as root gets it off.
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
      pathToFileURL(page).href,
    ];
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(chromium, args, { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => {
        if (stderr.length < 4000) stderr += c.toString();
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), PRINT_TIMEOUT_MS);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(new PdfError("pdf_unavailable", `Chromium did not start: ${error.message}`));
      });
      child.on("close", (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, stderr });
      });
    });
    if (code !== 0 || !existsSync(out))
      throw new PdfError("pdf_failed", `Chromium exited ${code} without a PDF: ${stderr.trim().slice(-500)}`);
    return readFileSync(out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
