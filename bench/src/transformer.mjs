// A pre-norm Transformer encoder block: @seqlab/models' TransformerEncoderLayer side by side with
// the same block written in tfjs-core ops (matMul, softmax, layer norm from moments, erf GELU) on
// the cpu and wasm backends, in one process: forward time and one training step (forward, backward,
// SGD update) on the same weights and data.
// Usage: node --expose-gc --experimental-wasm-relaxed-simd src/transformer.mjs [--quick] [--no-write]
import path from "node:path";
import { Tensor } from "@seqlab/tensor";
import { SGD, noGrad } from "@seqlab/autograd";
import { TransformerEncoderLayer } from "@seqlab/models";
import { fmt, machine, measure, median, randomFloat32 } from "./lib/measure.mjs";
import { ROOT, barChartSvg, mdTable, writeSection } from "./lib/report.mjs";
import { disableWasmKernels } from "@seqlab/wasm-kernels";
import { benchLibraries } from "./lib/libs.mjs";
import { loadTfjs, loadTfjsGradients } from "./lib/tfjs.mjs";

const args = new Set(process.argv.slice(2));
const opts = args.has("--quick") ? { minTime: 0.1, minSamples: 3, warmupTime: 0.05, warmupCalls: 1 } : { minTime: 0.5, minSamples: 5, warmupCalls: 2 };
const ROUNDS = args.has("--quick") ? 1 : 3;
const SHAPE = { batch: 32, seq: 64, dModel: 128, heads: 4, ff: 512 };
const EPS = 1e-5;
const LR = 0.01;

const { tf, info } = await loadTfjs();
await loadTfjsGradients();
const { SEQLAB, LIBS, use } = await benchLibraries(tf);

/** Shared weights in PyTorch layout (nn.TransformerEncoderLayer's state dict), and the input [B, T, D]. */
function weights() {
  const { dModel: D, ff: F } = SHAPE;
  const scaled = (n, seed, k) => randomFloat32(n, seed).map((v) => v * k);
  return {
    "self_attn.in_proj_weight": [scaled(3 * D * D, 31, Math.sqrt(6 / (4 * D))), [3 * D, D]],
    "self_attn.in_proj_bias": [scaled(3 * D, 32, 0.1), [3 * D]],
    "self_attn.out_proj.weight": [scaled(D * D, 33, 1 / Math.sqrt(D)), [D, D]],
    "self_attn.out_proj.bias": [scaled(D, 34, 0.1), [D]],
    "linear1.weight": [scaled(F * D, 35, 1 / Math.sqrt(D)), [F, D]],
    "linear1.bias": [scaled(F, 36, 0.1), [F]],
    "linear2.weight": [scaled(D * F, 37, 1 / Math.sqrt(F)), [D, F]],
    "linear2.bias": [scaled(D, 38, 0.1), [D]],
    "norm1.weight": [scaled(D, 39, 0.1).map((v) => 1 + v), [D]],
    "norm1.bias": [scaled(D, 40, 0.1), [D]],
    "norm2.weight": [scaled(D, 41, 0.1).map((v) => 1 + v), [D]],
    "norm2.bias": [scaled(D, 42, 0.1), [D]],
  };
}

const input = () => randomFloat32(SHAPE.batch * SHAPE.seq * SHAPE.dModel, 43);

/** seqlab: the layer loaded with the shared weights; `forward()` and `step()` (returns the loss). */
function seqlabModel(w) {
  const { batch: B, seq: T, dModel: D, heads: H, ff: F } = SHAPE;
  const layer = new TransformerEncoderLayer(D, H, { dimFeedforward: F, dropout: 0, activation: "gelu", layerNormEps: EPS, batchFirst: true, normFirst: true });
  layer.loadStateDict(new Map(Object.entries(w).map(([k, [data, shape]]) => [k, Tensor.fromStorage(data, shape, "float32")])));
  const x = Tensor.fromStorage(input(), [B, T, D], "float32");
  const opt = new SGD(layer.parameters(), { lr: LR });
  return {
    forward: () => noGrad(() => layer.forward(x).storage.data[0]),
    step: () => {
      const loss = layer.forward(x).mean();
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    },
    output: () => noGrad(() => layer.forward(x).data()),
  };
}

/**
 * tfjs: the same pre-norm block from tfjs-core ops, x + attn(ln1(x)), then + ffn(ln2(·)), with
 * LayerNorm from tf.moments (biased variance, as PyTorch) and the exact GELU 0.5·x·(1 + erf(x/√2)).
 */
function tfjsModel(lib, w) {
  const { batch: B, seq: T, dModel: D, heads: H } = SHAPE;
  const hD = D / H;
  const v = Object.fromEntries(Object.entries(w).map(([k, [data, shape]]) => [k, tf.variable(tf.tensor(data, shape), true, `${lib}_${k}`)]));
  const vars = Object.values(v);
  const x = tf.tensor(input(), [B, T, D]);
  const layerNorm = (h, g, b) => {
    const { mean, variance } = tf.moments(h, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, EPS))), g), b);
  };
  const linear = (h, wt, b) => tf.add(tf.matMul(h, wt, false, true), b); // [B·T, in] @ [out, in]ᵀ
  const heads = (h) => tf.transpose(tf.reshape(h, [B, T, H, hD]), [0, 2, 1, 3]); // [B·T, D] -> [B, H, T, hD]
  const block = (x0) => {
    const h = tf.reshape(layerNorm(x0, v["norm1.weight"], v["norm1.bias"]), [B * T, D]);
    const qkv = linear(h, v["self_attn.in_proj_weight"], v["self_attn.in_proj_bias"]); // [B·T, 3D]
    const [q, k, vv] = tf.split(qkv, 3, 1).map(heads);
    const p = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hD))); // [B, H, T, T]
    const merged = tf.reshape(tf.transpose(tf.matMul(p, vv), [0, 2, 1, 3]), [B * T, D]); // [B, H, T, hD] -> [B·T, D]
    const x1 = tf.add(x0, tf.reshape(linear(merged, v["self_attn.out_proj.weight"], v["self_attn.out_proj.bias"]), [B, T, D]));
    const h2 = tf.reshape(layerNorm(x1, v["norm2.weight"], v["norm2.bias"]), [B * T, D]);
    const a = linear(h2, v["linear1.weight"], v["linear1.bias"]); // [B·T, F]
    const gelu = tf.mul(tf.mul(a, 0.5), tf.add(tf.erf(tf.mul(a, Math.SQRT1_2)), 1));
    return tf.add(x1, tf.reshape(linear(gelu, v["linear2.weight"], v["linear2.bias"]), [B, T, D]));
  };
  return {
    forward: () => tf.tidy(() => block(x).dataSync()[0]),
    step: () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.mean(block(x)), vars);
        for (const t of vars) t.assign(tf.sub(t, tf.mul(grads[t.name], LR)));
        return value.dataSync()[0];
      }),
    output: () => tf.tidy(() => block(x).dataSync()),
    dispose: () => {
      x.dispose();
      vars.forEach((t) => t.dispose());
    },
  };
}

const w = weights();
const models = {};
for (const lib of LIBS) {
  await use(lib);
  models[lib] = lib.startsWith("seqlab") ? seqlabModel(w) : tfjsModel(lib, w);
}
// Same weights, same maths: the forward outputs must agree before anything is timed.
await use("seqlab-js");
const ref = models["seqlab-js"].output();
let agreement = 0;
for (const lib of LIBS.slice(1)) {
  await use(lib);
  const out = models[lib].output();
  let d = 0;
  for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(out[i] - ref[i]));
  if (!(d < 1e-4)) throw new Error(`${lib} forward differs from seqlab-js by ${d}`);
  agreement = Math.max(agreement, d);
}
console.error(`forward outputs agree with seqlab-js to ${agreement.toExponential(1)}`);
const runs = Object.fromEntries(LIBS.map((l) => [l, { forward: [], step: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  for (const lib of LIBS) {
    await use(lib);
    const before = tf.memory().numTensors;
    runs[lib].forward.push(measure(models[lib].forward, opts).seconds * 1e3);
    runs[lib].step.push(measure(models[lib].step, opts).seconds * 1e3);
    if (tf.memory().numTensors !== before) throw new Error(`${lib}: leaked ${tf.memory().numTensors - before} tensors`);
  }
}
const results = {};
for (const lib of LIBS) {
  results[lib] = { forward: median(runs[lib].forward), step: median(runs[lib].step) };
  console.error(`${lib.padEnd(15)} forward ${fmt(results[lib].forward).padStart(7)} ms  step ${fmt(results[lib].step).padStart(7)} ms`);
  models[lib].dispose?.();
}
disableWasmKernels();

// ---- report ----
const mc = machine();
const tw = results["tfjs-wasm"];
const best = (what) => Math.min(...SEQLAB.map((l) => results[l][what]));
const ratio = (a, b) => `${fmt(a / b, 2)}×`;
const table = mdTable(
  ["library", "forward ms", "train step ms", "step time / tfjs-wasm", "forward time / tfjs-wasm"],
  LIBS.map((l) => [l, fmt(results[l].forward), fmt(results[l].step), ratio(results[l].step, tw.step), ratio(results[l].forward, tw.forward)]),
);
const summary = mdTable(
  ["block", "best seqlab step / tfjs-wasm (goal ≤ 0.25×)", "best seqlab forward / tfjs-wasm (goal ≤ 1.0×)", "max abs difference of the output vs seqlab-js"],
  [["pre-norm encoder", ratio(best("step"), tw.step), ratio(best("forward"), tw.forward), agreement.toExponential(1)]],
);
const svg = "img/bench-transformer.svg";
const chart = barChartSvg({
  title: `Pre-norm Transformer encoder block (B ${SHAPE.batch}, T ${SHAPE.seq}, d ${SHAPE.dModel}, ${SHAPE.heads} heads, ff ${SHAPE.ff})`,
  yLabel: "ms per call (lower is better)",
  categories: ["forward", "train step"],
  series: LIBS.map((l, i) => ({ name: l, color: ["#1f77b4", "#2ca02c", "#17becf", "#ff7f0e", "#d62728"][i], values: [results[l].forward, results[l].step] })),
});
const section = `## @seqlab/models Transformer encoder block vs TensorFlow.js

Machine: ${mc.cpu}, ${mc.cores} cores, ${mc.os}, Node ${mc.node} (V8 ${mc.v8}), ${mc.date}.
tfjs ${info.version}; tfjs-wasm loaded \`${info.wasmFile}\` (SIMD ${info.simd ? "on" : "off"}, ${info.threads} thread).
Rerun with \`npm run bench:transformer --workspace @seqlab/bench\`.

One pre-norm encoder block, \`x + attn(LN1(x))\` then \`+ FFN(LN2(·))\`: batch ${SHAPE.batch}, sequence ${SHAPE.seq},
d ${SHAPE.dModel}, ${SHAPE.heads} heads, feed-forward ${SHAPE.ff} with the exact GELU, no mask, no dropout, batch-first,
float32. seqlab runs \`TransformerEncoderLayer({ normFirst: true, activation: "gelu" })\`; tfjs runs the
same block written with tfjs-core ops (\`tf.matMul\` for the projections and the batched attention
products, \`tf.softmax\`, LayerNorm from \`tf.moments\`, GELU as 0.5·x·(1 + erf(x/√2)) with \`tf.erf\`).
Both start from the same weights (PyTorch's state-dict layout) and input, and the forward outputs must
agree to 1e-4 before anything is timed (last column of the summary). "forward": the block's output
without gradient tracking. "train step": forward, loss = mean of the output, gradients of every
weight (seqlab \`loss.backward()\`, tfjs \`tf.variableGrads\`), a plain SGD update, loss read back.
seqlab-js uses the JS kernels, seqlab-wasm / seqlab-relaxed the \`@seqlab/wasm-kernels\` kernels
(SIMD / relaxed SIMD). The median of ${ROUNDS} rounds that cycle through the libraries.

${summary}

${table}

![transformer block](${svg})
`;
if (!args.has("--no-write")) {
  const fs = await import("node:fs");
  fs.writeFileSync(path.join(ROOT, "docs", svg), chart);
  writeSection(path.join(ROOT, "docs/benchmarks.md"), "transformer", section);
  console.error("wrote docs/benchmarks.md (transformer section) and docs/" + svg);
}
