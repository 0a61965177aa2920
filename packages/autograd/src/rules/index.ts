// The rule table: one entry per primitive, grouped by family. The mapped type makes a
// primitive without a rule (or an explicit "notDifferentiable") a compile error.
import { elementwiseRules } from "./elementwise.js";
import { reduceRules } from "./reduce.js";
import { shapeRules } from "./shape.js";
import type { RuleTable } from "./types.js";

export type { VjpContext, VjpRule, RuleTable, NotDifferentiable } from "./types.js";
export { unbroadcast } from "./broadcast.js";

/** Every primitive's VJP rule. Comparisons and arg-reductions have integer/bool outputs. */
export const RULES: RuleTable = {
  ...elementwiseRules,
  ...reduceRules,
  ...shapeRules,
  eq: "notDifferentiable",
  ne: "notDifferentiable",
  lt: "notDifferentiable",
  le: "notDifferentiable",
  gt: "notDifferentiable",
  ge: "notDifferentiable",
  argmax: "notDifferentiable",
  argmin: "notDifferentiable",
};
