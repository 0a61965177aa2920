// 2-d convolution (PyTorch `F.conv2d`) as im2col: pad, sliding-window views (unfold), one
// batched matmul. No primitive of its own, so autograd differentiates it through those ops.
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { checkInt, checkTensor, requireFloat } from "./common.js";
import { add } from "./elementwise.js";
import { pad } from "./join.js";
import { matmul } from "./linalg.js";
import { permute, reshape, slice, unfold } from "./view.js";

type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  /** Step of the sliding window, one number for both dims or `[sH, sW]`. Default 1. */
  stride?: Pair;
  /**
   * Zero padding on both sides of H and W (`[pH, pW]`), or `"valid"` (none), or `"same"`
   * (output size = input size; stride 1 only; an odd total pads one more at the bottom/right).
   * Default 0.
   */
  padding?: Pair | "valid" | "same";
  /** Spacing between kernel taps, `[dH, dW]`. Default 1. */
  dilation?: Pair;
  /** Split channels into `groups` independent convolutions. Default 1. */
  groups?: number;
}

/**
 * 2-d cross-correlation, PyTorch `F.conv2d`:
 * `input [N, C, H, W]` (or unbatched `[C, H, W]`), `weight [O, C / groups, kH, kW]`,
 * `bias [O]` (optional) `-> [N, O, Hout, Wout]` with
 * `Hout = floor((H + padTop + padBottom - dH * (kH - 1) - 1) / sH) + 1` (same for W).
 *
 * @example
 * conv2d(randn([2, 3, 32, 32]), randn([8, 3, 3, 3]), null, { padding: 1 }).shape; // [2, 8, 32, 32]
 * conv2d(randn([4, 5, 5]), randn([4, 1, 3, 3]), randn([4]), { groups: 4 }).shape;  // [4, 3, 3]
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const op = "conv2d";
  checkTensor(op, input, "input");
  checkTensor(op, weight, "weight");
  if (bias !== undefined && bias !== null) checkTensor(op, bias, "bias");
  const shapes = bias ? [input.shape, weight.shape, bias.shape] : [input.shape, weight.shape];
  requireFloat(op, input);
  for (const [what, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t && t.dtype !== input.dtype) {
      throw new DTypeError(`${op}: ${what} must have the input's dtype ${input.dtype}, got ${t.dtype}`, { op, shapes, expected: input.dtype, got: t.dtype });
    }
  }
  const groups = checkInt(op, "groups", options.groups ?? 1, 1);
  const [sH, sW] = pair(op, "stride", options.stride ?? 1, 1);
  const [dH, dW] = pair(op, "dilation", options.dilation ?? 1, 1);

  if (weight.ndim !== 4) {
    throw new ShapeError(`${op}: expected weight [O, C / groups, kH, kW], got ${fmtShape(weight.shape)}`, { op, shapes });
  }
  const [O, Cg, kH, kW] = weight.shape as [number, number, number, number];
  const C = Cg * groups;
  if (kH === 0 || kW === 0) throw new ShapeError(`${op}: kernel size must be positive, got weight ${fmtShape(weight.shape)}`, { op, shapes });
  if (O % groups !== 0) {
    throw new ShapeError(`${op}: out channels ${O} of weight ${fmtShape(weight.shape)} are not divisible by groups ${groups}`, {
      op,
      shapes,
      expected: `a multiple of ${groups}`,
      got: O,
    });
  }
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(`${op}: expected input [N, C, H, W] or [C, H, W], got ${fmtShape(input.shape)}`, { op, shapes, got: input.shape });
  }
  const inC = input.shape[input.ndim - 3]!;
  if (inC % groups !== 0) {
    throw new ShapeError(`${op}: input channels ${inC} of ${fmtShape(input.shape)} are not divisible by groups ${groups}`, {
      op,
      shapes,
      expected: `a multiple of ${groups}`,
      got: inC,
    });
  }
  if (inC !== C) {
    const layout = input.ndim === 4 ? "[N, C, H, W]" : "[C, H, W]";
    const groupNote = groups === 1 ? "" : ` = groups ${groups} * ${Cg}`;
    throw new ShapeError(`${op}: expected input ${layout} with C = ${C}${groupNote} (weight ${fmtShape(weight.shape)}), got ${fmtShape(input.shape)}`, {
      op,
      shapes,
      expected: C,
      got: inC,
    });
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) {
    throw new ShapeError(`${op}: expected bias [${O}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`, { op, shapes, expected: [O], got: bias.shape });
  }

  const unbatched = input.ndim === 3;
  const x = unbatched ? reshape(input, [1, ...input.shape]) : input; // [C, H, W] -> [1, C, H, W]
  const [N, , H, W] = x.shape as [number, number, number, number];
  // Window extents once dilation spreads the taps out.
  const eH = dH * (kH - 1) + 1;
  const eW = dW * (kW - 1) + 1;
  const [top, bottom, left, right] = paddingOf(op, options.padding ?? 0, [sH, sW], eH, eW);
  const Hp = H + top + bottom;
  const Wp = W + left + right;
  if (eH > Hp || eW > Wp) {
    throw new ShapeError(
      `${op}: kernel [${kH}, ${kW}] with dilation [${dH}, ${dW}] spans [${eH}, ${eW}], larger than the padded input [${Hp}, ${Wp}] (input ${fmtShape(input.shape)})`,
      { op, shapes, expected: `at least [${eH}, ${eW}]`, got: [Hp, Wp] },
    );
  }
  const Hout = Math.floor((Hp - eH) / sH) + 1;
  const Wout = Math.floor((Wp - eW) / sW) + 1;

  const xp = pad(x, [left, right, top, bottom]); // [N, C, H, W] -> [N, C, Hp, Wp]
  let win = unfold(xp, 2, eH, sH); // [N, C, Hp, Wp] -> [N, C, Hout, Wp, eH]
  win = slice(win, 4, 0, undefined, dH); // [N, C, Hout, Wp, eH] -> [N, C, Hout, Wp, kH]
  win = unfold(win, 3, eW, sW); // [N, C, Hout, Wp, kH] -> [N, C, Hout, Wout, kH, eW]
  win = slice(win, 5, 0, undefined, dW); // [N, C, Hout, Wout, kH, eW] -> [N, C, Hout, Wout, kH, kW]
  win = reshape(win, [N, groups, Cg, Hout, Wout, kH, kW]); // [N, C, ...] -> [N, G, C/G, Hout, Wout, kH, kW]
  win = permute(win, [0, 1, 2, 5, 6, 3, 4]); // -> [N, G, C/G, kH, kW, Hout, Wout]
  const cols = reshape(win, [N, groups, Cg * kH * kW, Hout * Wout]); // -> [N, G, C/G·kH·kW, L] (copies)
  const w = reshape(weight, [groups, O / groups, Cg * kH * kW]); // [O, C/G, kH, kW] -> [G, O/G, C/G·kH·kW]
  let y = matmul(w, cols); // [G, O/G, K] @ [N, G, K, L] -> [N, G, O/G, L]
  y = reshape(y, [N, O, Hout, Wout]); // [N, G, O/G, L] -> [N, O, Hout, Wout]
  if (bias) y = add(y, reshape(bias, [O, 1, 1])); // + [O] as [O, 1, 1]
  return unbatched ? reshape(y, [O, Hout, Wout]) : y; // [1, O, Hout, Wout] -> [O, Hout, Wout]
}

/** A number or `[h, w]` pair of integers >= `min`, as `[h, w]`. */
function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  if (typeof v === "number") {
    checkInt(op, name, v, min);
    return [v, v];
  }
  if (!Array.isArray(v) || v.length !== 2) {
    throw new ValueError(`${op}: ${name} must be an integer or a pair [h, w], got ${JSON.stringify(v)}`, { op, got: v });
  }
  return [checkInt(op, name, v[0], min), checkInt(op, name, v[1], min)];
}

/** `[top, bottom, left, right]` padding for a numeric, `"valid"` or `"same"` spec. */
function paddingOf(op: string, spec: unknown, stride: readonly [number, number], eH: number, eW: number): [number, number, number, number] {
  if (spec === "valid") return [0, 0, 0, 0];
  if (spec === "same") {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new ValueError(`${op}: padding "same" needs stride 1, got [${stride.join(", ")}]`, { op, expected: [1, 1], got: stride });
    }
    // Total padding eH - 1 (the dilated kernel's overhang); the odd one goes bottom/right.
    const lo = (e: number) => Math.floor((e - 1) / 2);
    return [lo(eH), eH - 1 - lo(eH), lo(eW), eW - 1 - lo(eW)];
  }
  if (typeof spec === "string") throw new ValueError(`${op}: padding must be a number, a pair, "valid" or "same", got "${spec}"`, { op, got: spec });
  const [pH, pW] = pair(op, "padding", spec, 0);
  return [pH, pH, pW, pW];
}
