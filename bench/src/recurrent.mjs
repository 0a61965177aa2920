// @seqlab/models' RNN, LSTM and GRU layers side by side with TensorFlow.js layers
// (tf.layers.simpleRNN / lstm / gru on the cpu and wasm backends) in one process: forward time
// and one training step (forward, backward, SGD update) on the same weights and data.
// Usage: node --expose-gc --experimental-wasm-relaxed-simd src/recurrent.mjs [--quick] [--no-write]
import { createRequire } from "node:module";
import path from "node:path";
import { Tensor } from "@seqlab/tensor";
import { SGD, noGrad } from "@seqlab/autograd";
import { GRU, LSTM, RNN } from "@seqlab/models";
import { fmt, machine, measure, median, randomFloat32 } from "./lib/measure.mjs";
import { ROOT, barChartSvg, mdTable, writeSection } from "./lib/report.mjs";
import { disableWasmKernels } from "@seqlab/wasm-kernels";
import { benchLibraries } from "./lib/libs.mjs";
import { loadTfjs, loadTfjsGradients } from "./lib/tfjs.mjs";

const args = new Set(process.argv.slice(2));
const opts = args.has("--quick") ? { minTime: 0.1, minSamples: 3, warmupTime: 0.05, warmupCalls: 1 } : { minTime: 0.5, minSamples: 5, warmupCalls: 2 };
const ROUNDS = args.has("--quick") ? 1 : 3;
const SHAPE = { batch: 32, seq: 64, input: 32, hidden: 128 };
const LR = 0.01;

const { tf, info } = await loadTfjs();
await loadTfjsGradients();
const tfl = createRequire(import.meta.url)("@tensorflow/tfjs-layers");
const { SEQLAB, LIBS, use } = await benchLibraries(tf);

/**
 * Gates per cell kind: PyTorch and Keras agree on LSTM (i, f, g/c, o) and SimpleRNN; Keras GRU
 * orders z, r, h. tfjs-layers' GRU has no `resetAfter` (PyTorch's formulation, r ⊙ (W_hn h + b_hn)):
 * it computes W_hn (r ⊙ h), the same work in another order, so GRU outputs are not compared.
 */
const KINDS = { rnn: { gates: 1, seqlab: RNN, tf: "simpleRNN" }, lstm: { gates: 4, seqlab: LSTM, tf: "lstm" }, gru: { gates: 3, seqlab: GRU, tf: "gru" } };

/** Shared weights in PyTorch layout (weight_ih [G·H, I], weight_hh [G·H, H], biases [G·H]). */
function weights(kind) {
  const { input: I, hidden: H } = SHAPE;
  const G = KINDS[kind].gates;
  const k = 1 / Math.sqrt(H);
  const scaled = (n, seed) => randomFloat32(n, seed).map((v) => v * k);
  return { wih: scaled(G * H * I, 21), whh: scaled(G * H * H, 22), bih: scaled(G * H, 23), bhh: scaled(G * H, 24) };
}

const input = () => randomFloat32(SHAPE.batch * SHAPE.seq * SHAPE.input, 25);

/** seqlab: a layer loaded with the shared weights; `forward()` and `step()` (returns the loss). */
function seqlabModel(kind, w) {
  const { batch: B, seq: T, input: I, hidden: H } = SHAPE;
  const G = KINDS[kind].gates;
  const model = new KINDS[kind].seqlab({ inputSize: I, hiddenSize: H, batchFirst: true });
  const t = (data, shape) => Tensor.fromStorage(data, shape, "float32");
  model.loadStateDict(
    new Map([
      ["weight_ih_l0", t(w.wih, [G * H, I])],
      ["weight_hh_l0", t(w.whh, [G * H, H])],
      ["bias_ih_l0", t(w.bih, [G * H])],
      ["bias_hh_l0", t(w.bhh, [G * H])],
    ]),
  );
  const x = t(input(), [B, T, I]);
  const opt = new SGD(model.parameters(), { lr: LR });
  return {
    forward: () => noGrad(() => model.forward(x)[0].storage.data[0]),
    step: () => {
      const loss = model.forward(x)[0].mean();
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    },
    output: () => noGrad(() => model.forward(x)[0].data()),
  };
}

/** tfjs: the same layer built on a [B, T, I] input, weights set in Keras layout. */
function tfjsModel(kind, w) {
  const { batch: B, seq: T, input: I, hidden: H } = SHAPE;
  const G = KINDS[kind].gates;
  // Zero initialisers: the weights are set below (and tfjs-layers' orthogonal init needs ops its
  // Node bundle lacks). tfjs-layers' gates default to hard sigmoid; PyTorch's are sigmoid.
  const layer = tfl.layers[KINDS[kind].tf]({ units: H, returnSequences: true, inputShape: [T, I], kernelInitializer: "zeros", recurrentInitializer: "zeros", ...(kind === "rnn" ? {} : { recurrentActivation: "sigmoid" }), });
  const x = tf.tensor(input(), [B, T, I]);
  tf.dispose(layer.apply(x)); // builds the layer (its weights exist after the first call)
  // PyTorch [G·H, X] → Keras [X, G·H]; Keras GRU gate order (z, r, h) from PyTorch's (r, z, n).
  const perm = kind === "gru" ? [1, 0, 2] : [...Array(G).keys()];
  const keras = (data, X) => tf.tidy(() => tf.transpose(tf.concat(perm.map((g) => tf.tensor(data.subarray(g * H * X, (g + 1) * H * X), [H, X])), 0)));
  const kerasBias = (data) => tf.tidy(() => tf.concat(perm.map((g) => tf.tensor(data.subarray(g * H, (g + 1) * H), [H])), 0));
  const bias = tf.tidy(() => tf.add(kerasBias(w.bih), kerasBias(w.bhh)));
  const values = [keras(w.wih, I), keras(w.whh, H), bias];
  layer.setWeights(values);
  values.forEach((v) => v.dispose());
  const vars = layer.trainableWeights.map((v) => v.read());
  return {
    forward: () =>
      tf.tidy(() => {
        const y = layer.apply(x);
        return y.dataSync()[0];
      }),
    step: () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.mean(layer.apply(x)), vars);
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], LR)));
        return value.dataSync()[0];
      }),
    output: () => tf.tidy(() => layer.apply(x).dataSync()),
    dispose: () => {
      x.dispose();
      layer.dispose();
    },
  };
}

const results = {}; // results[kind][lib] = { forward, step } in ms
const agreement = {}; // max |seqlab − tfjs| of the forward output per kind
for (const kind of Object.keys(KINDS)) {
  const w = weights(kind);
  results[kind] = {};
  const models = {};
  for (const lib of LIBS) {
    await use(lib);
    models[lib] = lib.startsWith("seqlab") ? seqlabModel(kind, w) : tfjsModel(kind, w);
  }
  // Same weights, same maths: the forward outputs must agree before anything is timed.
  await use("seqlab-js");
  const ref = models["seqlab-js"].output();
  agreement[kind] = 0;
  for (const lib of LIBS.slice(1)) {
    if (kind === "gru" && lib.startsWith("tfjs")) continue;
    await use(lib);
    const out = models[lib].output();
    let d = 0;
    for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(out[i] - ref[i]));
    if (!(d < 1e-4)) throw new Error(`${kind}: ${lib} forward differs from seqlab-js by ${d}`);
    agreement[kind] = Math.max(agreement[kind], d);
  }
  const runs = Object.fromEntries(LIBS.map((l) => [l, { forward: [], step: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const lib of LIBS) {
      await use(lib);
      const before = tf.memory().numTensors;
      runs[lib].forward.push(measure(models[lib].forward, opts).seconds * 1e3);
      runs[lib].step.push(measure(models[lib].step, opts).seconds * 1e3);
      if (tf.memory().numTensors !== before) throw new Error(`${kind} ${lib}: leaked ${tf.memory().numTensors - before} tensors`);
    }
  }
  for (const lib of LIBS) {
    results[kind][lib] = { forward: median(runs[lib].forward), step: median(runs[lib].step) };
    console.error(`${kind.padEnd(5)} ${lib.padEnd(15)} forward ${fmt(results[kind][lib].forward).padStart(7)} ms  step ${fmt(results[kind][lib].step).padStart(7)} ms`);
    models[lib].dispose?.();
  }
}
disableWasmKernels();

// ---- report ----
const mc = machine();
const best = (kind, what) => Math.min(...SEQLAB.map((l) => results[kind][l][what]));
const ratio = (a, b) => `${fmt(a / b, 2)}×`;
const table = mdTable(
  ["layer", "library", "forward ms", "train step ms", "step time / tfjs-wasm", "forward time / tfjs-wasm"],
  Object.keys(KINDS).flatMap((kind) =>
    LIBS.map((l) => {
      const r = results[kind][l];
      const tw = results[kind]["tfjs-wasm"];
      return [kind.toUpperCase(), l, fmt(r.forward), fmt(r.step), ratio(r.step, tw.step), ratio(r.forward, tw.forward)];
    }),
  ),
);
const summary = mdTable(
  ["layer", "best seqlab step / tfjs-wasm (goal ≤ 0.25×)", "best seqlab forward / tfjs-wasm (goal ≤ 1.0×)", "max abs difference of the output vs seqlab-js"],
  Object.keys(KINDS).map((kind) => [kind.toUpperCase(), ratio(best(kind, "step"), results[kind]["tfjs-wasm"].step), ratio(best(kind, "forward"), results[kind]["tfjs-wasm"].forward), agreement[kind].toExponential(1)]),
);
const svg = "img/bench-recurrent.svg";
const chart = barChartSvg({
  title: `Recurrent layer training step (B ${SHAPE.batch}, T ${SHAPE.seq}, I ${SHAPE.input}, H ${SHAPE.hidden})`,
  yLabel: "ms per step (lower is better)",
  categories: Object.keys(KINDS).map((k) => k.toUpperCase()),
  series: LIBS.map((l, i) => ({ name: l, color: ["#1f77b4", "#2ca02c", "#17becf", "#ff7f0e", "#d62728"][i], values: Object.keys(KINDS).map((k) => results[k][l].step) })),
});
const section = `## @seqlab/models recurrent layers vs TensorFlow.js layers

Machine: ${mc.cpu}, ${mc.cores} cores, ${mc.os}, Node ${mc.node} (V8 ${mc.v8}), ${mc.date}.
tfjs ${info.version} with \`@tensorflow/tfjs-layers\`; tfjs-wasm loaded \`${info.wasmFile}\` (SIMD ${info.simd ? "on" : "off"}, ${info.threads} thread).
Rerun with \`npm run bench:recurrent --workspace @seqlab/bench\`.

One layer, batch ${SHAPE.batch}, sequence ${SHAPE.seq}, input ${SHAPE.input}, hidden ${SHAPE.hidden}, batch-first
input, float32. Every library starts from the same weights (PyTorch layout converted to Keras
layout) and the same input, and the forward outputs must agree to 1e-4 before anything is timed
(last column of the summary). Exception: tfjs-layers' GRU cannot use PyTorch's formulation
(\`resetAfter\` is unsupported), so it runs the classic one, W_hn (r ⊙ h), with the same number of
operations; its GRU outputs are not compared with seqlab's (seqlab's backends still are).
"forward": the output sequence without gradient tracking. "train step": forward, loss = mean of
the output sequence, gradients of every weight (seqlab \`loss.backward()\`, tfjs
\`tf.variableGrads\`), a plain SGD update, loss read back. seqlab-js uses the JS kernels,
seqlab-wasm / seqlab-relaxed the \`@seqlab/wasm-kernels\` GEMM (SIMD / relaxed SIMD). Cells as in
the sections above; the median of ${ROUNDS} rounds that cycle through the libraries.

${summary}

${table}

![recurrent training step](${svg})
`;
if (!args.has("--no-write")) {
  const fs = await import("node:fs");
  fs.writeFileSync(path.join(ROOT, "docs", svg), chart);
  writeSection(path.join(ROOT, "docs/benchmarks.md"), "recurrent", section);
  console.error("wrote docs/benchmarks.md (recurrent section) and docs/" + svg);
}
