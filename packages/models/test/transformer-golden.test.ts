// Golden parity with torch 1.13 (fixtures/transformer-*.json, written by tools/fixtures/gen_transformer_fixtures.py):
// nn.TransformerEncoderLayer, nn.TransformerDecoderLayer, nn.TransformerEncoder + final norm and nn.Transformer,
// in train mode with dropout 0: outputs and the gradients of every input and parameter, float32 and float64.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Tensor, tensor } from "@seqlab/tensor";
import { LayerNorm, type Module, Transformer, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer } from "../src/index.js";
import type { TransformerActivation } from "../src/index.js";
import { type FixtureTensor, TOL, decode, mismatches } from "./golden.js";

interface MaskTensor {
  shape: number[];
  dtype: "float64" | "bool";
  values: (number | string | boolean)[];
}

interface Result {
  output: FixtureTensor;
  grads: { inputs: Record<string, FixtureTensor>; params: Record<string, FixtureTensor> };
}

interface Case {
  name: string;
  kind: "encoderLayer" | "decoderLayer" | "encoder" | "transformer";
  args: {
    dModel: number;
    nhead: number;
    dimFeedforward: number;
    activation: "relu" | "gelu";
    layerNormEps: number;
    batchFirst: boolean;
    normFirst: boolean;
    numLayers?: number;
    numEncoderLayers?: number;
    numDecoderLayers?: number;
  };
  params: Record<string, FixtureTensor>;
  inputs: Record<string, FixtureTensor>;
  masks: Record<string, MaskTensor>;
  lossWeights: FixtureTensor;
  results: { float32: Result; float64: Result };
}

interface Fixture {
  torch_version: string;
  cases: Case[];
  layouts?: { default: { count: number; keys: number }; tinyKeys: Record<string, number[]> };
}

const load = (file: string): Fixture => JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8")) as Fixture;
const DTYPES = ["float32", "float64"] as const;
type Dtype = (typeof DTYPES)[number];

const toTensor = (t: FixtureTensor | MaskTensor, dtype: Dtype): Tensor =>
  t.dtype === "bool" ? tensor(t.values.map((v) => v === true), { shape: t.shape, dtype: "bool" }) : tensor(t.values.map((v) => decode(v as number | string)), { shape: t.shape, dtype: "float64" }).to(dtype);

/** The seqlab module of a case, with torch's parameters loaded. */
function build(c: Case, dtype: Dtype): Module & { forward(...args: never[]): Tensor } {
  const a = c.args;
  const opts = { dimFeedforward: a.dimFeedforward, dropout: 0, activation: a.activation as TransformerActivation, layerNormEps: a.layerNormEps, batchFirst: a.batchFirst, normFirst: a.normFirst, dtype };
  const model =
    c.kind === "encoderLayer"
      ? new TransformerEncoderLayer(a.dModel, a.nhead, opts)
      : c.kind === "decoderLayer"
        ? new TransformerDecoderLayer(a.dModel, a.nhead, opts)
        : c.kind === "encoder"
          ? new TransformerEncoder(() => new TransformerEncoderLayer(a.dModel, a.nhead, opts), a.numLayers!, { norm: new LayerNorm(a.dModel, { dtype }) })
          : new Transformer({ dModel: a.dModel, nhead: a.nhead, numEncoderLayers: a.numEncoderLayers, numDecoderLayers: a.numDecoderLayers, ...opts });
  model.loadStateDict(new Map(Object.entries(c.params).map(([k, v]) => [k, toTensor(v, dtype)])));
  return model;
}

/** Run the case's forward with its inputs (requiring grad) and masks. */
function run(c: Case, model: Module, inputs: Record<string, Tensor>, m: Record<string, Tensor>): Tensor {
  switch (c.kind) {
    case "encoderLayer":
      return (model as TransformerEncoderLayer).forward(inputs.src!, { srcMask: m.srcMask, srcKeyPaddingMask: m.srcKeyPaddingMask });
    case "decoderLayer":
      return (model as TransformerDecoderLayer).forward(inputs.tgt!, inputs.memory!, m);
    case "encoder":
      return (model as TransformerEncoder).forward(inputs.src!, { mask: m.mask, srcKeyPaddingMask: m.srcKeyPaddingMask });
    case "transformer":
      return (model as Transformer).forward(inputs.src!, inputs.tgt!, m);
  }
}

/**
 * Gradient tolerance of one tensor: `rtol` per element plus 1% of `rtol` times the tensor's largest
 * value, for entries that are zero up to rounding — the key bias `in_proj_bias[E:2E]` adds the same
 * q·b_k to every score of a query, which softmax cancels, so its exact gradient is 0.
 */
function gradTol(want: FixtureTensor, dtype: Dtype): { atol: number; rtol: number } {
  const rtol = TOL[dtype].grad.rtol;
  const scale = Math.max(...want.values.map((v) => Math.abs(decode(v))));
  return { atol: 0.01 * rtol * scale, rtol };
}

function check(c: Case, dtype: Dtype): void {
  const want = c.results[dtype];
  const truth = dtype === "float32" ? c.results.float64 : undefined;
  const tol = TOL[dtype];
  const model = build(c, dtype);
  const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, toTensor(v, dtype).requiresGrad_()]));
  const masks = Object.fromEntries(Object.entries(c.masks).map(([k, v]) => [k, toTensor(v, dtype)]));
  const out = run(c, model, inputs, masks);
  expect(out.shape).toEqual(want.output.shape);
  expect(mismatches(out, want.output, tol.out, truth?.output)).toEqual([]);
  out.mul(toTensor(c.lossWeights, dtype)).sum().backward();
  for (const [k, g] of Object.entries(want.grads.inputs)) expect([k, mismatches(inputs[k]!.grad!, g, gradTol(g, dtype), truth?.grads.inputs[k])]).toEqual([k, []]);
  const params = new Map(model.namedParameters());
  expect([...params.keys()]).toEqual(Object.keys(want.grads.params));
  for (const [k, g] of Object.entries(want.grads.params)) expect([k, mismatches(params.get(k)!.grad!, g, gradTol(g, dtype), truth?.grads.params[k])]).toEqual([k, []]);
}

for (const [file, count] of [
  ["transformer-layers.json", 6],
  ["transformer-stacks.json", 4],
  ["transformer-model.json", 2],
] as const) {
  describe(`torch 1.13 parity: ${file}`, () => {
    const fixture = load(file);

    it(`was generated by torch 1.13 (${count} cases)`, () => {
      expect(fixture.torch_version).toMatch(/^1\.13/);
      expect(fixture.cases.length).toBe(count);
    });

    for (const c of fixture.cases) {
      for (const dtype of DTYPES) {
        it(`${c.name} (${dtype}): output, input and parameter gradients`, () => check(c, dtype));
      }
    }
  });
}

describe("nn.Transformer's layout", () => {
  const { layouts } = load("transformer-model.json");

  it("has torch's state-dict keys and shapes, in torch's order (d 8, 2 heads, 2 + 2 layers, ff 16)", () => {
    const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 16 });
    const keys = [...model.stateDict()].map(([k, v]) => [k, v.shape]);
    expect(keys).toEqual(Object.entries(layouts!.tinyKeys));
  });

  it("has torch's parameter count and key count at the default size (d 512, 8 heads, 6 + 6 layers, ff 2048)", () => {
    const model = new Transformer();
    expect(model.parameterCount()).toBe(layouts!.default.count);
    expect(model.stateDict().size).toBe(layouts!.default.keys);
  });
});
