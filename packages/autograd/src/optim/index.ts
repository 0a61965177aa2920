// Optimizers, learning-rate schedules and gradient clipping (torch.optim in camelCase).
export { Optimizer } from "./optimizer.js";
export type { OptimizerHyper, OptimizerStateDict, ParamGroup, ParamGroupInput, ParamsInput, ParamState, SavedTensor, StateSpec } from "./optimizer.js";
export { SGD } from "./sgd.js";
export type { SGDHyper, SGDOptions, SGDState } from "./sgd.js";
export { Adam, AdamW } from "./adam.js";
export type { AdamHyper, AdamOptions, AdamState } from "./adam.js";
export { RMSprop } from "./rmsprop.js";
export type { RMSpropHyper, RMSpropOptions, RMSpropState } from "./rmsprop.js";
export { Adagrad } from "./adagrad.js";
export type { AdagradHyper, AdagradOptions, AdagradState } from "./adagrad.js";
export { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmupCosine, OneCycleLR, ReduceLROnPlateau } from "./schedulers.js";
export type {
  LRSchedulerStateDict,
  StepLROptions,
  CosineAnnealingLROptions,
  LinearWarmupCosineOptions,
  OneCycleLROptions,
  ReduceLROnPlateauOptions,
  ReduceLROnPlateauStateDict,
} from "./schedulers.js";
export { clipGradNorm, clipGradValue } from "./clip.js";
