// biome-ignore-all lint/suspicious/noTemplateCurlyInString: alert templates use ${} on purpose
import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, roundTrip, v } from "../testing/node-runner";
import { alert } from "./alert";

type Step = [InputSpec, number, InputSpec?];

function run(config: Record<string, unknown>, steps: Step[]) {
  const r = nodeRunner(alert, config, { aliases: { temp: v(27.25) } });
  const phases = steps.map(
    ([condition, ms, ack]) => r.run(ack === undefined ? { condition } : { condition, ack }, ms).state?.value,
  );
  return { phases, events: r.alerts.map((a) => a.state), r };
}

describe("alert", () => {
  const cases: [string, Record<string, unknown>, Step[], string[], string[]][] = [
    [
      "auto-reset: active then cleared, one event each",
      {},
      [
        [false, 0],
        [true, 1000],
        [true, 1000],
        [false, 1000],
      ],
      ["normal", "active", "active", "normal"],
      ["active", "cleared"],
    ],
    [
      "on-delay: active exactly at 300 s",
      { on_delay_s: 300 },
      [
        [true, 0],
        [true, 299_999],
        [true, 1],
      ],
      ["pending", "pending", "active"],
      ["active"],
    ],
    [
      "on-delay: a blip shorter than the delay raises nothing",
      { on_delay_s: 60 },
      [
        [true, 0],
        [false, 30_000],
        [true, 1000],
        [true, 59_000],
      ],
      ["pending", "normal", "pending", "pending"],
      [],
    ],
    [
      "off-delay: clears after 60 s normal, not before",
      { off_delay_s: 60 },
      [
        [true, 0],
        [false, 1000],
        [false, 59_999],
        [false, 1],
      ],
      ["active", "active", "active", "normal"],
      ["active", "cleared"],
    ],
    [
      "latched: stays after return to normal until acknowledged",
      { mode: "latched" },
      [
        [true, 0],
        [false, 1000],
        [false, 1000, true],
        [false, 1000, false],
      ],
      ["active", "returned", "normal", "normal"],
      ["active", "cleared"],
    ],
    [
      "latched: acknowledged while active, then clears on return",
      { mode: "latched" },
      [
        [true, 0],
        [true, 1000, true],
        [false, 1000],
      ],
      ["active", "acknowledged", "normal"],
      ["active", "acknowledged", "cleared"],
    ],
    [
      "a held ack is one acknowledgement (rising edge)",
      { mode: "latched" },
      [
        [true, 0, true],
        [true, 1000, true],
        [false, 1000, true],
      ],
      ["acknowledged", "acknowledged", "normal"],
      ["active", "acknowledged", "cleared"],
    ],
    [
      "a bad, null or NaN condition neither raises nor clears",
      {},
      [
        [true, 0],
        [v(false, "bad"), 1000],
        [null, 1000],
        [Number.NaN, 1000],
        [false, 1000],
      ],
      ["active", "active", "active", "active", "normal"],
      ["active", "cleared"],
    ],
    [
      "on_bad_condition alarm: a failed sensor is an alarm",
      { on_bad_condition: "alarm" },
      [
        [false, 0],
        [v(null, "bad"), 1000],
      ],
      ["normal", "active"],
      ["active"],
    ],
  ];
  it.each(cases)("%s", (_name, config, steps, phases, events) => {
    const result = run(config, steps);
    expect(result.phases).toEqual(phases);
    expect(result.events).toEqual(events);
  });

  it("renders the template at activation, with the key, priority and webhook", () => {
    const { r } = run(
      {
        message: "Temperature high: $temp (${round(value, 1)} limit)",
        priority: "high",
        key: "ahu1-hi",
        webhook_url: "https://hooks.example.com/x",
      },
      [],
    );
    const out = r.run({ condition: true, value: 26.04 });
    expect(out.message?.value).toBe("Temperature high: 27.25 (26 limit)");
    expect(r.alerts).toEqual([
      {
        key: "ahu1-hi",
        state: "active",
        priority: "high",
        message: "Temperature high: 27.25 (26 limit)",
        latched: false,
        webhookUrl: "https://hooks.example.com/x",
        nodeId: "node",
        timestamp: r.now,
      },
    ]);
  });

  it("is acknowledged through the API parameter alert_ack:<key>", () => {
    const r = nodeRunner(alert, { mode: "latched", key: "k" });
    r.run({ condition: true });
    r.parameters.set("alert_ack:k", 1);
    expect(r.run({ condition: true }, 1000).state?.value).toBe("acknowledged");
    expect(r.run({ condition: true }, 1000).state?.value).toBe("acknowledged");
  });

  it("keeps its phase across a restart and does not re-emit", () => {
    const r = nodeRunner(alert, {});
    r.run({ condition: true });
    r.state = roundTrip(r.state);
    r.run({ condition: true }, 1000);
    expect(r.alerts.map((a) => a.state)).toEqual(["active"]);
  });

  it("refuses hostile templates and non-http webhooks", () => {
    expect(
      alert.config.safeParse({ message: "${constructor.constructor('return process')()}" }).success,
    ).toBe(false);
    expect(alert.config.safeParse({ webhook_url: "file:///etc/passwd" }).success).toBe(false);
  });
});
