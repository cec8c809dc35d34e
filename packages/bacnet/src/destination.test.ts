import { describe, expect, it } from "vitest";
import { type Destination, decodeDestinations, destinationAccepts, destinationOctets } from "./destination";

const supervisor: Destination = {
  validDays: [true, true, true, true, true, false, false],
  fromMs: 7 * 3_600_000,
  toMs: 18 * 3_600_000 + 30 * 60_000,
  address: { ip: "10.1.2.3", port: 47809, net: 0 },
  processId: 0x424d53,
  confirmed: true,
  transitions: [true, false, true],
};

/** The list as AddListElement carries it: the elements, then the closing tag [3]. */
const asList = (d: Destination[]) => Buffer.concat([destinationOctets(d), Buffer.from([0x3f])]);

describe("BACnetDestination codec", () => {
  it("round-trips two destinations through the wire form", () => {
    const other = { ...supervisor, address: { ip: "127.0.0.9", port: 47808, net: 0 }, confirmed: false };
    const octets = asList([supervisor, other]);
    const decoded = decodeDestinations(octets, 0, octets.length);
    expect(decoded?.destinations).toEqual([supervisor, other]);
    expect(decoded?.len).toBe(octets.length - 1);
  });

  it("refuses a list whose element is cut short or has a wrong tag, instead of keeping half", () => {
    const octets = asList([supervisor]);
    expect(decodeDestinations(octets.subarray(0, octets.length - 4), 0, octets.length - 4)).toBeUndefined();
    const wrong = Buffer.from(octets);
    wrong[0] = 0x21; // an Unsigned where Valid_Days' bit string belongs
    expect(decodeDestinations(wrong, 0, wrong.length)).toBeUndefined();
  });

  it("takes a notification only on its days, in its hours, for its transitions", () => {
    const tuesday10 = new Date(2026, 11, 1, 10, 0, 0);
    const saturday10 = new Date(2026, 11, 5, 10, 0, 0);
    const tuesday19 = new Date(2026, 11, 1, 19, 0, 0);
    expect(destinationAccepts(supervisor, 0, tuesday10)).toBe(true);
    expect(destinationAccepts(supervisor, 1, tuesday10)).toBe(false); // to-fault not wanted
    expect(destinationAccepts(supervisor, 0, saturday10)).toBe(false);
    expect(destinationAccepts(supervisor, 0, tuesday19)).toBe(false);
  });
});
