import { describe, expect, it } from "vitest";
import { MemoryPointIO } from "../../test/memory-plugin";
import { PointIORegistry } from "../protocols/registry";
import { ChangeFeed } from "./change-feed";

async function setup() {
  const registry = new PointIORegistry(() => 5_000);
  const pushing = new MemoryPointIO("mem", () => 5_000);
  const polled = new MemoryPointIO("poll", () => 5_000);
  (polled.capabilities as { subscribe: boolean }).subscribe = false;
  registry.register({ name: "mem", protocol: "mem", version: "1" }, pushing);
  registry.register({ name: "poll", protocol: "poll", version: "1" }, polled);
  await registry.start();
  const changed: string[][] = [];
  const feed = new ChangeFeed(registry, (refs) => changed.push([...refs]));
  return { registry, feed, changed };
}

describe("ChangeFeed", () => {
  it("subscribes the refs of plugins that push, caches what they push, and reports changes only", async () => {
    const { registry, feed, changed } = await setup();
    await feed.set(["mem:a", "poll:b", "bacnet:1/analogInput:1", "mem:a"]);
    expect(feed.status()).toEqual([{ ref: "mem:a", mode: "push" }]);
    await registry.write([
      { ref: "mem:a", value: 1 },
      { ref: "poll:b", value: 2 },
    ]);
    expect(changed).toEqual([["mem:a"]]);
    expect(feed.cached("mem:a")).toMatchObject({ value: 1, quality: "good" });
    expect(feed.cached("poll:b")).toBeUndefined();
    await registry.write([{ ref: "mem:a", value: 1 }]);
    expect(changed).toHaveLength(1);
    await registry.write([{ ref: "mem:a", value: 3 }]);
    expect(changed).toEqual([["mem:a"], ["mem:a"]]);
  });

  it("drops a ref no flow watches any more, and forgets its value", async () => {
    const { registry, feed, changed } = await setup();
    await feed.set(["mem:a"]);
    await registry.write([{ ref: "mem:a", value: 1 }]);
    await feed.set(["mem:c"]);
    expect(feed.cached("mem:a")).toBeUndefined();
    await registry.write([{ ref: "mem:a", value: 2 }]);
    expect(changed).toEqual([["mem:a"]]);
    await feed.stop();
    await registry.write([{ ref: "mem:c", value: 2 }]);
    expect(changed).toHaveLength(1);
    expect(feed.status()).toEqual([]);
  });

  it("keeps the value of a ref still watched when the watched set changes, and shows the plugin's own modes", async () => {
    const { registry, feed } = await setup();
    const detailed = new MemoryPointIO("cov", () => 5_000);
    Object.assign(detailed, {
      subscriptions: () => [{ ref: "cov:x", mode: "poll", reason: "COV refused: unknown object" }],
    });
    registry.register({ name: "cov", protocol: "cov", version: "1" }, detailed);
    await feed.set(["mem:a", "cov:x"]);
    await registry.write([{ ref: "mem:a", value: 7 }]);
    await feed.set(["mem:a", "cov:x", "mem:b"]);
    expect(feed.cached("mem:a")).toMatchObject({ value: 7 });
    expect(feed.status()).toEqual([
      { ref: "mem:a", mode: "push" },
      { ref: "cov:x", mode: "poll", reason: "COV refused: unknown object" },
      { ref: "mem:b", mode: "push" },
    ]);
  });
});
