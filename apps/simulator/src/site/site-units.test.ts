import { UNIT_SYMBOLS, unitsName } from "@bms/bacnet";
import { describe, expect, it } from "vitest";
import { buildSite } from "./build-site";
import { BUILT_IN_SITES, loadSiteFile, resolveSiteSource } from "./load-site";
import { scaleSite } from "./scale-site";

/** Every engineering unit an object of the site serves, by name. */
function unitsServed(site: ReturnType<typeof scaleSite>): Set<string> {
  const built = buildSite(site, "127.0.0.2");
  const names = new Set<string>();
  for (const device of built.devices) {
    for (const object of device.objects) if (object.units !== undefined) names.add(unitsName(object.units));
  }
  return names;
}

// The Designer and the dashboard show units through UNIT_SYMBOLS; a unit the simulator serves without a
// symbol would read as words ("liters per second") on every screen an integrator tries the product with.
describe("units the simulator's sites serve", () => {
  const sites = [
    ...BUILT_IN_SITES.map((name) => [name, loadSiteFile(resolveSiteSource(name, process.cwd()))] as const),
    ["scale", scaleSite(3)] as const,
  ];

  it.each(sites)("site %s: every unit has a display symbol", (_name, site) => {
    const served = unitsServed(site);
    expect(served.size).toBeGreaterThan(0);
    expect([...served].filter((name) => UNIT_SYMBOLS[name] === undefined)).toEqual([]);
  });
});
