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
export { scaledDotProductAttention, attentionWeights } from "./attention/sdpa.js";
export type { SdpaOptions, AttentionOutput } from "./attention/sdpa.js";
export { MultiheadAttention } from "./attention/multihead.js";
export type { MultiheadAttentionOptions, MultiheadAttentionForwardOptions } from "./attention/multihead.js";
export { captureAttention, attentionRollout } from "./attention/capture.js";
export type { AttentionMap, AttentionCapture, RolloutOptions } from "./attention/capture.js";
export type { AttentionRecord, AttentionSink } from "./attention/capture-sink.js";
export { TransformerEncoderLayer, TransformerDecoderLayer } from "./transformer/layers.js";
export type { EncoderLayerMasks, DecoderLayerMasks } from "./transformer/layers.js";
export { TransformerEncoder, TransformerDecoder } from "./transformer/stack.js";
export type { TransformerStackOptions, EncoderMasks } from "./transformer/stack.js";
export { Transformer, TRANSFORMER_PRESETS } from "./transformer/transformer.js";
export type { TransformerConfig, TransformerMasks } from "./transformer/transformer.js";
export { generateSquareSubsequentMask } from "./transformer/common.js";
export type { TransformerActivation, TransformerLayerOptions } from "./transformer/common.js";
export { VisionTransformer, ViTEncoder, ViTEncoderBlock, ViTMLPBlock, ViTHeads, ViTPatchProjection } from "./vit/vit.js";
export type { ViTPartOptions } from "./vit/vit.js";
export { VIT_PRESETS } from "./vit/config.js";
export type { VisionTransformerConfig, VisionTransformerOptions } from "./vit/config.js";
export { interpolateBicubic, interpolateEmbeddings } from "./vit/interpolate.js";
export type { BicubicOptions, InterpolateEmbeddingsOptions } from "./vit/interpolate.js";
export { vitRolloutMap } from "./vit/rollout.js";
export { GPT, GPTTransformer, GPTBlock, GPTSelfAttention, GPTMLP } from "./gpt/gpt.js";
export type { GPTKVCache, GPTLayerCache, GPTAttentionPlan, GPTOutput, GPTForwardOptions, GPTGenerateOptions } from "./gpt/gpt.js";
export { GPT_PRESETS } from "./gpt/config.js";
export type { GPTConfig, GPTOptions, GPTPositional, ResolvedGPTConfig } from "./gpt/config.js";
export { filterLogits, sampleLogits } from "./gpt/sampling.js";
export type { SamplingOptions, SampleOptions } from "./gpt/sampling.js";
export { TransformerXL, TransformerXLLM } from "./transformer-xl/model.js";
export type { TransformerXLMems, TransformerXLForwardOptions, TransformerXLLMForwardOptions, TransformerXLLMOutput } from "./transformer-xl/model.js";
export { TRANSFORMER_XL_PRESETS } from "./transformer-xl/config.js";
export type { TransformerXLConfig, TransformerXLPreset } from "./transformer-xl/config.js";
export { RelPartialLearnableMultiHeadAttn, relShift, memoryCausalMask } from "./transformer-xl/rel-attention.js";
export type { RelAttentionOptions, RelAttentionInputs } from "./transformer-xl/rel-attention.js";
export { RelPartialLearnableDecoderLayer, PositionwiseFF } from "./transformer-xl/layer.js";
export type { RelDecoderLayerOptions, PositionwiseFFOptions } from "./transformer-xl/layer.js";
export { BlockRecurrentTransformer } from "./brt/model.js";
export type { BRTState } from "./brt/model.js";
export { BlockRecurrentCell } from "./brt/cell.js";
export { SlidingWindowLayer } from "./brt/sliding-layer.js";
export { FixedGate, LSTMGate } from "./brt/gate.js";
export type { StateGate } from "./brt/gate.js";
export { SharedKVAttention } from "./brt/attention.js";
export type { BlockCache } from "./brt/attention.js";
export { BRT_PRESETS, resolveBRTConfig } from "./brt/config.js";
export type { BRTConfig, BRTGate, BRTPreset, ResolvedBRTConfig } from "./brt/config.js";
export { BertModel, BertClassifier, BertEmbeddings, BertPooler } from "./bert/bert.js";
export type { BertForwardOptions, BertOutput } from "./bert/bert.js";
export { BERT_PRESETS } from "./bert/config.js";
export type { BertConfig } from "./bert/config.js";
export * from "./tasks/index.js";
