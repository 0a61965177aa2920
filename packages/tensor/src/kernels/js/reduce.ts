// Reduction, arg-reduction, scan and softmax kernels. Float results accumulate in float64.
import type { AxisAttrs, Kernel, KernelFn, ReduceAttrs } from "../../dispatch.js";
import type { Tensor } from "../../tensor.js";
import { contiguousStrides } from "../../shape.js";
import { forEachRow } from "./iterate.js";

/** Strides that map every input index to its reduced output position (0 on reduced dims). */
function reducedStrides(x: Tensor, out: Tensor): number[] {
  const cs = contiguousStrides(out.shape);
  return x.shape.map((_, i) => (out.shape[i] === 1 ? 0 : cs[i]!));
}

function reduceKernel(init: number, step: (acc: Float64Array, io: number, X: Tensor["storage"]["data"], ix: number, sx: number, so: number, n: number) => void): KernelFn<ReduceAttrs> {
  return (inputs, _attrs, out) => {
    const x = inputs[0]!;
    const acc = new Float64Array(out.size).fill(init);
    const X = x.storage.data;
    forEachRow(x.shape, [{ strides: x.strides, offset: x.offset }, { strides: reducedStrides(x, out), offset: 0 }], (p, s, _io, n) =>
      step(acc, p[1]!, X, p[0]!, s[0]!, s[1]!, n),
    );
    out.storage.data.set(acc);
  };
}

export const sum = reduceKernel(0, (acc, io, X, ix, sx, so, n) => { for (let k = 0; k < n; k++, ix += sx, io += so) acc[io] = acc[io]! + X[ix]!; });
export const prod = reduceKernel(1, (acc, io, X, ix, sx, so, n) => { for (let k = 0; k < n; k++, ix += sx, io += so) acc[io] = acc[io]! * X[ix]!; });
export const max = reduceKernel(-Infinity, (acc, io, X, ix, sx, so, n) => {
  for (let k = 0; k < n; k++, ix += sx, io += so) { const v = X[ix]!; if (v > acc[io]! || v !== v) acc[io] = v; }
});
export const min = reduceKernel(Infinity, (acc, io, X, ix, sx, so, n) => {
  for (let k = 0; k < n; k++, ix += sx, io += so) { const v = X[ix]!; if (v < acc[io]! || v !== v) acc[io] = v; }
});

/**
 * Visit every lane along `axis`: `lane(ix, sx, io, so, len)` gets the input start and
 * stride and the output start and stride (output contiguous with shape `outShape`).
 */
function forEachLane(x: Tensor, axis: number, outShape: readonly number[], lane: (ix: number, sx: number, io: number, so: number, len: number) => void): void {
  const len = x.ndim === 0 ? 1 : x.shape[axis]!;
  const sx = x.ndim === 0 ? 0 : x.strides[axis]!;
  const os = contiguousStrides(outShape);
  const so = x.ndim === 0 ? 0 : outShape.length === x.ndim && outShape[axis] === len ? os[axis]! : 0;
  const iter = x.shape.map((s, i) => (i === axis ? 1 : s));
  forEachRow(iter, [{ strides: x.strides, offset: x.offset }, { strides: os, offset: 0 }], (p, s, _io, n) => {
    let ix = p[0]!, io = p[1]!;
    for (let k = 0; k < n; k++, ix += s[0]!, io += s[1]!) lane(ix, sx, io, so, len);
  });
}

function argKernel(better: (v: number, best: number) => boolean): KernelFn<AxisAttrs> {
  return (inputs, attrs, out) => {
    const x = inputs[0]!;
    const X = x.storage.data;
    const O = out.storage.data;
    forEachLane(x, attrs.axis, out.shape, (ix, sx, io, _so, len) => {
      let best = X[ix]!;
      let bi = 0;
      for (let j = 1; j < len && best === best; j++) {
        const v = X[ix + j * sx]!;
        if (better(v, best)) {
          best = v;
          bi = j;
        }
      }
      O[io] = bi;
    });
  };
}

/** First index of the largest value; NaN counts as largest. */
export const argmax = argKernel((v, best) => v > best || v !== v);
/** First index of the smallest value; NaN counts as smallest. */
export const argmin = argKernel((v, best) => v < best || v !== v);

export const cumsum: Kernel<"cumsum"> = (inputs, attrs, out) => {
  const x = inputs[0]!;
  const X = x.storage.data, O = out.storage.data;
  forEachLane(x, attrs.axis, out.shape, (ix, sx, io, so, len) => {
    let acc = 0;
    for (let j = 0; j < len; j++, ix += sx, io += so) O[io] = acc += X[ix]!;
  });
};

export const cumprod: Kernel<"cumprod"> = (inputs, attrs, out) => {
  const x = inputs[0]!;
  const X = x.storage.data, O = out.storage.data;
  forEachLane(x, attrs.axis, out.shape, (ix, sx, io, so, len) => {
    let acc = 1;
    for (let j = 0; j < len; j++, ix += sx, io += so) O[io] = acc *= X[ix]!;
  });
};

/** Softmax per lane: shift by the max, exponentiate, normalise. */
export const softmax: Kernel<"softmax"> = (inputs, attrs, out) => {
  const x = inputs[0]!;
  const X = x.storage.data, O = out.storage.data;
  forEachLane(x, attrs.axis, out.shape, (ix, sx, io, so, len) => {
    let m = -Infinity;
    for (let j = 0; j < len; j++) { const v = X[ix + j * sx]!; if (v > m || v !== v) m = v; }
    let total = 0;
    for (let j = 0; j < len; j++) { const e = Math.exp(X[ix + j * sx]! - m); O[io + j * so] = e; total += e; }
    const inv = 1 / total;
    for (let j = 0; j < len; j++) O[io + j * so] = O[io + j * so]! * inv;
  });
};

/** Log-softmax per lane: x - max - log(sum(exp(x - max))). */
export const logSoftmax: Kernel<"logSoftmax"> = (inputs, attrs, out) => {
  const x = inputs[0]!;
  const X = x.storage.data, O = out.storage.data;
  forEachLane(x, attrs.axis, out.shape, (ix, sx, io, so, len) => {
    let m = -Infinity;
    for (let j = 0; j < len; j++) { const v = X[ix + j * sx]!; if (v > m || v !== v) m = v; }
    let total = 0;
    for (let j = 0; j < len; j++) total += Math.exp(X[ix + j * sx]! - m);
    const shift = m + Math.log(total);
    for (let j = 0; j < len; j++) O[io + j * so] = X[ix + j * sx]! - shift;
  });
};
