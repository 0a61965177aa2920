// Gather/scatter kernels (indices were range-checked by the front end), cat and pad.
import type { AxisAttrs, Kernel, KernelFn } from "../../dispatch.js";
import type { Tensor } from "../../tensor.js";
import { contiguousStrides } from "../../shape.js";
import { stridedCopy } from "./copy.js";
import { forEachRow } from "./iterate.js";

/** Strides of `t` with `axis` zeroed (the index supplies that coordinate). */
const withoutAxis = (strides: readonly number[], axis: number): number[] => strides.map((s, i) => (i === axis ? 0 : s));

/** out[i..] = x[i.. with index[i..] at axis] over the index shape. */
export const gather: Kernel<"gather"> = (inputs, attrs, out) => {
  const [x, index] = inputs as [Tensor, Tensor];
  const X = x.storage.data, I = index.storage.data, O = out.storage.data;
  const sAxis = x.strides[attrs.axis]!;
  forEachRow(
    index.shape,
    [{ strides: index.strides, offset: index.offset }, { strides: withoutAxis(x.strides, attrs.axis), offset: x.offset }],
    (p, s, io, n) => {
      let ii = p[0]!, ix = p[1]!;
      for (let k = 0; k < n; k++, ii += s[0]!, ix += s[1]!) O[io + k] = X[ix + I[ii]! * sAxis]!;
    },
  );
};

function scatterKernel(accumulate: boolean): KernelFn<AxisAttrs> {
  return (inputs, attrs, out) => {
    const [x, index, src] = inputs as [Tensor, Tensor, Tensor];
    const O = out.storage.data, I = index.storage.data, S = src.storage.data;
    stridedCopy(x.shape, x.storage.data, x, O, { strides: contiguousStrides(x.shape), offset: 0 });
    const os = contiguousStrides(out.shape);
    const sAxis = os[attrs.axis]!;
    forEachRow(
      index.shape,
      [
        { strides: index.strides, offset: index.offset },
        { strides: src.strides, offset: src.offset },
        { strides: withoutAxis(os, attrs.axis), offset: 0 },
      ],
      (p, s, _io, n) => {
        let ii = p[0]!, is = p[1]!, io = p[2]!;
        for (let k = 0; k < n; k++, ii += s[0]!, is += s[1]!, io += s[2]!) {
          const at = io + I[ii]! * sAxis;
          O[at] = accumulate ? O[at]! + S[is]! : S[is]!;
        }
      },
    );
  };
}

export const scatter = scatterKernel(false);
export const scatterAdd = scatterKernel(true);

/** Copy each input into its slab of the output. */
export const cat: Kernel<"cat"> = (inputs, attrs, out) => {
  const os = contiguousStrides(out.shape);
  let offset = 0;
  for (const t of inputs) {
    stridedCopy(t.shape, t.storage.data, t, out.storage.data, { strides: os, offset });
    offset += t.shape[attrs.axis]! * os[attrs.axis]!;
  }
};

/** Fill with the pad value, then copy the input at `before` with `interior` gaps. */
export const pad: Kernel<"pad"> = (inputs, attrs, out) => {
  const x = inputs[0]!;
  if (attrs.value !== 0) out.storage.data.fill(attrs.value);
  const os = contiguousStrides(out.shape);
  const offset = os.reduce((acc, s, i) => acc + s * attrs.before[i]!, 0);
  const strides = os.map((s, i) => s * (attrs.interior[i]! + 1));
  stridedCopy(x.shape, x.storage.data, x, out.storage.data, { strides, offset });
};
