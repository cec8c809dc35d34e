import { describe, expect, it } from "vitest";
import { Limiter } from "./limiter";

/** A task that runs until `finish` is called, counting how many of its kind run at once. */
function gate(counter: { now: number; most: number; order: string[] }, name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const task = async () => {
    counter.now++;
    counter.most = Math.max(counter.most, counter.now);
    counter.order.push(name);
    await done;
    counter.now--;
  };
  return { task, finish: () => finish() };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Limiter", () => {
  it("keeps the limit when a caller arrives between a slot's release and the woken waiter's turn", async () => {
    const limiter = new Limiter(1);
    const counter = { now: 0, most: 0, order: [] as string[] };
    expect(limiter.tryEnter()).toBe(true); // a request of a steady scan, taken without a queued task
    const b = gate(counter, "b");
    const waiting = limiter.run(b.task);
    expect(limiter.pending).toBe(1);
    // The request answers: its slot is given back, and in the same turn the next request of the scan
    // tries the fast path and another caller queues, before the waiter woken by `leave` has run.
    limiter.leave();
    expect(limiter.tryEnter()).toBe(false);
    const c = gate(counter, "c");
    const later = limiter.run(c.task);
    await settle();
    expect(counter.order).toEqual(["b"]);
    expect(limiter.running).toBe(1);
    b.finish();
    await waiting;
    await settle();
    expect(counter.order).toEqual(["b", "c"]);
    c.finish();
    await later;
    expect(counter.most).toBe(1);
    expect(limiter.running).toBe(0);
    expect(limiter.tryEnter()).toBe(true);
  });

  it("runs at most `limit` tasks at once, in arrival order, and frees every slot at the end", async () => {
    const limiter = new Limiter(3);
    const counter = { now: 0, most: 0, order: [] as string[] };
    const gates = Array.from({ length: 10 }, (_, i) => gate(counter, `t${i}`));
    const runs = gates.map((g) => limiter.run(g.task));
    await settle();
    expect(counter.order).toEqual(["t0", "t1", "t2"]);
    expect(limiter.pending).toBe(7);
    // Several finish in one turn: each released slot goes to the next waiter while waiters remain.
    for (const g of gates.slice(0, 3)) g.finish();
    await settle();
    expect(counter.order).toEqual(["t0", "t1", "t2", "t3", "t4", "t5"]);
    for (const g of gates) g.finish();
    await Promise.all(runs);
    expect(counter.order).toEqual(gates.map((_, i) => `t${i}`));
    expect(counter.most).toBe(3);
    expect(limiter.running).toBe(0);
    expect(limiter.pending).toBe(0);
  });

  it("gives a slot back when a task throws, and the next waiter gets it", async () => {
    const limiter = new Limiter(1);
    const failing = limiter.run(async () => {
      throw new Error("device error");
    });
    const next = limiter.run(async () => "next");
    await expect(failing).rejects.toThrow("device error");
    await expect(next).resolves.toBe("next");
    expect(limiter.running).toBe(0);
  });
});
