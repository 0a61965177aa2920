// GPT against PyTorch: nanoGPT's model (tanh GELU as GPT-2; rotary and ALiBi variants) in torch 1.13,
// state dicts loaded as saved (both tied keys, the causal-mask buffers), logits, loss and every gradient
// (tools/fixtures/gen_gpt_fixtures.py).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Tensor } from "@seqlab/tensor";
import { GPT, type GPTPositional } from "../src/index.js";
import { type FixtureTensor, TOL, mismatches, toTensor } from "./golden.js";

interface Run {
  logits: FixtureTensor;
  loss: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}
interface Case {
  name: string;
  config: { vocab_size: number; block_size: number; n_layer: number; n_head: number; n_embd: number; bias: boolean; positional: GPTPositional };
  state_dict: Record<string, FixtureTensor>;
  ids: FixtureTensor;
  targets: FixtureTensor;
  runs: Partial<Record<"float32" | "float64", Run>>;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/gpt.json", import.meta.url), "utf8")) as { torch_version: string; cases: Case[] };

const rows = fixture.cases.flatMap((c) => (Object.keys(c.runs) as ("float32" | "float64")[]).map((dtype) => ({ c, dtype, label: `${c.name}, ${dtype}` })));

describe(`GPT matches nanoGPT in torch ${fixture.torch_version}`, () => {
  it.each(rows)("$label: logits, loss and every parameter gradient", ({ c, dtype }) => {
    const cfg = c.config;
    const gpt = new GPT({ vocabSize: cfg.vocab_size, blockSize: cfg.block_size, nLayer: cfg.n_layer, nHead: cfg.n_head, nEmbd: cfg.n_embd, bias: cfg.bias, positional: cfg.positional, dtype });
    const state = new Map(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)]));
    expect([...state.keys()].filter((k) => k.endsWith(".attn.bias")).length).toBe(cfg.n_layer); // nanoGPT's mask buffers, skipped by loadStateDict
    expect(gpt.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const run = c.runs[dtype]!;
    const truth = c.runs.float64!;
    const { logits, loss } = gpt.forward(toTensor(c.ids), { targets: toTensor(c.targets), ignoreIndex: -1 });
    loss!.backward();
    const tol = TOL[dtype];
    const problems: string[] = [];
    const check = (what: string, got: Tensor, want: FixtureTensor, t: { atol: number; rtol: number }, exact?: FixtureTensor): void => {
      for (const m of mismatches(got, want, t, exact)) problems.push(`${what} ${m}`);
    };
    check("logits", logits, run.logits, tol.out, truth.logits);
    check("loss", loss!, run.loss, tol.out, truth.loss);
    const params = new Map(gpt.namedParameters());
    expect([...params.keys()]).toEqual(Object.keys(run.grads)); // same parameters, same order, the tied one once
    for (const [name, want] of Object.entries(run.grads)) {
      // Absolute slack at the tensor's scale: the key biases' gradients are 0 in exact arithmetic
      // (a bias on every key shifts each query's scores by a constant), so both sides are rounding noise.
      const scale = Math.max(...want.values.map((v) => Math.abs(Number(v))));
      check(`grad ${name}`, params.get(name)!.grad!, want, { atol: tol.grad.rtol * scale, rtol: tol.grad.rtol }, truth.grads[name]);
    }
    expect(problems).toEqual([]);
  });
});
