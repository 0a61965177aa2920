// The engine under RNN/LSTM/GRU cells and layers: the cell equations (PyTorch's gate order),
// and the scan of one layer and direction over time — one input GEMM for all steps, then one
// hidden GEMM per step — with masking for variable lengths and the trace-sink hooks.
import { type Tensor, narrow, select, stack, cat, where, zeros } from "@seqlab/tensor";
import { attachNode, isGradEnabled, noGrad } from "@seqlab/autograd";
import type { LengthMask } from "./lengths.js";
import type { RecurrentTraceSink, TraceSite } from "./trace-sink.js";

/** Which recurrence: Elman RNN with tanh or ReLU, LSTM, or GRU (PyTorch's mode names). */
export type CellKind = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

/** Gates stacked in the weights: W_ih is [GATES·H, I] (LSTM i,f,g,o; GRU r,z,n). */
export const GATES: Readonly<Record<CellKind, number>> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** The parameters of one cell (or one layer and direction of a layer). */
export interface CellParams {
  /** [G·H, I] */
  weightIh: Tensor;
  /** [G·H, H] */
  weightHh: Tensor;
  /** [G·H], or undefined without bias. */
  biasIh: Tensor | undefined;
  biasHh: Tensor | undefined;
}

/** Cell parameters arranged for the scan; made once per forward. */
export interface PreparedCell {
  kind: CellKind;
  hidden: number;
  /** W_ihᵀ [I, G·H] (a view: the GEMM reads any strides). */
  wIhT: Tensor;
  /** W_hhᵀ [H, G·H]. */
  wHhT: Tensor;
  /** h ↦ h W_hhᵀ, [B, H] -> [B, G·H], with W_hh's gradient taken once per scan (see `stepProjection`). */
  projectHidden: (h: Tensor) => Tensor;
  /** Bias added to the input projection: b_ih + b_hh for RNN and LSTM, b_ih for GRU. */
  inputBias: Tensor | undefined;
  /** GRU only: b_hh, added to the hidden projection (b_hn must sit inside r ⊙ (W_hn h + b_hn)). */
  hiddenBias: Tensor | undefined;
}

/** Where a scan reports its hidden states and gates when a tracer runs. */
export interface ScanTrace {
  sink: RecurrentTraceSink;
  site: TraceSite;
}

/** Transpose the weights and fold the biases of one cell, once per forward. */
export function prepareCell(kind: CellKind, p: CellParams): PreparedCell {
  const hidden = p.weightHh.shape[1]!;
  const gru = kind === "GRU";
  let inputBias = p.biasIh;
  if (!gru && p.biasIh !== undefined && p.biasHh !== undefined) inputBias = p.biasIh.add(p.biasHh);
  const wHhT = p.weightHh.mT;
  return { kind, hidden, wIhT: p.weightIh.mT, wHhT, projectHidden: stepProjection(wHhT), inputBias, hiddenBias: gru ? p.biasHh : undefined };
}

/** The input projection x W_ihᵀ + bias: [N, I] -> [N, G·H]. */
export function projectInput(cell: PreparedCell, x: Tensor): Tensor {
  const y = x.matmul(cell.wIhT);
  return cell.inputBias === undefined ? y : y.add(cell.inputBias);
}

/**
 * One step of the cell from the input projection `xp` [B, G·H] (see `projectInput`) and
 * the state `h` [B, H] (and `c` for LSTM). Returns the new `[h, c]` (`c` undefined except
 * for LSTM). `gate(name, values)` receives the sigmoid gates when given.
 *
 * - RNN: h' = act(xp + h W_hhᵀ)
 * - LSTM: [i, f, g, o] = xp + h W_hhᵀ; c' = σ(f) c + σ(i) tanh(g); h' = σ(o) tanh(c')
 * - GRU: [r, z] = σ(xp_rz + (h W_hhᵀ + b_hh)_rz); n = tanh(xp_n + r ⊙ (h W_hnᵀ + b_hn)); h' = n + z ⊙ (h − n)
 */
export function cellStep(
  cell: PreparedCell,
  xp: Tensor,
  h: Tensor,
  c: Tensor | undefined,
  gate?: (name: string, values: Tensor) => void,
): [Tensor, Tensor | undefined] {
  const hp = cell.projectHidden(h); // [B, H] @ [H, G·H] -> [B, G·H]
  switch (cell.kind) {
    case "RNN_TANH":
      return [xp.add(hp).tanh(), undefined];
    case "RNN_RELU":
      return [xp.add(hp).relu(), undefined];
    case "LSTM": {
      const [gi, gf, gg, go] = splitLastDim(xp.add(hp), 4); // 4 × [B, H]
      const i = gi!.sigmoid();
      const f = gf!.sigmoid();
      const o = go!.sigmoid();
      if (gate !== undefined) {
        gate("input", i);
        gate("forget", f);
        gate("output", o);
      }
      const cNext = f.mul(c!).add(i.mul(gg!.tanh()));
      return [o.mul(cNext.tanh()), cNext];
    }
    case "GRU": {
      const [xr, xz, xn] = splitLastDim(xp, 3); // 3 × [B, H]
      const [hr, hz, hn] = splitLastDim(cell.hiddenBias === undefined ? hp : hp.add(cell.hiddenBias), 3);
      const r = xr!.add(hr!).sigmoid();
      const z = xz!.add(hz!).sigmoid();
      if (gate !== undefined) {
        gate("reset", r);
        gate("update", z);
      }
      const n = xn!.add(r.mul(hn!)).tanh();
      return [n.add(z.mul(h.sub(n))), undefined];
    }
  }
}

/** One scan's inputs: a layer (or cell) and direction over a whole sequence. */
export interface ScanArgs {
  cell: PreparedCell;
  /** The input sequence [T, B, I] (timeDim 0) or [B, T, I] (timeDim 1). */
  x: Tensor;
  timeDim: 0 | 1;
  /** Initial state [B, H] (and the LSTM cell state). */
  h0: Tensor;
  c0: Tensor | undefined;
  /** Read the sequence from its end (bidirectional layers' second direction). */
  reverse: boolean;
  /** Lengths of a padded batch; undefined when every sequence has all T steps. */
  mask: LengthMask | undefined;
  trace: ScanTrace | undefined;
}

/**
 * Run one cell over a sequence. The input projection of all T·B rows is one GEMM; each step
 * then does one [B, H] @ [H, G·H] GEMM and the gate math on views of one [B, G·H] tensor.
 *
 * With `mask`, step t updates only the sequences that run at t (t < length): the others keep
 * their state (so a reverse direction starts each sequence at its true end from h0, and the
 * final state is the state at each true end), get output 0, and pass no gradient. Steps
 * t ≥ max(lengths) are not computed at all.
 *
 * Returns the outputs [T, B, H] (or [B, T, H]) and the final state.
 */
export function scan(args: ScanArgs): { output: Tensor; h: Tensor; c: Tensor | undefined } {
  const { cell, x, timeDim, reverse, mask, trace } = args;
  const T = x.shape[timeDim]!;
  const B = x.shape[1 - timeDim]!;
  const G = cell.wIhT.shape[1]!;
  const xProj = projectInput(cell, x.reshape([T * B, x.shape[2]!])); // [T·B, I] -> [T·B, G·H]
  const steps = unbindWithStackGrad(xProj.reshape(timeDim === 0 ? [T, B, G] : [B, T, G]), timeDim); // T × [B, G·H]
  const end = mask?.max ?? T;
  const outputs = new Array<Tensor>(T);
  let h = args.h0;
  let c = args.c0;
  for (let k = 0; k < end; k++) {
    const t = reverse ? end - 1 - k : k;
    const report = trace === undefined ? undefined : (name: string, values: Tensor) => trace.sink.gate(trace.site, t, name, values);
    const [hNext, cNext] = cellStep(cell, steps[t]!, h, c, report);
    // hNext feeds both the output and the next step (through `where` when some sequences ended).
    trace?.sink.hidden(trace.site, t, hNext);
    if (mask === undefined || t < mask.min) {
      h = hNext;
      c = cNext;
      outputs[t] = hNext;
    } else {
      const running = mask.running(t); // [B, 1]
      h = where(running, hNext, h);
      c = cNext === undefined ? undefined : where(running, cNext, c!);
      outputs[t] = where(running, hNext, 0);
    }
  }
  if (end < T) {
    const none = zeros([B, cell.hidden], { dtype: h.dtype });
    for (let t = end; t < T; t++) outputs[t] = none;
  }
  return { output: stack(outputs, timeDim), h, c }; // T × [B, H] -> [T, B, H] (or [B, T, H])
}

/**
 * `h ↦ h · wT` for every step of one scan, recorded so that backward computes wT's gradient
 * once, as [H, T·B] · [T·B, G·H] over all steps, instead of T small GEMMs and T accumulations
 * of a [H, G·H] gradient (most of an LSTM step's backward otherwise). Each step's node passes
 * its input gradient g · wTᵀ at once and keeps g; a 0-d `hub` between wT and the steps runs
 * after every step (it waits for all its consumers) and makes the one GEMM. Recorded ops keep
 * double backward working, as in `piecesWithJoinedGrad`.
 */
function stepProjection(wT: Tensor): (h: Tensor) => Tensor {
  if (!wT.requiresGrad || !isGradEnabled()) return (h) => h.matmul(wT);
  const inputs: Tensor[] = [];
  const grads: (Tensor | undefined)[] = [];
  const hub = zeros([], { dtype: wT.dtype });
  const nothing = zeros([], { dtype: wT.dtype });
  attachNode("stepProjection", [wT], hub, [], () => {
    const used = grads.flatMap((g, i) => (g === undefined ? [] : [i]));
    const grad =
      used.length === 0
        ? zeros(wT.shape, { dtype: wT.dtype })
        : cat(used.map((i) => inputs[i]!), 0).mT.matmul(cat(used.map((i) => grads[i]!), 0)); // [H, n·B] @ [n·B, G·H] -> [H, G·H]
    grads.fill(undefined);
    return [grad];
  });
  return (h) => {
    const out = noGrad(() => h.matmul(wT)); // [B, H] @ [H, G·H] -> [B, G·H]
    const i = inputs.push(h) - 1;
    attachNode("stepProjection", [h, hub], out, [], (g, needs) => {
      grads[i] = g;
      return [needs[0] ? g.matmul(wT.mT) : undefined, nothing]; // [B, G·H] @ [G·H, H] -> [B, H]
    });
    return out;
  };
}

/** Split the last dim into `n` equal views whose gradients are joined by one `cat`. */
function splitLastDim(x: Tensor, n: number): Tensor[] {
  const d = x.ndim - 1;
  const size = x.shape[d]! / n;
  return piecesWithJoinedGrad(x, d, n, (i) => narrow(x, d, i * size, size), (grads) => cat(grads, d));
}

/**
 * `x.unbind(dim)`, but backward stacks the slices' gradients once. (Through `select`, every
 * slice's gradient would be zero-padded to x's full shape and summed: O(T²) for T steps.)
 */
export function unbindWithStackGrad(x: Tensor, dim: number): Tensor[] {
  return piecesWithJoinedGrad(x, dim, x.shape[dim]!, (i) => select(x, dim, i), (grads) => stack(grads, dim));
}

/**
 * Views `piece(0..n−1)` of `x` that partition it, recorded so that backward hands x one
 * gradient `join(gradients of the pieces)` (zeros for pieces no gradient reached).
 *
 * NOTE: autograd nodes have one output, so this uses a 0-d `hub` node between x and the
 * pieces: each piece's backward stores its gradient and sends the hub a 0-d zero; the hub's
 * backward runs after all of them (it waits for every consumer, like any node) and joins
 * the stored gradients. Recorded ops under createGraph keep double backward working.
 */
function piecesWithJoinedGrad(x: Tensor, dim: number, n: number, piece: (i: number) => Tensor, join: (grads: Tensor[]) => Tensor): Tensor[] {
  if (!x.requiresGrad || !isGradEnabled()) return Array.from({ length: n }, (_, i) => piece(i));
  const pieces = noGrad(() => Array.from({ length: n }, (_, i) => piece(i)));
  const stored = new Array<Tensor | undefined>(n);
  const hub = zeros([], { dtype: x.dtype });
  const nothing = zeros([], { dtype: x.dtype });
  attachNode("split", [x], hub, [], () => {
    let zero: Tensor | undefined;
    const grads = pieces.map((p, i) => stored[i] ?? (zero ??= zeros(p.shape, { dtype: p.dtype })));
    stored.fill(undefined);
    return [join(grads)];
  });
  pieces.forEach((p, i) =>
    attachNode("split", [hub], p, [], (g) => {
      stored[i] = g;
      return [nothing];
    }),
  );
  return pieces;
}
