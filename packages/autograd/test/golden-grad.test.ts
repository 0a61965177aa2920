// Golden gradients from real PyTorch (fixtures/grad-*.json, written by
// tools/fixtures/gen_grad_fixtures.py): the same chains run here must give the same outputs and gradients.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type DType,
  type Tensor,
  add,
  cast,
  conv2d,
  div,
  gather,
  gelu,
  logSoftmax,
  logsumexp,
  matmul,
  mean,
  mul,
  neg,
  oneHot,
  relu,
  reshape,
  softmax,
  sqrt,
  sub,
  sum,
  tensor,
  variance,
} from "@seqlab/tensor";
import { gradients } from "../src/index.js";

interface FixtureTensor {
  shape: number[];
  dtype: "float32" | "float64" | "int64";
  /** Flat values; infinities and NaN are the strings "inf", "-inf", "nan". */
  values: (number | string)[];
}

interface GradCase {
  name: string;
  model: string;
  params: Record<string, number | string>;
  inputs: Record<string, FixtureTensor>;
  output: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  gradOutput?: FixtureTensor;
}

interface Fixture {
  torch_version: string;
  generated_by: string;
  cases: GradCase[];
}

const load = (file: string): Fixture => JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8")) as Fixture;

const decode = (v: number | string): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));

/** The fixture tensor as a seqlab tensor (int64 indices become int32); values are exact. */
function toTensor(t: FixtureTensor): Tensor {
  const dtype: DType = t.dtype === "int64" ? "int32" : t.dtype;
  return tensor(t.values.map(decode), { shape: t.shape, dtype });
}

type Inputs = Record<string, Tensor>;

/** The chains, written with seqlab ops exactly as the generator writes them with torch. */
const MODELS: Record<string, (x: Inputs, params: GradCase["params"]) => Tensor> = {
  crossEntropyOneHot: ({ x, targets }) => {
    const onehot = cast(oneHot(targets!, x!.shape[1]), x!.dtype);
    return neg(mean(sum(mul(logSoftmax(x!, -1), onehot), -1)));
  },
  crossEntropyGather: ({ x, targets }) => neg(mean(gather(logSoftmax(x!, -1), 1, reshape(targets!, [-1, 1])))),
  logsumexp: ({ x }, p) => logsumexp(x!, p.dim as number),
  layerNorm: ({ x, w, b }, p) => {
    const mu = mean(x!, -1, true);
    const v = variance(x!, -1, { correction: 0, keepdim: true });
    return add(mul(div(sub(x!, mu), sqrt(add(v, p.eps as number))), w!), b!);
  },
  attention: ({ q, k, v, mask }) => {
    const d = q!.shape[q!.ndim - 1]!;
    const scores = add(div(matmul(q!, k!.mT), Math.sqrt(d)), mask!); // [B, T, T]
    return matmul(softmax(scores, -1), v!); // [B, T, d]
  },
  geluMlp: ({ x, w1, b1, w2 }, p) => matmul(gelu(add(matmul(x!, w1!), b1!), { approximate: p.approximate as "none" | "tanh" }), w2!),
  conv2dRelu: ({ x, w, b }, p) =>
    sum(relu(conv2d(x!, w!, b, { stride: p.stride as number, padding: p.padding as number, dilation: p.dilation as number, groups: p.groups as number }))),
};

/**
 * Tolerances: forward f32 1e-5 abs; gradients 1e-4 (f32) and 1e-10 (f64) relative.
 * NOTE: a float32 logsumexp near 1000 (1e4) has an ulp of 6e-5 (1e-3), so the forward also
 * allows 2 ulps (2^-22 relative): PyTorch's 1001.29163 is 1 ulp from the correctly rounded
 * 1001.29156 (exact: 1001.291595) that seqlab returns.
 */
const TOL = {
  float32: { out: { atol: 1e-5, rtol: 2 ** -22 }, grad: { atol: 0, rtol: 1e-4 } },
  float64: { out: { atol: 0, rtol: 1e-10 }, grad: { atol: 0, rtol: 1e-10 } },
} as const;

/** Mismatches of `got` against `want`: |got - want| <= atol + rtol * |want|; infinities must match exactly. */
function mismatches(got: Tensor, want: FixtureTensor, tol: { atol: number; rtol: number }): string[] {
  const g = got.data();
  const w = want.values.map((v) => (want.dtype === "float32" ? Math.fround(decode(v)) : decode(v)));
  const bad: string[] = [];
  w.forEach((wi, i) => {
    const x = g[i]!;
    const ok = !Number.isFinite(wi) ? x === wi : Math.abs(x - wi) <= tol.atol + tol.rtol * Math.abs(wi);
    if (!ok) bad.push(`[${i}] want ${wi}, got ${x}`);
  });
  return bad.length > 5 ? [...bad.slice(0, 5), `... and ${bad.length - 5} more`] : bad;
}

describe.each(["grad-losses.json", "grad-blocks.json"])("%s", (file) => {
  const fixture = load(file);

  it("was written by PyTorch 1.13", () => {
    expect(fixture.torch_version).toMatch(/^1\.13/);
    expect(fixture.cases.length).toBeGreaterThan(0);
  });

  it.each(fixture.cases)("matches PyTorch's output and gradients for $name", (c) => {
    const inputs: Inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, t]) => [k, toTensor(t)]));
    const names = Object.keys(c.grads);
    for (const k of names) inputs[k]!.requiresGrad_();
    const out = MODELS[c.model]!(inputs, c.params);
    const dtype = c.output.dtype as "float32" | "float64";
    expect(out.dtype).toBe(dtype);
    expect(out.shape).toEqual(c.output.shape);
    expect(mismatches(out, c.output, TOL[dtype].out)).toEqual([]);
    const grads = gradients(out, names.map((k) => inputs[k]!), c.gradOutput ? toTensor(c.gradOutput) : undefined);
    names.forEach((k, i) => {
      const g = grads[i]!;
      expect(g.shape, k).toEqual(c.grads[k]!.shape);
      expect(g.dtype, k).toBe(dtype);
      expect(mismatches(g, c.grads[k]!, TOL[dtype].grad), `gradient of ${k}`).toEqual([]);
    });
  });
});
