// VJP rules of movement and indexing primitives: views, cat, pad, gather/scatter.
import {
  type Tensor,
  dispatch,

  flipView,
  gather,
  narrow,
  permute,
  reshape,
  scatter,
  scatterAdd,
  zeros,
} from "@seqlab/tensor";
import { unbroadcast } from "./broadcast.js";
import type { VjpRule } from "./types.js";

/** Zero-pad `g` into `shape`: per dim `before` elements first and `interior` zeros between neighbours. */
function padInto(g: Tensor, shape: readonly number[], before: readonly number[], interior: readonly number[]): Tensor {
  const after = shape.map((n, d) => {
    const k = g.shape[d]!;
    return k === 0 ? n - before[d]! : n - before[d]! - (k - 1) * (interior[d]! + 1) - 1;
  });
  return dispatch("pad", [g], { before, after, interior, value: 0 }, shape, g.dtype);
}

/** Gradient of a scatter's src: g gathered at the index; src elements beyond the index's extent were not read (zero). */
function srcGrad(g: Tensor, axis: number, index: Tensor, srcShape: readonly number[]): Tensor {
  const picked = gather(g, axis, index); // [index.shape]
  return picked.shape.every((s, d) => s === srcShape[d]) ? picked : padInto(picked, srcShape, srcShape.map(() => 0), srcShape.map(() => 0));
}

export const shapeRules: {
  readonly reshape: VjpRule<"reshape">;
  readonly permute: VjpRule<"permute">;
  readonly expand: VjpRule<"expand">;
  readonly slice: VjpRule<"slice">;
  readonly flip: VjpRule<"flip">;
  readonly unfold: VjpRule<"unfold">;
  readonly cat: VjpRule<"cat">;
  readonly pad: VjpRule<"pad">;
  readonly gather: VjpRule<"gather">;
  readonly scatter: VjpRule<"scatter">;
  readonly scatterAdd: VjpRule<"scatterAdd">;
} = {
  // d reshape = g reshaped back
  reshape: { vjp: (g, { inputShapes }) => [reshape(g, inputShapes[0]!)] },
  // d permute = g permuted by the inverse permutation
  permute: {
    vjp: (g, { attrs }) => {
      const inverse = attrs.dims.map((_, i) => attrs.dims.indexOf(i));
      return [permute(g, inverse)];
    },
  },
  // d expand = g summed over the broadcast dims
  expand: { vjp: (g, { inputShapes }) => [unbroadcast(g, inputShapes[0]!)] },
  // d slice = g placed back at the sliced positions, zeros elsewhere
  slice: {
    vjp: (g, { attrs, inputShapes }) => [padInto(g, inputShapes[0]!, attrs.starts, attrs.steps.map((s) => s - 1))],
  },
  // d flip = g flipped back
  flip: { vjp: (g, { attrs }) => [flipView(g, attrs.axes)] },
  // d unfold = Σ_j (window element j of g, placed at start + j of every window)
  unfold: {
    vjp: (g, { attrs, inputShapes }) => {
      const shape = inputShapes[0]!;
      if (shape.length === 0) return [reshape(g, [])];
      const { axis, size, step } = attrs;
      let total = zeros(shape, { dtype: g.dtype });
      for (let j = 0; j < size; j++) {
        const gj = narrow(g, -1, j, 1).squeeze(-1); // [..., L, ...]: element j of each window
        const before = shape.map((_, d) => (d === axis ? j : 0));
        const interior = shape.map((_, d) => (d === axis ? step - 1 : 0));
        total = total.add(padInto(gj, shape, before, interior));
      }
      return [total];
    },
  },
  // d cat = g split back into the inputs' extents along the axis
  cat: {
    vjp: (g, { attrs, inputShapes, needs }) => {
      let start = 0;
      return inputShapes.map((s, i) => {
        const n = s[attrs.axis]!;
        const part = needs[i] ? narrow(g, attrs.axis, start, n) : undefined;
        start += n;
        return part;
      });
    },
  },
  // d pad = the interior of g (every (interior+1)-th element after `before`)
  pad: {
    vjp: (g, { attrs, inputShapes }) => {
      const shape = inputShapes[0]!;
      let x = g;
      shape.forEach((n, d) => {
        const step = attrs.interior[d]! + 1;
        x = x.slice(d, attrs.before[d], attrs.before[d]! + (n - 1) * step + 1, step);
        if (n === 0) x = narrow(x, d, 0, 0);
      });
      return [x];
    },
  },
  // d gather = g scattered-added back at the gathered positions
  gather: {
    save: { inputs: [1] },
    vjp: (g, { attrs, inputs, inputShapes }) => [scatterAdd(zeros(inputShapes[0]!, { dtype: g.dtype }), attrs.axis, inputs[1]!, g), undefined],
  },
  // d scatter = (g with written positions zeroed, g gathered at the written positions)
  scatter: {
    save: { inputs: [1] },
    vjp: (g, { attrs, inputs, inputShapes, needs }) => {
      const index = inputs[1]!;
      return [needs[0] ? scatter(g, attrs.axis, index, 0) : undefined, undefined, needs[2] ? srcGrad(g, attrs.axis, index, inputShapes[2]!) : undefined];
    },
  },
  // d scatterAdd = (g, g gathered at the index)
  scatterAdd: {
    save: { inputs: [1] },
    vjp: (g, { attrs, inputs, inputShapes, needs }) => [
      needs[0] ? g : undefined,
      undefined,
      needs[2] ? srcGrad(g, attrs.axis, inputs[1]!, inputShapes[2]!) : undefined,
    ],
  },
};

