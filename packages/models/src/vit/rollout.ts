// Attention rollout for the Vision Transformer (Abnar & Zuidema 2020; Dosovitskiy et al. 2021,
// §4.5 / fig. 6): how much each image patch flows into the class token, as a map over the patch grid.
import { type Tensor } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { ModuleError } from "../errors.js";
import { captureAttention, attentionRollout, type RolloutOptions } from "../attention/capture.js";
import type { Module } from "../module.js";
import type { VisionTransformer } from "./vit.js";

/**
 * Run `vit` on `images` (without gradients) capturing every block's self-attention
 * `[B, heads, T, T]`, combine them with {@link attentionRollout} (`options`: head fusion, discard
 * ratio, residual) and return the class token's row over the patches as an image-shaped map.
 * Values are the raw rollout weights (not rescaled); with the residual they sum to at most 1 per
 * image (the rest stays on the class token). Call `vit.eval()` first to switch dropout off.
 *
 * Shapes: `images [B, C, S, S] -> [B, gridSize, gridSize]` (gridSize = S / patchSize).
 *
 * @example
 * const heat = vitRolloutMap(vit.eval(), images); // [B, 14, 14] for vit_b_16 at 224
 * const strongest = heat.reshape(B, -1).argmax(-1); // the patch each image attends to most
 */
export function vitRolloutMap(vit: VisionTransformer, images: Tensor, options: RolloutOptions = {}): Tensor {
  const op = "vitRolloutMap";
  const { maps } = noGrad(() => captureAttention(() => vit.forward(images), { root: vit }));
  const blocks = new Set<Module>([...vit.encoder.layers.entries()].map(([, block]) => block.self_attention));
  const selfMaps = maps.filter((m) => m.kind === "self" && blocks.has(m.module));
  if (selfMaps.length !== vit.numLayers) {
    throw new ModuleError(`${op}: expected one self-attention map per block (${vit.numLayers}), captured ${selfMaps.length}`, { op, expected: vit.numLayers, got: selfMaps.length });
  }
  const B = images.shape[0]!;
  const g = vit.gridSize;
  const rollout = attentionRollout(selfMaps.map((m) => m.weights), options); // [B, T, T], T = 1 + g²
  return rollout
    .select(1, 0) // [B, T, T] -> [B, T]: what flows into the class token
    .narrow(1, 1, g * g) // [B, T] -> [B, g²]: the patches
    .reshape(B, g, g); // [B, g²] -> [B, g, g]
}
