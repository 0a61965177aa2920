// Seeded synthetic task generators (copy, reverse, adding, recall, selective copy, parity,
// Dyck, date translation, forecasting, character LM, shapes); browser- and worker-safe.
export type { Task, TaskBatch, TaskMetric } from "./common.js";
export { CopyMemoryTask, ReverseTask, AssociativeRecallTask, SelectiveCopyTask } from "./memory.js";
export type { CopyMemoryConfig, ReverseConfig, AssociativeRecallConfig, SelectiveCopyConfig } from "./memory.js";
export { AddingTask } from "./adding.js";
export type { AddingConfig } from "./adding.js";
export { ParityTask, DyckTask, DYCK_TOKENS, isBalancedDyck } from "./formal.js";
export type { ParityConfig, DyckConfig } from "./formal.js";
export { DateTranslationTask } from "./dates.js";
export type { DateTranslationConfig } from "./dates.js";
export { ForecastTask } from "./forecast.js";
export type { ForecastConfig } from "./forecast.js";
export { CharCorpusTask } from "./corpus.js";
export type { CharCorpusConfig } from "./corpus.js";
export { SEQUENCE_MODELS_CORPUS } from "./corpus-text.js";
export { ShapesTask, SHAPE_CLASSES, glyphPixel } from "./shapes.js";
export type { ShapesConfig } from "./shapes.js";
