// @seqlab/models: PyTorch-compatible modules, layers, losses, safetensors, and sequence models.
import "@seqlab/autograd";

export { Module, Parameter, Sequential, ModuleList, ModuleDict, expectRank, functionalCall } from "./module.js";
export type { StateDict, LoadStateDictResult, TensorModule } from "./module.js";
export { ModuleError, SafetensorsError } from "./errors.js";
export { loadSafetensors, saveSafetensors } from "./safetensors.js";
export type { SafetensorsFile, SafetensorsDType } from "./safetensors.js";
export type { Recurrent } from "./recurrent/interface.js";
export { RNNCell, LSTMCell, GRUCell } from "./recurrent/cells.js";
export type { CellOptions, RNNCellOptions, SequenceOptions, LSTMState } from "./recurrent/cells.js";
export { RNN, LSTM, GRU } from "./recurrent/rnn.js";
export type { RecurrentLayerOptions, RNNOptions } from "./recurrent/rnn.js";
export type { SequenceLengths } from "./recurrent/lengths.js";
export {
  calculateGain,
  fanInAndFanOut,
  uniform_,
  normal_,
  constant_,
  zeros_,
  ones_,
  xavierUniform_,
  xavierNormal_,
  kaimingUniform_,
  kaimingNormal_,
  orthogonal_,
} from "./init.js";
export type { InitOptions, KaimingOptions, FanMode, Nonlinearity } from "./init.js";
export type { LayerOptions, FloatDType } from "./layers/common.js";
export { Linear } from "./layers/linear.js";
export { Embedding } from "./layers/embedding.js";
export { LayerNorm, RMSNorm } from "./layers/norm.js";
export type { LayerNormOptions, RMSNormOptions } from "./layers/norm.js";
export { Dropout } from "./layers/dropout.js";
export { ReLU, GELU, Tanh, Sigmoid, SiLU, LeakyReLU, ELU, Softplus, Softmax, LogSoftmax, Identity } from "./layers/activation.js";
export { Flatten } from "./layers/flatten.js";
export { crossEntropy, nllLoss, mseLoss, l1Loss, bceWithLogits } from "./losses.js";
export type { Reduction, NllLossOptions, CrossEntropyOptions, BceWithLogitsOptions } from "./losses.js";
export { traceGradients, SATURATION_MARGIN } from "./inspect/trace.js";
export type { GradientTrace, LayerGradientTrace, GateSaturation } from "./inspect/trace.js";
export { dependencyProbe } from "./inspect/probe.js";
export type { DependencyProfile, DependencyProbeOptions } from "./inspect/probe.js";
export { BahdanauAttention, LuongAttention } from "./seq2seq/attention.js";
export type { AttentionResult, AttentionOptions } from "./seq2seq/attention.js";
export { Seq2Seq } from "./seq2seq/seq2seq.js";
export type { Seq2SeqConfig, Seq2SeqOutput, Seq2SeqDecoded } from "./seq2seq/seq2seq.js";
export { SinusoidalPositionalEncoding, sinusoidalEmbedding, sinusoidalTable } from "./positional/sinusoidal.js";
export type { SinusoidalLayout, SinusoidalOptions, SinusoidalPositionalEncodingOptions } from "./positional/sinusoidal.js";
export { LearnedPositionalEmbedding } from "./positional/learned.js";
export type { LearnedPositionalEmbeddingOptions } from "./positional/learned.js";
export { RotaryEmbedding, ROTARY_CACHE_LIMIT } from "./positional/rotary.js";
export type { RotaryEmbeddingOptions, RotaryPositionOptions } from "./positional/rotary.js";
export { ALiBi, alibiSlopes } from "./positional/alibi.js";
export type { ALiBiBiasOptions } from "./positional/alibi.js";
