// Block-Recurrent Transformer (Hutchins et al. 2022): shapes and parameter counts, block-by-block
// steps against the parallel forward, the gates at their limits, where gradients reach (learned
// state, sliding window, causality), attention capture, and errors on bad input.
import { describe, expect, it } from "vitest";
import { DTypeError, IndexError, Rng, ShapeError, type Tensor, ValueError, randint, randn, tensor, zeros } from "@seqlab/tensor";
import { gradients, noGrad } from "@seqlab/autograd";
import { seqlabMatchers } from "@seqlab/autograd/vitest";
import { BRT_PRESETS, BlockRecurrentCell, BlockRecurrentTransformer, FixedGate, LSTMGate, ModuleError, captureAttention } from "../src/index.js";
import type { BRTConfig, BRTState } from "../src/index.js";
import { thrown } from "./errors.js";

expect.extend(seqlabMatchers);

const small = (over: Partial<BRTConfig> = {}): BlockRecurrentTransformer =>
  new BlockRecurrentTransformer({ vocabSize: 11, dModel: 16, nHead: 2, blockSize: 4, numStateVectors: 3, nLayer: 3, dFF: 24, rng: new Rng(0), ...over }).eval();
const ids = (B: number, T: number, V: number, seed: number): Tensor => randint(0, V, [B, T], { rng: new Rng(seed), dtype: "int32" });

/** Expect `fn` to throw an error of class `cls` whose message contains `text`; returns it for field checks. */
function throws(fn: () => unknown, cls: abstract new (...args: never[]) => Error, text: string): Error {
  const caught = thrown(fn);
  expect(caught).toBeInstanceOf(cls);
  expect(caught.message).toContain(text);
  return caught;
}

/** Set every fixed gate's bias b_g of `model` to `value`. */
function setGateBias(model: BlockRecurrentTransformer | BlockRecurrentCell, value: number): void {
  noGrad(() => {
    for (const m of model.modules()) if (m instanceof FixedGate) m.bias.fill_(value);
  });
}

describe("BlockRecurrentTransformer: structure", () => {
  it("gives logits [B, T, V] and a state with one cache per layer and one [B, S, d] state per recurrent layer", () => {
    const model = small();
    const [logits, state] = model.forward(ids(2, 12, 11, 1));
    expect(logits.shape).toEqual([2, 12, 11]);
    expect(state.caches.map((c) => c?.k.shape)).toEqual([
      [2, 2, 4, 8],
      [2, 2, 4, 8],
      [2, 2, 4, 8],
    ]);
    expect(state.states.map((s) => s.shape)).toEqual([[2, 3, 16]]);
  });

  it("puts one recurrent layer third from the top by default (the paper's layer 10 of 12) and takes recurrentLayers", () => {
    const kinds = (m: BlockRecurrentTransformer) => [...m.layers].map((l) => (l instanceof BlockRecurrentCell ? "R" : "S")).join("");
    expect(kinds(small({ nLayer: 5 }))).toBe("SSRSS");
    expect(kinds(small({ nLayer: 2 }))).toBe("RS");
    expect(kinds(small({ nLayer: 3, recurrentLayers: [2, 0] }))).toBe("RSR");
    expect(kinds(small({ recurrentLayers: [] }))).toBe("SSS");
    expect(new BlockRecurrentTransformer({ ...BRT_PRESETS.paper, nLayer: 12, vocabSize: 8, dModel: 16, nHead: 2, dFF: 8, blockSize: 2 }).config.recurrentLayers).toEqual([9]);
  });

  it("counts parameters as the formula of §3 gives, for both gates", () => {
    const [V, d, S, F] = [11, 16, 3, 24];
    const norm = 2 * d;
    const ffn = d * F + F + F * d + d;
    const sliding = norm + 2 * d * d + d * d + (d * d + d) + norm + ffn;
    const vertical = norm + 2 * d * d + 2 * d * d + (2 * d * d + d) + norm + ffn;
    const horizontal = (gate: (dIn: number) => number) => 2 * S * d + norm + 2 * d * d + 2 * d * d + gate(2 * d) + norm + (d * F + F) + gate(F);
    const fixed = (dIn: number) => dIn * d + d + d;
    const lstm = (dIn: number) => 3 * (dIn * d + d);
    const outer = V * d + norm + V * d;
    expect(small().parameterCount()).toBe(outer + 2 * sliding + vertical + horizontal(fixed));
    expect(small({ gate: "lstm" }).parameterCount()).toBe(outer + 2 * sliding + vertical + horizontal(lstm));
    const names = [...small().namedParameters()].map(([k]) => k);
    expect(names).toContain("layers.0.state_ids");
    expect(names).toContain("layers.0.initial_state");
    expect(names).toContain("layers.0.state_gate1.bias");
    expect(names).toContain("layers.0.cross_attn.q_proj.weight");
    expect(names).toContain("layers.1.self_attn.q_proj.weight");
    expect(names).toContain("lm_head.weight");
  });

  it("builds the tiny preset and runs a block", () => {
    const model = new BlockRecurrentTransformer({ ...BRT_PRESETS.tiny, rng: new Rng(1) });
    const [logits, state] = model.step(ids(1, 16, 256, 2), model.zeroState(1));
    expect(logits.shape).toEqual([1, 16, 256]);
    expect(state.states[0]!.shape).toEqual([1, 16, 64]);
  });
});

describe("BlockRecurrentTransformer: block-by-block steps equal the parallel forward", () => {
  for (const gate of ["fixed", "lstm"] as const) {
    it(`with the ${gate} gate: step per block, carrying the state, gives forward's logits, states and caches`, () => {
      const model = small({ gate, dtype: "float64", recurrentLayers: [0, 2] });
      const seq = ids(2, 20, 11, 3);
      const [whole, final] = model.forward(seq);
      let state: BRTState = model.zeroState(2);
      const pieces: Tensor[] = [];
      for (let n = 0; n < 5; n++) {
        const [logits, next] = model.step(seq.narrow(1, 4 * n, 4), state);
        pieces.push(logits);
        state = next;
      }
      for (let n = 0; n < 5; n++) expect(pieces[n]!).toBeAllClose(whole.narrow(1, 4 * n, 4), { atol: 1e-12, rtol: 1e-10 });
      state.states.forEach((s, r) => expect(s).toBeAllClose(final.states[r]!, { atol: 1e-12, rtol: 1e-10 }));
      state.caches.forEach((c, i) => {
        expect(c!.k).toBeAllClose(final.caches[i]!.k, { atol: 1e-12, rtol: 1e-10 });
        expect(c!.v).toBeAllClose(final.caches[i]!.v, { atol: 1e-12, rtol: 1e-10 });
      });
    });
  }

  it("splitting the sequence into two forward calls that carry the state changes nothing (float32)", () => {
    const model = small();
    const seq = ids(3, 24, 11, 4);
    const [whole] = model.forward(seq);
    const [first, mid] = model.forward(seq.narrow(1, 0, 8));
    const [second] = model.forward(seq.narrow(1, 8, 16), mid);
    expect(first).toBeAllClose(whole.narrow(1, 0, 8), { atol: 1e-5, rtol: 1e-4 });
    expect(second).toBeAllClose(whole.narrow(1, 8, 16), { atol: 1e-5, rtol: 1e-4 });
  });

  it("takes embeddings [B, T, d] in place of ids", () => {
    const model = small();
    const seq = ids(1, 8, 11, 5);
    const [fromIds] = model.forward(seq);
    const [fromEmbeddings] = model.forward(model.embedding.forward(seq));
    expect(fromEmbeddings).toBeAllClose(fromIds, { atol: 1e-6 });
  });
});

describe("the gates", () => {
  it("FixedGate: c·σ(b) + z·(1 − σ(b)), with z = W_z h + b_z (hand-computed at b = 0 and b = ln 3)", () => {
    const gate = new FixedGate(2, 2, { dtype: "float64" });
    noGrad(() => {
      gate.proj.weight.copy_(tensor([[1, 0], [0, 2]], { dtype: "float64" }));
      gate.proj.bias!.copy_(tensor([0.5, -1], { dtype: "float64" }));
      gate.bias.copy_(tensor([0, Math.log(3)], { dtype: "float64" }));
    });
    const c = tensor([[[2, 4]]], { dtype: "float64" });
    const h = tensor([[[1, 3]]], { dtype: "float64" });
    // z = [1.5, 5]; g = [1/2, 3/4] -> [2·0.5 + 1.5·0.5, 4·0.75 + 5·0.25]
    expect(gate.forward(c, h)).toBeAllClose(tensor([[[1.75, 4.25]]], { dtype: "float64" }), { atol: 1e-14 });
  });

  it("FixedGate at its limits: b_g = +30 passes the state unchanged, b_g = −30 replaces it by the update", () => {
    const gate = new FixedGate(3, 4, { rng: new Rng(2) });
    const c = randn([2, 5, 4], { rng: new Rng(3) });
    const h = randn([2, 5, 3], { rng: new Rng(4) });
    noGrad(() => gate.bias.fill_(30));
    expect(gate.forward(c, h)).toBeAllClose(c, { atol: 0, rtol: 0 });
    noGrad(() => gate.bias.fill_(-30));
    expect(gate.forward(c, h)).toBeAllClose(gate.proj.forward(h), { atol: 1e-6 });
  });

  it("LSTMGate: c·σ(W_f h + b_f + 1) + tanh(W_z h + b_z)·σ(W_i h + b_i − 1) (hand-computed)", () => {
    const gate = new LSTMGate(2, 2, { dtype: "float64" });
    noGrad(() => {
      for (const lin of [gate.proj, gate.input_gate, gate.forget_gate]) lin.weight.zero_();
      gate.proj.bias!.copy_(tensor([0.5, -2], { dtype: "float64" }));
      gate.input_gate.bias!.copy_(tensor([1, 1], { dtype: "float64" })); // i = σ(0) = 1/2
      gate.forget_gate.bias!.copy_(tensor([-1, Math.log(3) - 1], { dtype: "float64" })); // f = [1/2, 3/4]
    });
    const c = tensor([[[2, 4]]], { dtype: "float64" });
    const h = tensor([[[7, -7]]], { dtype: "float64" });
    const expected = [2 * 0.5 + Math.tanh(0.5) * 0.5, 4 * 0.75 + Math.tanh(-2) * 0.5];
    expect(gate.forward(c, h)).toBeAllClose(tensor([[expected]], { dtype: "float64" }), { atol: 1e-14 });
  });

  it("in the cell, b_g = +30 keeps the learned initial state through every block", () => {
    const model = small();
    setGateBias(model, 30);
    const [, state] = model.forward(ids(2, 24, 11, 6));
    expect(state.states[0]!).toBeAllClose(model.zeroState(2).states[0]!, { atol: 1e-6 });
  });

  it("in the cell, b_g = −30 makes the new state depend on the old one only through its LayerNorm (scale-invariant), unlike b_g = +30 or 0", () => {
    const cell = small({ dtype: "float64" }).cells[0]!;
    const x = randn([2, 4, 16], { rng: new Rng(7), dtype: "float64" });
    const c = randn([2, 3, 16], { rng: new Rng(8), dtype: "float64" });
    const next = (s: Tensor) => noGrad(() => cell.forward(x, s, null)[1]);
    setGateBias(cell, -30);
    expect(next(c.mul(4))).toBeAllClose(next(c), { atol: 1e-6 }); // replaced by the update, which reads LayerNorm(c)
    setGateBias(cell, 30);
    expect(next(c.mul(4))).toBeAllClose(c.mul(4), { atol: 1e-9 }); // passed through
    setGateBias(cell, 0);
    const diff = noGrad(() => next(c.mul(4)).sub(next(c)).abs().amax().item());
    expect(diff).toBeGreaterThan(0.1); // half of the old state stays
  });
});

describe("gradients", () => {
  it("reach the learned state ids and initial state from a loss on the last of 4 blocks, through the gates", () => {
    const model = small({ nLayer: 2, recurrentLayers: [0] });
    const seq = ids(2, 16, 11, 9);
    const [logits] = model.forward(seq);
    logits.narrow(1, 12, 4).sum().backward();
    const cell = model.cells[0]!;
    const norm = (t: Tensor) => noGrad(() => t.grad!.abs().amax().item());
    expect(norm(cell.state_ids)).toBeGreaterThan(0);
    expect(norm(cell.initial_state)).toBeGreaterThan(0);
    expect(norm(cell.state_gate1.proj.weight)).toBeGreaterThan(0);
    expect(norm((cell.state_gate2 as FixedGate).bias)).toBeGreaterThan(0);
  });

  it("stop at a detached state: the initial state gets no gradient from the last block when the state is detached before it", () => {
    const model = small({ nLayer: 2, recurrentLayers: [0] });
    const seq = ids(2, 16, 11, 9);
    const [, mid] = model.forward(seq.narrow(1, 0, 12));
    const [logits] = model.forward(seq.narrow(1, 12, 4), model.detachState(mid));
    logits.sum().backward();
    const cell = model.cells[0]!;
    expect(cell.initial_state.grad).toBeNull();
    expect(noGrad(() => cell.state_ids.grad!.abs().amax().item())).toBeGreaterThan(0); // the last block still reads the state through its ids
  });

  /** |∂ output[:, t] / ∂ input[:, s]| summed over features and batch, for every s, via the embeddings. */
  function dependence(model: BlockRecurrentTransformer, T: number, t: number): number[] {
    const x = randn([2, T, 16], { rng: new Rng(10) }).requiresGrad_();
    const [logits] = model.forward(x);
    const [g] = gradients(logits.select(1, t).sum(), [x]);
    return Array.from(noGrad(() => g!.abs().sum([0, 2])).data());
  }

  it("in a sliding-window layer, a token depends on exactly the tokens of its block up to itself and the whole previous block (≤ 2W − 1 back)", () => {
    const model = small({ nLayer: 1, recurrentLayers: [] });
    const W = 4;
    for (const t of [0, 3, 9, 12, 15]) {
      const dep = dependence(model, 16, t);
      const first = Math.max(0, (Math.floor(t / W) - 1) * W);
      dep.forEach((v, s) => {
        if (s >= first && s <= t) expect(v, `t=${t} s=${s}`).toBeGreaterThan(0);
        else expect(v, `t=${t} s=${s}`).toBe(0);
      });
    }
    expect(15 - 8).toBe(2 * W - 1); // the farthest dependency of the last token of a block
  });

  it("through the recurrent state, a token depends on every earlier block but never on later tokens", () => {
    const model = small({ nLayer: 1, recurrentLayers: [0] });
    const dep = dependence(model, 24, 21);
    dep.forEach((v, s) => {
      if (s <= 21) expect(v, `s=${s}`).toBeGreaterThan(0);
      else expect(v, `s=${s}`).toBe(0);
    });
  });
});

describe("attention capture", () => {
  it("reports self [B, H, T, P + T] (banded), cross [B, H, T, S], and per block state-self [B, H, S, S] and state-cross [B, H, S, W]", () => {
    const model = small({ nLayer: 2, recurrentLayers: [0] });
    const seq = ids(2, 12, 11, 11);
    const { maps, result } = captureAttention(() => model.forward(seq), { root: model });
    const summary = maps.map((m) => `${m.name} ${m.kind} ${m.call} [${m.weights.shape.join(", ")}]`);
    expect(summary).toEqual([
      "layers.0.state_self_attn state-self 0 [2, 2, 3, 3]",
      "layers.0.state_cross_attn state-cross 0 [2, 2, 3, 4]",
      "layers.0.state_self_attn state-self 1 [2, 2, 3, 3]",
      "layers.0.state_cross_attn state-cross 1 [2, 2, 3, 4]",
      "layers.0.state_self_attn state-self 2 [2, 2, 3, 3]",
      "layers.0.state_cross_attn state-cross 2 [2, 2, 3, 4]",
      "layers.0.self_attn self 0 [2, 2, 12, 12]",
      "layers.0.cross_attn cross 0 [2, 2, 12, 3]",
      "layers.1.self_attn self 0 [2, 2, 12, 12]",
    ]);
    for (const m of maps) expect(m.weights.sum(-1)).toBeAllClose(zeros(m.weights.shape.slice(0, -1)).add(1), { atol: 1e-5 });
    // A second call carries the cache: keys [previous block, 12 tokens], zero outside each row's window.
    const second = captureAttention(() => model.forward(seq, result[1]), { root: model }).find("layers.1.self_attn")!.weights;
    expect(second.shape).toEqual([2, 2, 12, 16]);
    const w = second.toArray() as number[][][][];
    for (let t = 0; t < 12; t++) {
      for (let j = 0; j < 16; j++) {
        const inWindow = j >= Math.floor(t / 4) * 4 && j <= t + 4;
        if (inWindow) expect(w[1]![1]![t]![j]!).toBeGreaterThan(0);
        else expect(w[1]![1]![t]![j]!).toBe(0);
      }
    }
  });
});

describe("errors", () => {
  const model = small();

  it("rejects a sequence that is not a positive multiple of the block size", () => {
    const e = throws(() => model.forward(ids(1, 10, 11, 0)), ShapeError, "BlockRecurrentTransformer.forward: the sequence length 10 must be a positive multiple of the block size 4 (pad it to 12 tokens)");
    expect(e).toMatchObject({ op: "BlockRecurrentTransformer.forward", expected: "multiple of 4", got: 10, shapes: [[1, 10]] });
    throws(() => model.forward(zeros([1, 0], { dtype: "int32" })), ShapeError, "positive multiple");
    throws(() => model.step(ids(1, 8, 11, 0), model.zeroState(1)), ShapeError, "a step takes exactly one block of 4 tokens, got 8");
  });

  it("rejects token ids out of range, with the id in the error", () => {
    const e = throws(() => model.forward(tensor([[0, 1, 11, 2]], { dtype: "int32" })), IndexError, "token id 11 is out of range for a vocabulary of 11");
    expect(e).toMatchObject({ op: "BlockRecurrentTransformer.forward", got: 11, expected: [0, 10] });
    throws(() => model.forward(tensor([[0, -1, 1, 2]], { dtype: "int32" })), IndexError, "token id -1");
  });

  it("rejects inputs of the wrong rank, width or dtype", () => {
    throws(() => model.forward(zeros([1, 4, 15])), ShapeError, "expected [B, T] int32 ids or [B, T, 16] float32 embeddings, got float32 [1, 4, 15]");
    throws(() => model.forward(zeros([4], { dtype: "int32" })), ShapeError, "got int32 [4]");
    throws(() => model.forward(zeros([1, 4, 16], { dtype: "float64" })), DTypeError, "got float64 [1, 4, 16]");
    throws(() => model.forward(null as unknown as Tensor), ValueError, "expected a Tensor");
  });

  it("rejects states of the wrong batch, shape, structure or dtype", () => {
    const good = model.zeroState(2);
    const seq = ids(2, 4, 11, 0);
    throws(() => model.forward(seq, model.zeroState(3)), ShapeError, "state 0 (layer 0) must be [2, 3, 16] (batch of the input), got [3, 3, 16]");
    throws(() => model.forward(seq, { ...good, states: [zeros([2, 4, 16])] }), ShapeError, "got [2, 4, 16]");
    throws(() => model.forward(seq, { ...good, states: [] }), ShapeError, "a state must hold 3 caches and 1 recurrent states, got 3 and 0");
    const [, after] = model.forward(seq);
    const caches = [...after.caches];
    caches[1] = { k: zeros([2, 2, 3, 8]), v: after.caches[1]!.v };
    throws(() => model.forward(seq, { ...after, caches }), ShapeError, "cache 1 keys must be [2, 2, 4, 8] (batch of the input), got [2, 2, 3, 8]");
    throws(() => model.forward(seq, { ...good, states: [zeros([2, 3, 16], { dtype: "float64" })] }), DTypeError, "must be float32, got float64");
    throws(() => model.forward(seq, {} as BRTState), ValueError, "expected a state { caches, states }");
    throws(() => model.step(seq, undefined as unknown as BRTState), ValueError, "a state is required");
    throws(() => model.zeroState(0), ValueError, "batch must be a positive integer");
  });

  it("checks the inputs of the cell and the sliding-window layer too", () => {
    const cell = model.cells[0]!;
    const state = cell.initialState(2);
    throws(() => cell.forward(zeros([2, 6, 16]), state, null), ShapeError, "BlockRecurrentCell.forward: expected input [B, N·4, 16] (whole blocks of 4), got [2, 6, 16]");
    throws(() => cell.forward(zeros([2, 4, 16]), zeros([2, 4, 16]), null), ShapeError, "BlockRecurrentCell.forward: state must be [2, 3, 16] (batch of the input), got [2, 4, 16]");
    throws(() => cell.forward(zeros([2, 4, 16]), state, { k: zeros([1, 2, 4, 8]), v: zeros([1, 2, 4, 8]) }), ShapeError, "cache keys must be [2, 2, 4, 8] (batch of the input), got [1, 2, 4, 8]");
    const layer = model.layers.at(1) as unknown as { forward(x: Tensor, c: null): unknown };
    throws(() => layer.forward(zeros([2, 4, 16], { dtype: "float64" }), null), DTypeError, "SlidingWindowLayer.forward: input must be float32, got float64 [2, 4, 16]");
  });

  it("rejects targets unlike the inputs in loss, and computes the mean next-token cross-entropy otherwise", () => {
    const [x, y] = [ids(2, 4, 11, 1), ids(2, 4, 11, 2)];
    const [loss] = model.loss(x, y);
    const logp = model.forward(x)[0].logSoftmax(-1).toArray() as number[][][];
    const want = -[0, 1].flatMap((b) => [0, 1, 2, 3].map((t) => logp[b]![t]![(y.toArray() as number[][])[b]![t]!]!)).reduce((a, v) => a + v, 0) / 8;
    expect(loss.item()).toBeCloseTo(want, 5);
    throws(() => model.loss(ids(2, 4, 11, 0), ids(2, 8, 11, 0)), ShapeError, "BlockRecurrentTransformer.loss: targets must be [2, 4] like the inputs, got [2, 8]");
    throws(() => model.loss(ids(2, 4, 11, 0), zeros([2, 4])), DTypeError, "targets must be int32 token ids, got float32 [2, 4]");
  });

  it("rejects bad configs", () => {
    throws(() => small({ nHead: 3 }), ModuleError, "dModel / nHead must be an even integer");
    throws(() => small({ dModel: 12, nHead: 4 }), ModuleError, "got dModel 12 and nHead 4");
    throws(() => small({ recurrentLayers: [3] }), ModuleError, "recurrentLayers must be distinct layer indices in [0, 3), got [3]");
    throws(() => small({ recurrentLayers: [1, 1] }), ModuleError, "got [1, 1]");
    throws(() => small({ gate: "gru" as "fixed" }), ModuleError, 'gate must be "fixed" or "lstm", got gru');
    throws(() => small({ blockSize: 0 }), ModuleError, "blockSize must be an integer >= 1, got 0");
    throws(() => small({ dropout: 1 }), ModuleError, "dropout must be a probability in [0, 1)");
  });
});
