import { PROPERTIES as P } from "@bms/bacnet";
import { describe, expect, it } from "vitest";
import { selectRecords } from "../device/services/read-range";
import { NC, SimNotificationClass } from "./notification-class";
import { EVENT_STATE, OutOfRange } from "./out-of-range";
import { ARRAY_ALL } from "./property-access";
import { SimObject } from "./sim-object";
import { SimTrendLog } from "./trend-log-object";

const input = () => new SimObject({ type: 0, instance: 1, name: "Supply Temp", initialValue: 20 });

describe("trend log", () => {
  it("logs once per interval boundary into a ring buffer numbered by Total_Record_Count", () => {
    const ai = input();
    const log = new SimTrendLog(1, "Log", ai, 1000, 3);
    for (let t = 10_000; t < 15_000; t += 250) {
      ai.setProcessValue(t / 1000);
      log.poll(t);
    }
    expect(log.totalRecordCount).toBe(5);
    expect(log.buffer.map((r) => [r.sequence, r.ts, r.value])).toEqual([
      [3, 12_000, 12],
      [4, 13_000, 13],
      [5, 14_000, 14],
    ]);
  });

  it("selects by position (both directions), by sequence number and by time", () => {
    const ai = input();
    const log = new SimTrendLog(1, "Log", ai, 1000, 10);
    for (let t = 0; t < 6000; t += 1000) log.poll(t);
    const seq = (r: { sequence: number }[]) => r.map((x) => x.sequence);
    expect(seq(selectRecords(log.buffer, { type: 0, position: 2, count: 3 }))).toEqual([2, 3, 4]);
    expect(seq(selectRecords(log.buffer, { type: 0, position: 4, count: -2 }))).toEqual([3, 4]);
    expect(seq(selectRecords(log.buffer, { type: 1, position: 5, count: 10 }))).toEqual([5, 6]);
    expect(seq(selectRecords(log.buffer, { type: 1, position: 3, count: -2 }))).toEqual([2, 3]);
    expect(seq(selectRecords(log.buffer, { type: 2, position: 0, time: new Date(2000), count: 2 }))).toEqual([
      4, 5,
    ]);
    expect(seq(selectRecords(log.buffer, { type: 2, position: 0, time: new Date(2000), count: -5 }))).toEqual(
      [1, 2],
    );
    expect(selectRecords(log.buffer, { type: 0, position: 99, count: 1 })).toEqual([]);
  });
});

describe("out-of-range intrinsic reporting", () => {
  it("waits Time_Delay, uses the deadband on the way back, and stamps each transition", () => {
    const ai = input();
    const alarm = new OutOfRange(ai, {
      highLimit: 30,
      lowLimit: 10,
      deadband: 2,
      timeDelayS: 5,
      notificationClass: 1,
      eventEnable: [true, true, true],
    });
    ai.alarm = alarm;
    ai.setProcessValue(31);
    expect(alarm.evaluate(new Date(1000), [true, true, false])).toBeUndefined();
    const high = alarm.evaluate(new Date(6000), [true, true, false]);
    expect(high).toMatchObject({ from: EVENT_STATE.normal, to: EVENT_STATE.highLimit, value: 31, limit: 30 });
    expect(ai.statusFlags.inAlarm).toBe(true);
    expect(alarm.acked).toEqual([false, true, true]);
    ai.setProcessValue(29); // inside the limit but not by the deadband
    expect(alarm.evaluate(new Date(20_000), [true, true, false])).toBeUndefined();
    expect(alarm.evaluate(new Date(30_000), [true, true, false])).toBeUndefined();
    ai.setProcessValue(27);
    alarm.evaluate(new Date(31_000), [true, true, false]);
    const normal = alarm.evaluate(new Date(36_000), [true, true, false]);
    expect(normal?.to).toBe(EVENT_STATE.normal);
    expect(alarm.acknowledge(EVENT_STATE.highLimit, new Date(5000))).toBe("invalid-time-stamp");
    expect(alarm.acknowledge(EVENT_STATE.highLimit, new Date(6000))).toBe("ok");
    expect(alarm.acked).toEqual([true, true, true]);
  });

  it("names the low limit when the value goes from above the high limit straight below the low one", () => {
    const ai = input();
    const config = { highLimit: 30, lowLimit: 10, deadband: 1, timeDelayS: 0, notificationClass: 1 };
    const alarm = new OutOfRange(ai, { ...config, eventEnable: [true, true, true] });
    ai.alarm = alarm;
    ai.setProcessValue(35);
    expect(alarm.evaluate(new Date(1000), [true, true, false])).toMatchObject({ limit: 30 });
    ai.setProcessValue(4);
    const low = alarm.evaluate(new Date(2000), [true, true, false]);
    expect(low).toMatchObject({ from: EVENT_STATE.highLimit, to: EVENT_STATE.lowLimit, value: 4, limit: 10 });
    ai.setProcessValue(20);
    expect(alarm.evaluate(new Date(3000), [true, true, false])).toMatchObject({
      to: EVENT_STATE.normal,
      limit: 10,
    });
  });
});

describe("the properties every object answers alike", () => {
  it("a Notification Class and a Trend Log name themselves and read Property_List by index", () => {
    const nc = new SimNotificationClass(7, "Critical", [80, 80, 200], [true, true, false]);
    const log = new SimTrendLog(2, "Supply Log", input(), 1000, 10);
    for (const o of [nc, log]) {
      expect(o.read(P.objectIdentifier, ARRAY_ALL)).toEqual({
        ok: true,
        values: [expect.objectContaining({ value: { type: o.type, instance: o.instance } })],
      });
      expect(o.read(P.objectName, ARRAY_ALL)).toEqual({
        ok: true,
        values: [expect.objectContaining({ value: o.name })],
      });
      const whole = o.read(P.propertyList, ARRAY_ALL);
      if (!whole.ok) throw new Error("Property_List unreadable");
      const listed = whole.values.map((v) => v.value);
      // Clause 12.1.1.4.1: the identity properties and Property_List itself are not listed.
      for (const id of [P.objectIdentifier, P.objectName, P.objectType, P.propertyList])
        expect(listed).not.toContain(id);
      expect(o.read(P.propertyList, 0)).toEqual({
        ok: true,
        values: [expect.objectContaining({ value: listed.length })],
      });
      expect(o.read(P.propertyList, 1)).toEqual({ ok: true, values: [whole.values[0]] });
      expect(o.read(P.propertyList, listed.length + 1)).toMatchObject({ ok: false });
    }
    expect(nc.read(P.propertyList, ARRAY_ALL)).toMatchObject({
      ok: true,
      values: expect.arrayContaining([expect.objectContaining({ value: NC.recipientList })]),
    });
  });
});
