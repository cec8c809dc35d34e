import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type BufferedRecord, StoreAndForward } from "./store-and-forward";

const point = (i: number): BufferedRecord => ({
  kind: "point",
  ref: `bacnet:1/analogValue:${i % 3}.presentValue`,
  value: i,
  quality: "good",
  ts: 1_000 + i,
});

describe("Sparkplug store-and-forward buffer", () => {
  it("keeps everything inside the bound, in order, across a reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "bms-sf-"));
    const buffer = new StoreAndForward(dir, 100);
    buffer.push(Array.from({ length: 60 }, (_, i) => point(i)));
    buffer.push([{ kind: "alarm", ref: "high-temp", value: '{"kind":"raised"}', quality: "good", ts: 5 }]);
    buffer.setMeta("bdSeq", 7);
    buffer.close();
    const again = new StoreAndForward(dir, 100);
    expect(again.size).toBe(61);
    expect(again.meta("bdSeq")).toBe(7);
    const rows = again.peek(1000);
    expect(rows.map((r) => r.value).slice(0, 60)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(rows[60]).toMatchObject({ kind: "alarm", ref: "high-temp", value: '{"kind":"raised"}' });
    again.remove(rows[29]!.id);
    expect(again.size).toBe(31);
    expect(again.peek(1)[0]!.value).toBe(30);
    again.close();
  });

  it("drops the oldest first past the bound and counts them", () => {
    const buffer = new StoreAndForward(mkdtempSync(join(tmpdir(), "bms-sf-")), 50);
    for (let i = 0; i < 120; i += 10) buffer.push(Array.from({ length: 10 }, (_, k) => point(i + k)));
    expect(buffer.size).toBe(50);
    expect(buffer.dropped).toBe(70);
    const values = buffer.peek(100).map((r) => r.value);
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => 70 + i));
    buffer.close();
  });
});
