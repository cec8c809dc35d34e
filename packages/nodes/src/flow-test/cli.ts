import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { readTestedProject } from "./project-file";
import { junitXml, textReport } from "./report";
import { runProjectTests } from "./run-flow-tests";

/**
 * `pnpm flow-test <project-file> [--junit report.xml]`: runs a project's flow test cases headless on a
 * simulated clock. Exit 0: every case passed; 1: a case failed; 2: the file could not be read or the
 * project does not expand (each problem printed with its path).
 */
const USAGE = "usage: pnpm flow-test <project-file.json> [--junit <report.xml>]";

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const file = args.positionals[0];
  if (!file || args.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  // pnpm runs root scripts in the workspace root: paths are the caller's, from INIT_CWD.
  const base = process.env.INIT_CWD ?? process.cwd();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resolve(base, file), "utf8"));
  } catch (error) {
    process.stderr.write(`flow-test: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const doc = readTestedProject(raw);
  if (!doc.ok) {
    process.stderr.write(`flow-test: ${file} is not a project file:\n`);
    for (const p of doc.errors) process.stderr.write(`  ${p.path || "(file)"}: ${p.message}\n`);
    return 2;
  }
  const { problems, results } = await runProjectTests(doc.value);
  if (problems.length > 0) {
    process.stderr.write(`flow-test: the project does not expand:\n`);
    for (const p of problems) process.stderr.write(`  ${p.path}: ${p.message}\n`);
    return 2;
  }
  process.stdout.write(`flow-test ${file}: ${results.length} test cases\n\n${textReport(results)}`);
  if (args.values.junit) writeFileSync(resolve(base, args.values.junit), junitXml(results, file));
  return results.every((r) => r.passed) ? 0 : 1;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: { junit: { type: "string" } } });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`flow-test: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
