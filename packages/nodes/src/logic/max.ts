import { defineAggregateNode } from "../core/aggregate";

export const maximum = defineAggregateNode({
  type: "max",
  label: "Maximum",
  icon: "arrow-up-to-line",
  result: "the highest",
  reduce: (xs) => xs.reduce((m, x) => Math.max(m, x)),
  example: "Highest damper position (for supply pressure reset)",
});
