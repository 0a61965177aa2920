// The dependency probe: how strongly does the output at step t depend on the input k steps
// earlier? ‖∂y_t/∂x_{t−k}‖ as a function of k, for any sequence model given as a function.
import { Tensor, ShapeError, ValueError, fmtShape } from "@seqlab/tensor";
import { gradients } from "@seqlab/autograd";

/** Result of `dependencyProbe`. */
export interface DependencyProfile {
  /** The output time step probed (non-negative). */
  step: number;
  /** k = step − s for every input step s, ascending; negative k are inputs after `step` (non-causal models). */
  distances: number[];
  /** ‖∂y_step/∂x_{step−k}‖_F per sequence, averaged over the batch; aligned with `distances`. */
  norms: number[];
}

/** Options of `dependencyProbe`. */
export interface DependencyProbeOptions {
  /** Output step to probe; negative counts from the end (default −1, the last step). */
  step?: number;
  /** Which dim of input and output is time: 0 for [T, B, ·] (default), 1 for batch-first [B, T, ·]. */
  timeDim?: 0 | 1;
}

/**
 * Measure ‖∂y_t/∂x_{t−k}‖ for every k by exact backward passes (one per output feature of
 * y_t). `model` maps the input sequence x [T, B, I] (or [B, T, I] with `timeDim: 1`) to an
 * output sequence y [T, B, O] with the same time axis. Batch elements are assumed not to
 * interact (true for every model in this package), so one backward serves the whole batch.
 *
 * @example
 * const lstm = new LSTM({ inputSize: 4, hiddenSize: 8, rng });
 * const profile = dependencyProbe((x) => lstm.forward(x)[0], randn([20, 2, 4], { rng }));
 * profile.distances; // [0, 1, ..., 19]
 * profile.norms;     // how fast the influence of x_{t−k} decays with k
 */
export function dependencyProbe(model: (x: Tensor) => Tensor, x: Tensor, { step = -1, timeDim = 0 }: DependencyProbeOptions = {}): DependencyProfile {
  const op = "dependencyProbe";
  if (!(x instanceof Tensor) || x.ndim !== 3) {
    throw new ShapeError(`${op}: expected input ${timeDim === 0 ? "[seq, batch, features]" : "[batch, seq, features]"}, got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`, {
      op,
      shapes: x instanceof Tensor ? [x.shape] : [],
    });
  }
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new ValueError(`${op}: input must be floating point, got ${x.dtype}`, { op, got: x.dtype });
  }
  const T = x.shape[timeDim]!;
  const B = x.shape[1 - timeDim]!;
  const t = step < 0 ? T + step : step;
  if (!Number.isInteger(step) || t < 0 || t >= T) {
    throw new ValueError(`${op}: step ${step} out of range for a sequence of length ${T}`, { op, got: step, expected: `-${T}..${T - 1}` });
  }
  const input = x.detach().requiresGrad_();
  const y = model(input);
  if (!(y instanceof Tensor) || y.ndim < 2 || y.shape[timeDim] !== T || y.shape[1 - timeDim] !== B) {
    const want = timeDim === 0 ? `[${T}, ${B}, ...]` : `[${B}, ${T}, ...]`;
    throw new ShapeError(`${op}: the model must return a sequence ${want}, got ${y instanceof Tensor ? fmtShape(y.shape) : typeof y}`, {
      op,
      shapes: y instanceof Tensor ? [x.shape, y.shape] : [x.shape],
    });
  }
  const yt = y.select(timeDim, t).reshape(B, -1); // [B, O...] -> [B, O]
  const outputs = yt.shape[1]!;
  const acc = new Float64Array(T * B); // Σ over output features and input features of (∂y/∂x)², per (s, b)
  for (let o = 0; o < outputs; o++) {
    const [g] = gradients(yt.select(1, o).sum(), [input], undefined, { retainGraph: o < outputs - 1 });
    const gt = timeDim === 0 ? g! : g!.transpose(0, 1); // [B, T, I] -> [T, B, I]
    const data = gt.data();
    const features = data.length / (T * B);
    for (let sb = 0; sb < T * B; sb++) {
      let s2 = 0;
      for (let i = 0; i < features; i++) s2 += data[sb * features + i]! ** 2;
      acc[sb]! += s2;
    }
  }
  const distances: number[] = [];
  const norms: number[] = [];
  for (let s = T - 1; s >= 0; s--) {
    let mean = 0;
    for (let b = 0; b < B; b++) mean += Math.sqrt(acc[s * B + b]!) / B;
    distances.push(t - s);
    norms.push(mean);
  }
  return { step: t, distances, norms };
}
