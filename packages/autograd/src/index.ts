// @seqlab/autograd: reverse-mode differentiation for @seqlab/tensor. Loading this module
// installs the recorder as the tensor dispatcher's observer (its one side effect).
import { enableAutograd } from "./engine.js";

enableAutograd();

export { backward, gradients, retainGrad, registerHook, detectAnomaly, enableAutograd, isAutogradEnabled, attachNode, Node } from "./engine.js";
export { noGrad, enableGrad, isGradEnabled } from "./grad-mode.js";
export { GradError } from "./errors.js";
export { RULES, unbroadcast } from "./rules/index.js";
export type { VjpContext, VjpRule, RuleTable, NotDifferentiable } from "./rules/index.js";
export { grad, valueAndGrad, vjp, jvp } from "./functional.js";
export type { Argnums } from "./functional.js";
export { customOp, checkpoint } from "./custom.js";
export type { CustomOpSpec } from "./custom.js";
export { gradcheck, checkGradients, gradgradcheck, randomDirectionCheck } from "./gradcheck.js";
export type {
  GradcheckFn,
  GradcheckOptions,
  GradcheckReport,
  JacobianMismatch,
  GradcheckIssue,
  GradgradcheckOptions,
  RandomDirectionOptions,
  RandomDirectionReport,
  DirectionTrial,
} from "./gradcheck.js";
export { gradNorm, gradNorms, watchGradNorms } from "./grad-norms.js";
export type { GradNormWatch } from "./grad-norms.js";
export * from "./optim/index.js";
