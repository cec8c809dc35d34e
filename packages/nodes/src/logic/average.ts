import { defineAggregateNode } from "../core/aggregate";

export const average = defineAggregateNode({
  type: "average",
  label: "Average",
  icon: "sigma",
  result: "the mean",
  reduce: (xs) => xs.reduce((s, x) => s + x, 0) / xs.length,
  example: "Average zone temperature",
});
