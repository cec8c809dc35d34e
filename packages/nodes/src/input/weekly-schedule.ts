import { ScheduleConfigSchema, scheduleAt } from "../core/schedule";
import { defineNode } from "../core/types";

export const weeklySchedule = defineNode({
  type: "weekly_schedule",
  version: 1,
  category: "input",
  label: "Weekly Schedule",
  icon: "calendar-clock",
  description:
    "Occupancy (or any scheduled value) from time periods per weekday in a time zone, like a BACnet " +
    "Schedule object. A period is active from `start` up to but not including `end` (24:00 = midnight). " +
    "Exceptions (holidays, special events) are checked first, in the order listed: a matching date or " +
    "date range replaces that day's periods, and an exception without periods is a holiday (default value " +
    "all day). MM-DD dates recur every year. Outside every period the output is `default_value`. Time comes " +
    "from the scan clock, converted with the time-zone database, so daylight-saving days are handled. The " +
    "node has no inputs, so there is no bad input; its outputs are always good.",
  inputs: [],
  outputs: [
    { name: "value", type: "any", label: "Value" },
    { name: "in_period", type: "boolean", label: "In a period" },
    { name: "exception", type: "string", label: "Exception", description: "Name of the exception in force" },
  ],
  config: ScheduleConfigSchema,
  execute(_inputs, config, _state, ctx) {
    const state = scheduleAt(config, ctx.now);
    const at = (value: number | boolean | string) => ({
      value,
      quality: "good" as const,
      timestamp: ctx.now,
    });
    return {
      value: at(state.value),
      in_period: at(state.inPeriod),
      exception: at(state.exception),
    };
  },
  examples: [
    {
      title: "Office hours with Christmas closed",
      config: {
        timezone: "Europe/Paris",
        monday: [{ start: "07:00", end: "19:00" }],
        friday: [{ start: "07:00", end: "17:00" }],
        exceptions: [{ name: "Christmas", date: "12-25" }],
      },
      explanation: "Occupied 07:00–19:00 Monday, 07:00–17:00 Friday, never on 25 December.",
    },
  ],
});
