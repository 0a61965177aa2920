// Synthetic image classification for Vision Transformers: a glyph (horizontal bar, vertical
// bar, square outline, cross) at a random position on a noisy S×S canvas.
import { type Rng, ValueError } from "@seqlab/tensor";
import { type Task, type TaskBatch, checkBatch, checkInt, checkNumber, floats, ints } from "./common.js";

/** Config of {@link ShapesTask}. */
export interface ShapesConfig {
  /** Image side S (≥ glyph + 1). */
  size: number;
  /** Glyph side G (odd, ≥ 3). */
  glyph: number;
  /** Standard deviation of the additive Gaussian pixel noise. */
  noise: number;
}

/** Class names by label. */
export const SHAPE_CLASSES = Object.freeze(["horizontal-bar", "vertical-bar", "square", "cross"] as const);

/** Whether pixel (r, c) of a G×G glyph of class `label` is on. */
export function glyphPixel(label: number, G: number, r: number, c: number): boolean {
  const mid = (G - 1) / 2;
  switch (label) {
    case 0:
      return r === mid;
    case 1:
      return c === mid;
    case 2:
      return r === 0 || c === 0 || r === G - 1 || c === G - 1;
    default:
      return r === mid || c === mid;
  }
}

/**
 * Shapes. inputs float32 `[B, 1, S, S]`: background 0, glyph pixels 1, plus N(0, noise²) per
 * pixel; the G×G glyph sits at a uniform random offset. targets int32 `[B]` (index into
 * {@link SHAPE_CLASSES}, uniform), mask float32 `[B]` (all ones). Metric: accuracy.
 *
 * Chance: four balanced classes, accuracy 1/4 (cross-entropy ln 4).
 */
export class ShapesTask implements Task<ShapesConfig> {
  readonly name = "shapes";
  readonly metric = "accuracy";
  readonly config: Readonly<ShapesConfig>;
  readonly chanceBaseline = 1 / SHAPE_CLASSES.length;
  /** Number of classes (4). */
  readonly numClasses = SHAPE_CLASSES.length;

  constructor(config: Partial<ShapesConfig> = {}) {
    const op = "ShapesTask";
    const c: ShapesConfig = { size: 16, glyph: 5, noise: 0.1, ...config };
    checkInt(op, "glyph", c.glyph, 3);
    if (c.glyph % 2 === 0) throw new ValueError(`${op}: glyph must be odd, got ${c.glyph}`, { op, expected: "odd", got: c.glyph });
    checkInt(op, "size", c.size, c.glyph + 1);
    checkNumber(op, "noise", c.noise, 0, 1e6);
    this.config = Object.freeze(c);
  }

  /** inputs float32 `[B, 1, S, S]`, targets int32 `[B]`, mask float32 `[B]`. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("ShapesTask.batch", batchSize);
    const { size: S, glyph: G, noise } = this.config;
    const x = new Float32Array(batchSize * S * S);
    const y = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const label = rng.int(0, SHAPE_CLASSES.length);
      const r0 = rng.int(0, S - G + 1);
      const c0 = rng.int(0, S - G + 1);
      const o = b * S * S;
      for (let r = 0; r < G; r++) for (let c = 0; c < G; c++) if (glyphPixel(label, G, r, c)) x[o + (r0 + r) * S + c0 + c] = 1;
      if (noise > 0) for (let i = 0; i < S * S; i++) x[o + i] = (x[o + i] as number) + noise * rng.normal();
      y[b] = label;
    }
    return { inputs: floats(x, [batchSize, 1, S, S]), targets: ints(y, [batchSize]), mask: floats(new Float32Array(batchSize).fill(1), [batchSize]) };
  }
}
