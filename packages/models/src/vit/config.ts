// Configuration of the Vision Transformer (torchvision's `VisionTransformer` arguments, camelCase)
// and the named presets of torchvision 0.14's vit_b_16, vit_b_32, vit_l_16, vit_l_32 and vit_h_14.
import type { LayerOptions } from "../layers/common.js";

/** Architecture of a {@link VisionTransformer} (torchvision's constructor arguments, camelCase). */
export interface VisionTransformerConfig {
  /** Height = width of the (square) input images, a multiple of `patchSize`. */
  imageSize: number;
  /** Side of the square patches (the stride and kernel of `conv_proj`). */
  patchSize: number;
  /** Number of encoder blocks L. */
  numLayers: number;
  /** Attention heads per block; must divide `hiddenDim`. */
  numHeads: number;
  /** Token width D. */
  hiddenDim: number;
  /** Hidden width of each block's MLP. */
  mlpDim: number;
  /** Dropout after the position embedding, the attention output and in the MLP (default 0). */
  dropout?: number;
  /** Dropout on the attention weights (default 0). */
  attentionDropout?: number;
  /** Output classes (default 1000). */
  numClasses?: number;
  /** When set, a `pre_logits` Linear(D, representationSize) + tanh before the head (default none). */
  representationSize?: number;
  /** Image channels (default 3; torchvision fixes 3). */
  inChannels?: number;
}

/** Options of the {@link VisionTransformer} constructor: the architecture plus `rng` and `dtype`. */
export interface VisionTransformerOptions extends VisionTransformerConfig, LayerOptions {}

/**
 * torchvision 0.14's named models (`vit_b_16`, ...: image 224, 1000 classes, its defaults), plus
 * `tiny` (image 16, patch 4, 2 layers, 2 heads, D = 8, 3 classes) for tests and examples.
 *
 * @example
 * const vit = new VisionTransformer({ ...VIT_PRESETS.b16, rng: new Rng(0) }); // 86,567,656 parameters
 */
export const VIT_PRESETS = {
  b16: { imageSize: 224, patchSize: 16, numLayers: 12, numHeads: 12, hiddenDim: 768, mlpDim: 3072 },
  b32: { imageSize: 224, patchSize: 32, numLayers: 12, numHeads: 12, hiddenDim: 768, mlpDim: 3072 },
  l16: { imageSize: 224, patchSize: 16, numLayers: 24, numHeads: 16, hiddenDim: 1024, mlpDim: 4096 },
  l32: { imageSize: 224, patchSize: 32, numLayers: 24, numHeads: 16, hiddenDim: 1024, mlpDim: 4096 },
  h14: { imageSize: 224, patchSize: 14, numLayers: 32, numHeads: 16, hiddenDim: 1280, mlpDim: 5120 },
  tiny: { imageSize: 16, patchSize: 4, numLayers: 2, numHeads: 2, hiddenDim: 8, mlpDim: 16, numClasses: 3 },
} as const satisfies Record<string, VisionTransformerConfig>;
