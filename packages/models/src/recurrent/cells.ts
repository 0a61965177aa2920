// RNNCell, LSTMCell and GRUCell: PyTorch's single-layer recurrent cells (same parameter names,
// gate order and init). `step` is PyTorch's cell call; `forward` runs the cell over a sequence.
import { type Rng, type Tensor, ValueError, defaultRng, uniform, zeros } from "@seqlab/tensor";
import { Module, Parameter } from "../module.js";
import type { Recurrent } from "./interface.js";
import { type SequenceLengths, checkLengths } from "./lengths.js";
import { type CellKind, GATES, cellStep, prepareCell, projectInput, scan, type PreparedCell } from "./scan.js";
import { activeTraceSink } from "./trace-sink.js";
import { checkBool, checkDtype, checkInput, checkNonlinearity, checkOptions, checkPositiveInt, checkState, checkSteps, stateParts } from "./validate.js";

/** Options of every recurrent cell. */
export interface CellOptions {
  inputSize: number;
  hiddenSize: number;
  /** Learn `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** Draws the initial parameters, U(−1/√H, 1/√H) (default: the global generator). */
  rng?: Rng;
  /** Parameter dtype (default float32). */
  dtype?: "float32" | "float64";
}

/** Options of `RNNCell`. */
export interface RNNCellOptions extends CellOptions {
  /** h' = tanh(...) or relu(...) (default "tanh"). */
  nonlinearity?: "tanh" | "relu";
}

/** Options of a recurrent module's `forward`. */
export interface SequenceOptions {
  /**
   * True lengths of the sequences of a padded batch (PyTorch's pack_padded_sequence with
   * enforce_sorted=False; see the module's `forward`).
   */
  lengths?: SequenceLengths;
}

/** The state of an LSTM: `[h, c]` (PyTorch's `(h, c)` tuple). */
export type LSTMState = [h: Tensor, c: Tensor];

/**
 * The shared body of the three cells: parameters `weight_ih` [G·H, I], `weight_hh` [G·H, H],
 * `bias_ih` [G·H], `bias_hh` [G·H] (G = 1, 4, 3 gates), registered in PyTorch's order.
 */
abstract class RecurrentCell<S> extends Module implements Recurrent<S> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | undefined;
  bias_hh: Parameter | undefined;
  readonly #name: string;
  readonly #kind: CellKind;
  /** Names of the state tensors in errors: PyTorch's hx (and cx). */
  readonly #stateNames: readonly string[];

  protected constructor(name: string, kind: CellKind, options: CellOptions) {
    super();
    checkOptions(name, options);
    this.#name = name;
    this.#kind = kind;
    this.#stateNames = kind === "LSTM" ? ["hx", "cx"] : ["hx"];
    this.inputSize = checkPositiveInt(name, "inputSize", options.inputSize);
    this.hiddenSize = checkPositiveInt(name, "hiddenSize", options.hiddenSize);
    this.bias = checkBool(name, "bias", options.bias ?? true);
    const dtype = checkDtype(name, options.dtype ?? "float32");
    const rng = options.rng ?? defaultRng();
    const H = this.hiddenSize;
    const rows = GATES[kind] * H;
    const k = 1 / Math.sqrt(H);
    const init = (shape: number[]) => new Parameter(uniform(shape, -k, k, { rng, dtype }));
    this.weight_ih = init([rows, this.inputSize]);
    this.weight_hh = init([rows, H]);
    this.bias_ih = this.bias ? init([rows]) : undefined;
    this.bias_hh = this.bias ? init([rows]) : undefined;
  }

  /** A state from its tensors (`h`, and `c` for LSTM). */
  protected abstract pack(h: Tensor, c: Tensor | undefined): S;

  /** The all-zero state for `batch` sequences: h [B, H] (and c [B, H] for LSTM). */
  zeroState(batch: number): S {
    const op = `${this.#name}.zeroState`;
    if (!Number.isInteger(batch) || batch < 0) throw new ValueError(`${op}: batch must be a non-negative integer, got ${batch}`, { op, got: batch });
    const z = () => zeros([batch, this.hiddenSize], { dtype: this.weight_ih.dtype });
    return this.pack(z(), this.#kind === "LSTM" ? z() : undefined);
  }

  /**
   * One time step, PyTorch's `cell(x, hx)`: x [B, I] (or unbatched [I]) and the state
   * [B, H] each (default zeros) → `[h' [B, H], state']`. For RNN and GRU the new state is h'
   * itself; for LSTM it is `[h', c']`. Does not report to a gradient tracer (no time index).
   *
   * @example
   * const cell = new LSTMCell({ inputSize: 4, hiddenSize: 8, rng });
   * let state = cell.zeroState(2);
   * let h: Tensor;
   * [h, state] = cell.step(randn([2, 4]), state); // h [2, 8]
   */
  step(x: Tensor, state?: S): [Tensor, S] {
    const op = `${this.#name}.step`;
    const I = this.inputSize;
    checkInput(op, x, [1, 2], I, this.weight_ih.dtype, `[batch, ${I}] or [${I}]`);
    const unbatched = x.ndim === 1;
    const xb = unbatched ? x.unsqueeze(0) : x; // [I] -> [1, I]
    const [h, c] = this.#initial(op, state, xb.shape[0]!, unbatched);
    const cell = this.#prepare();
    const [h1, c1] = cellStep(cell, projectInput(cell, xb), h, c);
    const out = unbatched ? h1.squeeze(0) : h1; // [1, H] -> [H]
    return [out, this.pack(out, c1 === undefined || !unbatched ? c1 : c1.squeeze(0))];
  }

  /**
   * Run the cell over a sequence: seq [T, B, I] and an optional state [B, H] each →
   * `[outputs [T, B, H], final state]`. (A single step [B, I] is `step`.)
   *
   * With `lengths` (each in 1..T), sequence b is read for t < lengths[b] only: outputs at
   * t ≥ lengths[b] are 0, padded steps pass no gradient, and the final state is the state
   * after step lengths[b] − 1 — PyTorch's pack_padded_sequence / pad_packed_sequence. A
   * gradient tracer sees h_t for t < max(lengths); at each t, the rows of the sequences
   * that already ended are padding (their gradient is 0).
   */
  forward(seq: Tensor, state?: S, { lengths }: SequenceOptions = {}): [Tensor, S] {
    const op = `${this.#name}.forward`;
    const I = this.inputSize;
    const hint = isRank(seq, 2) ? `; forward runs the cell over a sequence, use step(x, state) for one time step [batch, ${I}]` : "";
    checkInput(op, seq, [3], I, this.weight_ih.dtype, `[seq, batch, ${I}]`, hint);
    const [T, B] = seq.shape as [number, number, number];
    checkSteps(op, seq, T);
    const [h0, c0] = this.#initial(op, state, B, false);
    const mask = lengths === undefined ? undefined : checkLengths(op, lengths, B, T);
    const sink = activeTraceSink();
    const { output, h, c } = scan({
      cell: this.#prepare(),
      x: mask === undefined ? seq : mask.zeroPadding(seq, 0),
      timeDim: 0,
      h0,
      c0,
      reverse: false,
      mask,
      trace: sink === undefined ? undefined : { sink, site: { module: this, layer: 0, direction: 0 } },
    });
    return [output, this.pack(h, c)];
  }

  /**
   * The state cut from the autograd graph (same values): carry it into the next chunk of a
   * long sequence for truncated backpropagation through time.
   */
  detachState(state: S): S {
    const parts = stateParts(`${this.#name}.detachState`, state, this.#stateNames) as Tensor[];
    return this.pack(parts[0]!.detach(), parts[1]?.detach());
  }

  #prepare(): PreparedCell {
    return prepareCell(this.#kind, { weightIh: this.weight_ih, weightHh: this.weight_hh, biasIh: this.bias_ih, biasHh: this.bias_hh });
  }

  /** The checked initial state as [B, H] tensors (zeros when absent). */
  #initial(op: string, state: S | undefined, batch: number, unbatched: boolean): [Tensor, Tensor | undefined] {
    const H = this.hiddenSize;
    const dtype = this.weight_ih.dtype;
    const lstm = this.#kind === "LSTM";
    if (state === undefined) {
      const z = zeros([batch, H], { dtype });
      return [z, lstm ? z : undefined];
    }
    const shape = unbatched ? [H] : [batch, H];
    const parts = stateParts(op, state, this.#stateNames).map((s, i) => checkState(op, this.#stateNames[i]!, s, shape, dtype));
    const batched = unbatched ? parts.map((s) => s.unsqueeze(0)) : parts; // [H] -> [1, H]
    return [batched[0]!, batched[1]];
  }
}

const isRank = (x: unknown, n: number): boolean => typeof x === "object" && x !== null && (x as { ndim?: unknown }).ndim === n;

/**
 * An Elman RNN cell, PyTorch's `nn.RNNCell`: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)
 * (or ReLU). Parameters `weight_ih` [H, I], `weight_hh` [H, H], `bias_ih` [H], `bias_hh` [H].
 *
 * @example
 * const cell = new RNNCell({ inputSize: 3, hiddenSize: 5, rng: new Rng(0) });
 * const [h] = cell.step(randn([2, 3]));        // h [2, 5]
 * const [out, hT] = cell.forward(randn([7, 2, 3])); // out [7, 2, 5], hT [2, 5]
 */
export class RNNCell extends RecurrentCell<Tensor> {
  readonly nonlinearity: "tanh" | "relu";

  constructor(options: RNNCellOptions) {
    const nonlinearity = checkNonlinearity("RNNCell", (options as Partial<RNNCellOptions> | undefined)?.nonlinearity ?? "tanh");
    super("RNNCell", nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", options);
    this.nonlinearity = nonlinearity;
  }

  protected pack(h: Tensor): Tensor {
    return h;
  }
}

/**
 * A long short-term memory cell, PyTorch's `nn.LSTMCell`, gates in PyTorch's order i, f, g, o:
 * c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h' = σ(o) ⊙ tanh(c'). Parameters `weight_ih` [4H, I],
 * `weight_hh` [4H, H], `bias_ih` [4H], `bias_hh` [4H]. The state is `[h, c]`.
 *
 * @example
 * const cell = new LSTMCell({ inputSize: 3, hiddenSize: 5, rng: new Rng(0) });
 * const [h, [h1, c1]] = cell.step(randn([2, 3])); // h = h1 [2, 5], c1 [2, 5]
 */
export class LSTMCell extends RecurrentCell<LSTMState> {
  constructor(options: CellOptions) {
    super("LSTMCell", "LSTM", options);
  }

  protected pack(h: Tensor, c: Tensor | undefined): LSTMState {
    return [h, c!];
  }
}

/**
 * A gated recurrent unit cell, PyTorch's `nn.GRUCell`, gates in PyTorch's order r, z, n:
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h. Parameters
 * `weight_ih` [3H, I], `weight_hh` [3H, H], `bias_ih` [3H], `bias_hh` [3H].
 *
 * @example
 * const cell = new GRUCell({ inputSize: 3, hiddenSize: 5, rng: new Rng(0) });
 * const [out, h] = cell.forward(randn([7, 2, 3])); // out [7, 2, 5], h [2, 5]
 */
export class GRUCell extends RecurrentCell<Tensor> {
  constructor(options: CellOptions) {
    super("GRUCell", "GRU", options);
  }

  protected pack(h: Tensor): Tensor {
    return h;
  }
}
