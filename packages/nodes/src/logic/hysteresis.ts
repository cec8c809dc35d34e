import { z } from "zod";
import { defineNode } from "../core/types";
import { asNumber, derive } from "../core/values";

export const hysteresis = defineNode({
  type: "hysteresis",
  version: 1,
  category: "logic",
  label: "Hysteresis",
  icon: "waves",
  description:
    "On/off control with a deadband centred on the setpoint (the `setpoint` input when connected, else the " +
    "configured one). Direct acting (cooling): on when value >= setpoint + deadband/2, off when value <= " +
    "setpoint - deadband/2. Reverse acting (heating): on when value <= setpoint - deadband/2, off when " +
    "value >= setpoint + deadband/2. Inside the band the output keeps its state; it starts off. A bad, " +
    "null or NaN value or setpoint freezes the state and propagates bad quality (the value carried is the " +
    "frozen state, so downstream writes hold).",
  // Positional (run): inputs[0] value, inputs[1] setpoint; outputs[0] output.
  inputs: [
    { name: "value", type: "number", label: "Value", required: true },
    { name: "setpoint", type: "number", label: "Setpoint" },
  ],
  outputs: [{ name: "output", type: "boolean", label: "Output" }],
  config: z.object({
    setpoint: z.number().default(0).describe("Used when the setpoint input is not connected"),
    deadband: z.number().min(0).default(1).describe("Total band width, in the value's units"),
    action: z.enum(["direct", "reverse"]).default("direct").describe("direct: on when high (cooling)"),
  }),
  // Inside the deadband the saved side decides the output.
  statePersistence: "on_change",
  initialState: () => ({ on: false }),
  run(inputs, config, state, ctx, outputs) {
    const valueIn = inputs[0];
    const setpointIn = inputs[1];
    const value = asNumber(valueIn);
    const setpoint = setpointIn ? asNumber(setpointIn) : config.setpoint;
    const broken =
      valueIn?.quality === "bad" ? valueIn : setpointIn?.quality === "bad" ? setpointIn : undefined;
    if (value === undefined || setpoint === undefined || broken) {
      const reason = broken?.reason ?? "value or setpoint is not a number";
      outputs[0] = { value: state.on, quality: "bad", timestamp: ctx.now, reason };
      return;
    }
    const high = setpoint + config.deadband / 2;
    const low = setpoint - config.deadband / 2;
    if (config.action === "direct") {
      if (value >= high) state.on = true;
      else if (value <= low) state.on = false;
    } else if (value <= low) {
      state.on = true;
    } else if (value >= high) {
      state.on = false;
    }
    outputs[0] = derive(state.on, [valueIn, setpointIn], ctx.now);
  },
  examples: [
    {
      title: "Exhaust fan on at 26, off at 24",
      config: { setpoint: 25, deadband: 2, action: "direct" },
      explanation: "Runs the fan above 26 °C and stops it below 24 °C.",
    },
  ],
});
