import { defineAggregateNode } from "../core/aggregate";

export const minimum = defineAggregateNode({
  type: "min",
  label: "Minimum",
  icon: "arrow-down-to-line",
  result: "the lowest",
  reduce: (xs) => xs.reduce((m, x) => Math.min(m, x)),
  example: "Lowest zone temperature",
});
