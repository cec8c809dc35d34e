import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { demoSiteExport } from "../src/starters/demo-export";

/** Writes examples/demo-site.bms.json from the demo site and its test cases. */
const target = fileURLToPath(new URL("../../../examples/demo-site.bms.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(demoSiteExport(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
