// Bicubic resampling of an image grid (PyTorch `F.interpolate(mode="bicubic")`, Keys' cubic
// convolution with a = −0.75) and torchvision's `interpolate_embeddings`, which resizes a ViT's
// position-embedding grid so a checkpoint runs at another image size.
import { ShapeError, Tensor, ValueError, cat, fmtShape, tensor } from "@seqlab/tensor";
import { ModuleError } from "../errors.js";
import { checkFloatInput } from "../layers/common.js";

/** Throw a ValueError unless `value` is an integer ≥ 1. */
function checkPositive(op: string, name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ValueError(`${op}: ${name} must be an integer >= 1, got ${String(value)}`, { op, expected: "integer >= 1", got: value });
  }
}

/** PyTorch's cubic-convolution constant (`upsample_bicubic2d`, a = −0.75). */
const A = -0.75;

/** Options of {@link interpolateBicubic}. */
export interface BicubicOptions {
  /**
   * Align the corner pixels' centres of input and output (`align_corners=True`); default false,
   * as `F.interpolate`. torchvision's `interpolate_embeddings` uses true.
   */
  alignCorners?: boolean;
}

/**
 * The `[outSize, inSize]` matrix of 1-d bicubic resampling: row d holds the four cubic weights of
 * output d on the (edge-clamped) inputs ⌊s⌋ − 1 … ⌊s⌋ + 2 around its source position s, computed
 * as PyTorch's `upsample_bicubic2d` does (source index, then `get_cubic_upsample_coefficients`).
 */
function bicubicMatrix(inSize: number, outSize: number, alignCorners: boolean): Tensor {
  const w = new Float64Array(outSize * inSize);
  const scale = alignCorners ? (outSize > 1 ? (inSize - 1) / (outSize - 1) : 0) : inSize / outSize;
  const conv1 = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| ≤ 1
  const conv2 = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2
  for (let d = 0; d < outSize; d++) {
    const real = alignCorners ? scale * d : scale * (d + 0.5) - 0.5;
    const index = Math.floor(real);
    const t = real - index;
    const coeffs = [conv2(t + 1), conv1(t), conv1(1 - t), conv2(2 - t)];
    coeffs.forEach((c, k) => {
      const j = d * inSize + Math.min(Math.max(index - 1 + k, 0), inSize - 1);
      w[j] = w[j]! + c;
    });
  }
  return tensor(w, { shape: [outSize, inSize], dtype: "float64" });
}

/**
 * Bicubic resampling of the last two dims (PyTorch `F.interpolate(x, size, mode="bicubic",
 * align_corners)`, a = −0.75, borders clamped). Computed in float64 as two matrix products, so it
 * is differentiable; the result has the input's dtype. Like PyTorch it does not clamp: outputs can
 * overshoot the input range.
 *
 * Shapes: `x [N, C, H, W] -> [N, C, outH, outW]` (`size` a number means outH = outW = size).
 *
 * @example
 * interpolateBicubic(randn([1, 8, 4, 4]), 7, { alignCorners: true }).shape; // [1, 8, 7, 7]
 */
export function interpolateBicubic(x: Tensor, size: number | readonly [number, number], { alignCorners = false }: BicubicOptions = {}): Tensor {
  const op = "interpolateBicubic";
  checkFloatInput(op, x);
  if (x.ndim !== 4) {
    throw new ShapeError(`${op}: expected input [N, C, H, W], got ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected: "[N, C, H, W]", got: x.shape });
  }
  const [outH, outW] = typeof size === "number" ? [size, size] : size;
  checkPositive(op, "output height", outH);
  checkPositive(op, "output width", outW);
  const [H, W] = x.shape.slice(2) as [number, number];
  if (H === 0 || W === 0) throw new ShapeError(`${op}: cannot resample an empty grid ${fmtShape(x.shape)}`, { op, shapes: [x.shape], got: x.shape });
  const rows = bicubicMatrix(H, outH, alignCorners); // [outH, H]
  const cols = bicubicMatrix(W, outW, alignCorners); // [outW, W]
  // [N, C, H, W] @ [W, outW] -> [N, C, H, outW]; [outH, H] @ [N, C, H, outW] -> [N, C, outH, outW]
  return rows.matmul(x.to("float64").matmul(cols.mT)).to(x.dtype);
}

/** Options of {@link interpolateEmbeddings}. */
export interface InterpolateEmbeddingsOptions {
  /** Leave out every `heads.*` entry (to fine-tune a new head), as torchvision's `reset_heads`. Default false. */
  resetHeads?: boolean;
}

/**
 * torchvision's `interpolate_embeddings`: a ViT state dict made fit for `imageSize`, its
 * `encoder.pos_embedding [1, 1 + n², D]` resized to `[1, 1 + (imageSize / patchSize)², D]` by
 * bicubic interpolation (align corners) of the n × n patch grid; the class-token row is kept as
 * is. Unlike torchvision it returns a new Map and leaves `state` untouched.
 *
 * @example
 * const state = interpolateEmbeddings(384, 16, loadSafetensors(bytes).tensors); // 14×14 -> 24×24 grid
 * new VisionTransformer({ ...VIT_PRESETS.b16, imageSize: 384 }).loadStateDict(state);
 */
export function interpolateEmbeddings(
  imageSize: number,
  patchSize: number,
  state: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  { resetHeads = false }: InterpolateEmbeddingsOptions = {},
): Map<string, Tensor> {
  const op = "interpolateEmbeddings";
  checkPositive(op, "imageSize", imageSize);
  checkPositive(op, "patchSize", patchSize);
  if (imageSize % patchSize !== 0) {
    throw new ValueError(`${op}: imageSize ${imageSize} is not divisible by patchSize ${patchSize}`, { op, expected: "imageSize % patchSize == 0", got: [imageSize, patchSize] });
  }
  const entries: [string, Tensor][] = state instanceof Map ? [...(state as ReadonlyMap<string, Tensor>)] : Object.entries(state as Readonly<Record<string, Tensor>>);
  const out = new Map(entries.filter(([key]) => !(resetHeads && key.startsWith("heads"))));
  const pos = out.get("encoder.pos_embedding");
  if (!(pos instanceof Tensor)) throw new ModuleError(`${op}: the state dict has no tensor "encoder.pos_embedding"`, { op, got: [...out.keys()] });
  checkFloatInput(op, pos);
  if (pos.ndim !== 3 || pos.shape[0] !== 1) {
    throw new ShapeError(`${op}: expected encoder.pos_embedding [1, seq, D], got ${fmtShape(pos.shape)}`, { op, shapes: [pos.shape], expected: "[1, seq, D]", got: pos.shape });
  }
  const [, seq, D] = pos.shape as [number, number, number];
  const grid = Math.round(Math.sqrt(seq - 1));
  if (seq < 2 || grid * grid !== seq - 1) {
    throw new ShapeError(`${op}: encoder.pos_embedding ${fmtShape(pos.shape)} is not a class token plus a square grid of patches (seq − 1 = ${seq - 1})`, {
      op,
      shapes: [pos.shape],
      expected: "[1, 1 + n², D]",
      got: pos.shape,
    });
  }
  const newGrid = imageSize / patchSize;
  if (newGrid === grid) return out;
  const token = pos.narrow(1, 0, 1); // [1, 1, D]
  const patches = pos.narrow(1, 1, seq - 1).permute(0, 2, 1).reshape(1, D, grid, grid); // [1, n², D] -> [1, D, n², ...] -> [1, D, n, n]
  const resized = interpolateBicubic(patches, newGrid, { alignCorners: true }) // [1, D, n', n']
    .reshape(1, D, newGrid * newGrid) // [1, D, n', n'] -> [1, D, n'²]
    .permute(0, 2, 1); // [1, D, n'²] -> [1, n'², D]
  out.set("encoder.pos_embedding", cat([token, resized], 1).contiguous()); // [1, 1 + n'², D]
  return out;
}
