// RNN, LSTM and GRU layers: PyTorch's multi-layer, optionally bidirectional recurrent layers
// (nn.RNN / nn.LSTM / nn.GRU) with the same parameter names, order, gate order, shapes and init.
import { type Rng, type Tensor, ValueError, bernoulli, fmtShape, cat, defaultRng, stack, uniform, zeros } from "@seqlab/tensor";
import { ModuleError } from "../errors.js";
import { Module, Parameter } from "../module.js";
import type { LSTMState, SequenceOptions } from "./cells.js";
import type { Recurrent } from "./interface.js";
import { checkLengths } from "./lengths.js";
import { type CellKind, GATES, type PreparedCell, cellStep, prepareCell, projectInput, scan, unbindWithStackGrad } from "./scan.js";
import { activeTraceSink } from "./trace-sink.js";
import { checkBool, checkDtype, checkInput, checkNonlinearity, checkOptions, checkPositiveInt, checkState, checkSteps, stateParts } from "./validate.js";

/** Options of the `LSTM` and `GRU` layers. */
export interface RecurrentLayerOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers; layer l > 0 reads layer l − 1's outputs (default 1). */
  numLayers?: number;
  /** Learn `bias_ih_l*` and `bias_hh_l*` (default true). */
  bias?: boolean;
  /** Input and output are [B, T, ·] instead of [T, B, ·] (states stay [L·D, B, H]) (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Add a second direction reading the sequence backwards; outputs are [fwd, bwd] on the last dim (default false). */
  bidirectional?: boolean;
  /** Draws the initial parameters, U(−1/√H, 1/√H), and the dropout masks (default: the global generator). */
  rng?: Rng;
  /** Parameter dtype (default float32). */
  dtype?: "float32" | "float64";
}

/** Options of the `RNN` layer. */
export interface RNNOptions extends RecurrentLayerOptions {
  /** h_t = tanh(...) or relu(...) (default "tanh"). */
  nonlinearity?: "tanh" | "relu";
}

/**
 * The shared body of RNN, LSTM and GRU. For layer l and direction d (suffix `_l{l}` or
 * `_l{l}_reverse`) it owns `weight_ih` [G·H, I_l], `weight_hh` [G·H, H], `bias_ih` [G·H],
 * `bias_hh` [G·H] (I_0 = inputSize, I_l = D·H after), registered in PyTorch's state-dict order.
 * NOTE: TypeScript cannot type these generated names; reach them as `stateDict().get("weight_ih_l0")`
 * or through `namedParameters()`.
 */
abstract class RecurrentLayer<S> extends Module implements Recurrent<S> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly #name: string;
  readonly #kind: CellKind;
  readonly #rng: Rng;
  /** Names of the state tensors in errors: PyTorch's h_0 (and c_0). */
  readonly #stateNames: readonly string[];

  protected constructor(name: string, kind: CellKind, options: RecurrentLayerOptions) {
    super();
    checkOptions(name, options);
    this.#name = name;
    this.#kind = kind;
    this.#stateNames = kind === "LSTM" ? ["h_0", "c_0"] : ["h_0"];
    this.inputSize = checkPositiveInt(name, "inputSize", options.inputSize);
    this.hiddenSize = checkPositiveInt(name, "hiddenSize", options.hiddenSize);
    this.numLayers = checkPositiveInt(name, "numLayers", options.numLayers ?? 1);
    this.bias = checkBool(name, "bias", options.bias ?? true);
    this.batchFirst = checkBool(name, "batchFirst", options.batchFirst ?? false);
    this.bidirectional = checkBool(name, "bidirectional", options.bidirectional ?? false);
    const dropout = options.dropout ?? 0;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) {
      throw new ModuleError(`${name}: dropout must be a probability in [0, 1), got ${String(dropout)}`, { op: name, expected: "[0, 1)", got: dropout });
    }
    this.dropout = dropout;
    const dtype = checkDtype(name, options.dtype ?? "float32");
    this.#rng = options.rng ?? defaultRng();
    const H = this.hiddenSize;
    const rows = GATES[kind] * H;
    const k = 1 / Math.sqrt(H);
    const params = this as unknown as Record<string, Parameter>;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < this.directions; d++) {
        const suffix = this.#suffix(l, d);
        const init = (shape: number[]) => new Parameter(uniform(shape, -k, k, { rng: this.#rng, dtype }));
        params[`weight_ih${suffix}`] = init([rows, l === 0 ? this.inputSize : this.directions * H]);
        params[`weight_hh${suffix}`] = init([rows, H]);
        if (this.bias) {
          params[`bias_ih${suffix}`] = init([rows]);
          params[`bias_hh${suffix}`] = init([rows]);
        }
      }
    }
  }

  /** 2 when bidirectional, else 1 (PyTorch's D). */
  get directions(): 1 | 2 {
    return this.bidirectional ? 2 : 1;
  }

  /** A state from its tensors (`h`, and `c` for LSTM). */
  protected abstract pack(h: Tensor, c: Tensor | undefined): S;

  /** The all-zero state for `batch` sequences: h [L·D, B, H] (and c for LSTM). */
  zeroState(batch: number): S {
    const op = `${this.#name}.zeroState`;
    if (!Number.isInteger(batch) || batch < 0) throw new ValueError(`${op}: batch must be a non-negative integer, got ${batch}`, { op, got: batch });
    const z = () => zeros([this.numLayers * this.directions, batch, this.hiddenSize], { dtype: this.#dtype() });
    return this.pack(z(), this.#kind === "LSTM" ? z() : undefined);
  }

  /**
   * Run every layer over a sequence, PyTorch's `module(input, hx)`:
   * input [T, B, I] ([B, T, I] with `batchFirst`, or unbatched [T, I]) and an optional initial
   * state [L·D, B, H] (unbatched [L·D, H]) → `[output [T, B, D·H] ([B, T, D·H]; unbatched
   * [T, D·H]), final state [L·D, B, H]]`. State rows are ordered layer-major, forward
   * direction first (row l·D + d), as in PyTorch.
   *
   * With `lengths` (an int array or int32 tensor [B], each in 1..T, any order), sequence b is
   * read for t < lengths[b] only — PyTorch's pack_padded_sequence(enforce_sorted=False) then
   * pad_packed_sequence(total_length=T): outputs at t ≥ lengths[b] are 0, padded steps pass no
   * gradient (whatever the padding holds), the final state is the state at each sequence's
   * true end, and the reverse direction reads each sequence from its true end. A gradient
   * tracer sees h_t for t < max(lengths); at each t, the rows of the sequences that already
   * ended are padding (their gradient is 0).
   *
   * @example
   * const lstm = new LSTM({ inputSize: 8, hiddenSize: 16, numLayers: 2, bidirectional: true, rng });
   * const [out, [h, c]] = lstm.forward(randn([5, 3, 8])); // out [5, 3, 32], h and c [4, 3, 16]
   * lstm.forward(randn([5, 3, 8]), undefined, { lengths: [5, 2, 4] });
   */
  forward(input: Tensor, state?: S, { lengths }: SequenceOptions = {}): [Tensor, S] {
    const op = `${this.#name}.forward`;
    const I = this.inputSize;
    const timeDim = this.batchFirst ? 1 : 0;
    const layout = this.batchFirst ? `[batch, seq, ${I}]` : `[seq, batch, ${I}]`;
    checkInput(op, input, [2, 3], I, this.#dtype(), layout, ` (unbatched input is [seq, ${I}])`);
    const unbatched = input.ndim === 2;
    if (unbatched && lengths !== undefined) {
      throw new ValueError(`${op}: lengths need a batched input ${layout}, got ${fmtShape(input.shape)}`, { op, shapes: [input.shape] });
    }
    let x = unbatched ? input.unsqueeze(1 - timeDim) : input; // [T, I] -> [T, 1, I] (or [1, T, I])
    const T = x.shape[timeDim]!;
    const B = x.shape[1 - timeDim]!;
    checkSteps(op, input, T);
    const [h0, c0] = this.#initial(op, state, B, unbatched);
    const mask = lengths === undefined ? undefined : checkLengths(op, lengths, B, T);
    if (mask !== undefined) x = mask.zeroPadding(x, timeDim);
    const sink = activeTraceSink();
    const D = this.directions;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outputs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = l * D + d;
        const r = scan({
          cell: this.#prepare(l, d),
          x,
          timeDim,
          h0: h0[k]!,
          c0: c0?.[k],
          reverse: d === 1,
          mask,
          trace: sink === undefined ? undefined : { sink, site: { module: this, layer: l, direction: d as 0 | 1 } },
        });
        outputs.push(r.output);
        hs.push(r.h);
        if (r.c !== undefined) cs.push(r.c);
      }
      x = D === 1 ? outputs[0]! : cat(outputs, 2); // 2 × [T, B, H] -> [T, B, 2H]
      if (l < this.numLayers - 1) x = this.#dropout(x);
    }
    let hN = stack(hs); // L·D × [B, H] -> [L·D, B, H]
    let cN = cs.length > 0 ? stack(cs) : undefined;
    if (unbatched) {
      x = x.squeeze(1 - timeDim); // [T, 1, D·H] -> [T, D·H]
      hN = hN.squeeze(1); // [L·D, 1, H] -> [L·D, H]
      cN = cN?.squeeze(1);
    }
    return [x, this.pack(hN, cN)];
  }

  /**
   * One time step through every layer (unidirectional layers only): x [B, I] and the state
   * [L·D, B, H] (default zeros) → `[top layer's h [B, H], next state]`. Stepping T times
   * equals `forward` over the T steps. Does not report to a gradient tracer (no time index).
   */
  step(x: Tensor, state?: S): [Tensor, S] {
    const op = `${this.#name}.step`;
    if (this.bidirectional) {
      throw new ModuleError(`${op}: a bidirectional layer cannot run one time step at a time (its reverse direction reads the sequence from the end); use forward(seq)`, {
        op,
      });
    }
    const I = this.inputSize;
    checkInput(op, x, [2], I, this.#dtype(), `[batch, ${I}]`);
    const [h0, c0] = this.#initial(op, state, x.shape[0]!, false);
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let y = x;
    for (let l = 0; l < this.numLayers; l++) {
      const cell = this.#prepare(l, 0);
      const [h, c] = cellStep(cell, projectInput(cell, y), h0[l]!, c0?.[l]);
      hs.push(h);
      if (c !== undefined) cs.push(c);
      y = l < this.numLayers - 1 ? this.#dropout(h) : h;
    }
    return [hs[hs.length - 1]!, this.pack(stack(hs), cs.length > 0 ? stack(cs) : undefined)]; // L × [B, H] -> [L, B, H]
  }

  /**
   * The state cut from the autograd graph (same values): carry it into the next chunk of a
   * long sequence for truncated backpropagation through time.
   *
   * @example
   * let state = lstm.zeroState(B);
   * for (const chunk of chunks) {
   *   const [out, next] = lstm.forward(chunk, state);
   *   loss(out).backward();
   *   state = lstm.detachState(next);
   * }
   */
  detachState(state: S): S {
    const parts = stateParts(`${this.#name}.detachState`, state, this.#stateNames) as Tensor[];
    return this.pack(parts[0]!.detach(), parts[1]?.detach());
  }

  #dtype(): "float32" | "float64" {
    return (this as unknown as Record<string, Parameter>).weight_ih_l0!.dtype as "float32" | "float64";
  }

  #suffix(layer: number, direction: number): string {
    return `_l${layer}${direction === 1 ? "_reverse" : ""}`;
  }

  #prepare(layer: number, direction: number): PreparedCell {
    const suffix = this.#suffix(layer, direction);
    const params = this as unknown as Record<string, Parameter | undefined>;
    return prepareCell(this.#kind, {
      weightIh: params[`weight_ih${suffix}`]!,
      weightHh: params[`weight_hh${suffix}`]!,
      biasIh: params[`bias_ih${suffix}`],
      biasHh: params[`bias_hh${suffix}`],
    });
  }

  /** Inter-layer dropout: x ⊙ mask / (1 − p) with mask ~ Bernoulli(1 − p) from the module's rng. */
  #dropout(x: Tensor): Tensor {
    if (!this.training || this.dropout === 0) return x;
    const keep = 1 - this.dropout;
    return x.mul(bernoulli(keep, { shape: x.shape, rng: this.#rng, dtype: x.dtype }).mul(1 / keep));
  }

  /** The checked initial state split per layer and direction: L·D × [B, H] (zeros when absent). */
  #initial(op: string, state: S | undefined, batch: number, unbatched: boolean): [Tensor[], Tensor[] | undefined] {
    const rows = this.numLayers * this.directions;
    const H = this.hiddenSize;
    const dtype = this.#dtype();
    const lstm = this.#kind === "LSTM";
    if (state === undefined) {
      const z = zeros([batch, H], { dtype });
      const all = new Array<Tensor>(rows).fill(z);
      return [all, lstm ? all : undefined];
    }
    const shape = unbatched ? [rows, H] : [rows, batch, H];
    const parts = stateParts(op, state, this.#stateNames).map((s, i) => {
      const checked = checkState(op, this.#stateNames[i]!, s, shape, dtype);
      return unbindWithStackGrad(unbatched ? checked.unsqueeze(1) : checked, 0); // [L·D, (1,) H] -> L·D × [B, H]
    });
    return [parts[0]!, parts[1]];
  }
}

/**
 * A multi-layer Elman RNN, PyTorch's `nn.RNN`: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh)
 * (or ReLU). State h [L·D, B, H].
 *
 * @example
 * const rnn = new RNN({ inputSize: 3, hiddenSize: 5, numLayers: 2, nonlinearity: "relu", rng: new Rng(0) });
 * const [out, h] = rnn.forward(randn([7, 2, 3])); // out [7, 2, 5], h [2, 2, 5]
 */
export class RNN extends RecurrentLayer<Tensor> {
  readonly nonlinearity: "tanh" | "relu";

  constructor(options: RNNOptions) {
    const nonlinearity = checkNonlinearity("RNN", (options as Partial<RNNOptions> | undefined)?.nonlinearity ?? "tanh");
    super("RNN", nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", options);
    this.nonlinearity = nonlinearity;
  }

  protected pack(h: Tensor): Tensor {
    return h;
  }
}

/**
 * A multi-layer long short-term memory, PyTorch's `nn.LSTM` (gates i, f, g, o):
 * c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g), h_t = σ(o) ⊙ tanh(c_t). State `[h, c]`, each [L·D, B, H].
 *
 * @example
 * const lstm = new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2, rng: new Rng(0) });
 * const [out, [h, c]] = lstm.forward(randn([5, 3, 10])); // out [5, 3, 20], h and c [2, 3, 20]
 */
export class LSTM extends RecurrentLayer<LSTMState> {
  constructor(options: RecurrentLayerOptions) {
    super("LSTM", "LSTM", options);
  }

  protected pack(h: Tensor, c: Tensor | undefined): LSTMState {
    return [h, c!];
  }
}

/**
 * A multi-layer gated recurrent unit, PyTorch's `nn.GRU` (gates r, z, n):
 * n_t = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t−1} + b_hn)), h_t = (1 − z) ⊙ n_t + z ⊙ h_{t−1}.
 * State h [L·D, B, H].
 *
 * @example
 * const gru = new GRU({ inputSize: 10, hiddenSize: 20, batchFirst: true, rng: new Rng(0) });
 * const [out, h] = gru.forward(randn([3, 5, 10])); // out [3, 5, 20], h [1, 3, 20]
 */
export class GRU extends RecurrentLayer<Tensor> {
  constructor(options: RecurrentLayerOptions) {
    super("GRU", "GRU", options);
  }

  protected pack(h: Tensor): Tensor {
    return h;
  }
}
