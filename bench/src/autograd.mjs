// @seqlab/autograd side by side with TensorFlow.js (cpu and wasm backends) in one process:
// the cost of recording small ops on the tape, and one training step of a 784→128→10 MLP.
// Usage: node --expose-gc src/autograd.mjs [--quick] [--no-write]   (writes docs/benchmarks.md + SVG)
import fs from "node:fs";
import path from "node:path";
import { Tensor } from "@seqlab/tensor";
import { SGD, gradients, noGrad } from "@seqlab/autograd";
import { fmt, machine, measure, median, randomFloat32 } from "./lib/measure.mjs";
import { ROOT, barChartSvg, mdTable, writeSection } from "./lib/report.mjs";
import { loadTfjs, loadTfjsGradients } from "./lib/tfjs.mjs";

const args = new Set(process.argv.slice(2));
// --quick: shorter cells for iterating (the published table uses the defaults).
const opts = args.has("--quick") ? { minTime: 0.1, minSamples: 5, warmupTime: 0.05 } : { minTime: 0.3, minSamples: 5 };
// Every cell is measured in ROUNDS rounds that cycle through the libraries, and the median
// round is reported, so a slow phase of the (shared) machine does not fall on one library.
const ROUNDS = args.has("--quick") ? 1 : 3;

const { tf, info } = await loadTfjs();
await loadTfjsGradients();
const LIBS = ["seqlab-js", "tfjs-cpu", "tfjs-wasm"];
const useBackend = (lib) => tf.setBackend(lib === "tfjs-cpu" ? "cpu" : "wasm");
const numel = (shape) => shape.reduce((p, s) => p * s, 1);

// ---- (a) recorded-op overhead ----
// Every timed call runs TAPE ops in a loop; times are per op.
// "off": outside any tape (seqlab inside noGrad; tfjs outside a gradient scope).
// "on": the marginal cost of one more op recorded in a short tape, as in the forward pass of a
// training step. Each timed call records TAPE ops on inputs that require grad, then takes the
// gradient of a small loss that does not use them; the same call without the extra ops is
// timed too, and on = (t(TAPE) − t(0)) / TAPE. (One long tape held open for the whole cell
// would charge tfjs growing GC costs: its tape keeps every recorded op alive until the gradient
// is taken, while a seqlab graph lives only as long as its outputs.)
const TAPE = 64;
const opCases = [
  { op: "add", shape: [1] },
  { op: "mul", shape: [1] },
  { op: "add", shape: [32, 128] },
  { op: "mul", shape: [32, 128] },
].map((c) => ({ ...c, label: `${c.op} [${c.shape.join(", ")}]` }));

/** Seconds per op with recording off and on (see above) for seqlab. */
function timeSeqlabOp(c, datas) {
  const [x, y] = datas.map((d) => Tensor.fromStorage(d, c.shape, "float32").requiresGrad_());
  const op = c.op === "add" ? (a, b) => a.add(b) : (a, b) => a.mul(b);
  let sink = 0;
  const ops = (k) => {
    for (let i = 0; i < k; i++) sink += op(x, y).storage.data[0];
  };
  const off = noGrad(() => measure(() => ops(TAPE), opts));
  if (!op(x, y).requiresGrad) throw new Error(`seqlab ${c.label}: the op was not recorded`);
  const tape = (k) => () => {
    ops(k);
    const [gx] = gradients(x.add(y).sum(), [x, y]);
    sink += gx.storage.data[0];
  };
  const t0 = measure(tape(0), opts);
  const tk = measure(tape(TAPE), opts);
  return { off: off.seconds / TAPE, on: (tk.seconds - t0.seconds) / TAPE, sink };
}

/** The same for tfjs on backend `lib`; the tape is the one tf.grads opens. */
async function timeTfjsOp(lib, c, datas) {
  await useBackend(lib);
  const [x, y] = datas.map((d) => tf.tensor(d, c.shape, "float32"));
  const op = c.op === "add" ? tf.add : tf.mul;
  let sink = 0;
  const ops = (k, a, b) => {
    for (let i = 0; i < k; i++) {
      const z = op(a, b);
      sink += z.dataSync()[0];
      z.dispose();
    }
  };
  const off = measure(() => ops(TAPE, x, y), opts);
  let k = 0;
  let depth = 0;
  const grads = tf.grads((a, b) => {
    depth = tf.engine().state.gradientDepth;
    ops(k, a, b);
    return tf.sum(tf.add(a, b));
  });
  const tape = (n) => () => {
    k = n;
    const gs = grads([x, y]);
    sink += gs[0].dataSync()[0];
    gs.forEach((g) => g.dispose());
  };
  const t0 = measure(tape(0), opts);
  const tk = measure(tape(TAPE), opts);
  if (depth < 1) throw new Error(`tfjs ${c.label}: the ops did not run under a gradient tape`);
  x.dispose();
  y.dispose();
  return { off: off.seconds / TAPE, on: (tk.seconds - t0.seconds) / TAPE, sink };
}

const opMicros = {}; // opMicros[lib][label] = { off, on } in µs
for (const lib of LIBS) opMicros[lib] = {};
for (const c of opCases) {
  const datas = [randomFloat32(numel(c.shape), 3), randomFloat32(numel(c.shape), 4)];
  const runs = Object.fromEntries(LIBS.map((l) => [l, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const lib of LIBS) runs[lib].push(lib === "seqlab-js" ? timeSeqlabOp(c, datas) : await timeTfjsOp(lib, c, datas));
  }
  for (const lib of LIBS) {
    const cell = { off: median(runs[lib].map((r) => r.off)) * 1e6, on: median(runs[lib].map((r) => r.on)) * 1e6 };
    opMicros[lib][c.label] = cell;
    console.error(`${c.label.padEnd(16)} ${lib.padEnd(10)} off ${fmt(cell.off).padStart(6)} µs  on ${fmt(cell.on).padStart(6)} µs`);
  }
}

// ---- (b) MLP training step ----
// Batch 64, 784 → 128 → 10, relu, softmax cross-entropy, plain SGD. Every library starts
// from the same weights and data, and the losses of the first (untimed) steps must agree, so
// a broken step fails the run instead of being timed.
const MLP = { batch: 64, sizes: [784, 128, 10], lr: 0.05 };

function mlpData({ batch, sizes }) {
  const [nIn, nHid, nOut] = sizes;
  const scaled = (n, seed, fanIn) => randomFloat32(n, seed).map((v) => v / Math.sqrt(fanIn));
  return {
    x: randomFloat32(batch * nIn, 11),
    labels: Int32Array.from({ length: batch }, (_, i) => (i * 7 + 3) % nOut),
    w1: scaled(nIn * nHid, 12, nIn),
    b1: scaled(nHid, 13, nIn),
    w2: scaled(nHid * nOut, 14, nHid),
    b2: scaled(nOut, 15, nHid),
  };
}

/** A seqlab MLP: returns `step()` (one forward, backward and SGD update; returns the loss). */
function seqlabMlp({ batch, sizes, lr }, d) {
  const [nIn, nHid, nOut] = sizes;
  const param = (data, shape) => Tensor.fromStorage(data.slice(), shape, "float32").requiresGrad_();
  const w1 = param(d.w1, [nIn, nHid]);
  const b1 = param(d.b1, [nHid]);
  const w2 = param(d.w2, [nHid, nOut]);
  const b2 = param(d.b2, [nOut]);
  const x = Tensor.fromStorage(d.x, [batch, nIn], "float32");
  const target = Tensor.fromStorage(d.labels, [batch, 1], "int32");
  const opt = new SGD([w1, b1, w2, b2], { lr });
  return () => {
    const h = x.matmul(w1).add(b1).relu();
    const logp = h.matmul(w2).add(b2).logSoftmax(1);
    const loss = logp.gather(1, target).mean().neg();
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss.item();
  };
}

/** The same MLP on tfjs: variableGrads for the gradients, a manual SGD update, all in tidy. */
function tfjsMlp({ batch, sizes, lr }, d) {
  const [nIn, nHid, nOut] = sizes;
  const w1 = tf.variable(tf.tensor(d.w1, [nIn, nHid]));
  const b1 = tf.variable(tf.tensor(d.b1, [nHid]));
  const w2 = tf.variable(tf.tensor(d.w2, [nHid, nOut]));
  const b2 = tf.variable(tf.tensor(d.b2, [nOut]));
  const vars = [w1, b1, w2, b2];
  const x = tf.tensor(d.x, [batch, nIn]);
  // One-hot mask instead of gather: tfjs's gather gradient with batchDims = 1 splits the batch
  // into one slice per row, which would make tfjs look far slower than its idiomatic loss.
  const mask = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor(d.labels, [batch], "int32"), nOut), "float32"));
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
        const logp = tf.logSoftmax(tf.add(tf.matMul(h, w2), b2));
        return tf.neg(tf.mean(tf.sum(tf.mul(logp, mask), 1)));
      }, vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], lr)));
      return value.dataSync()[0];
    });
  const dispose = () => [...vars, x, mask].forEach((t) => t.dispose());
  return { step, dispose };
}

const mlpD = mlpData(MLP);
// Steps run before timing; their losses are compared across libraries (same maths, float32).
const CHECK_STEPS = 5;
const mlp = {}; // mlp[lib] = { ms, losses }
const models = {};
for (const lib of LIBS) {
  if (lib === "seqlab-js") models[lib] = { step: seqlabMlp(MLP, mlpD), dispose: () => {} };
  else {
    await useBackend(lib);
    models[lib] = tfjsMlp(MLP, mlpD);
  }
  mlp[lib] = { losses: Array.from({ length: CHECK_STEPS }, () => models[lib].step()), ms: [] };
  console.error(`mlp ${lib.padEnd(10)} loss ${mlp[lib].losses.map((l) => l.toFixed(4)).join(" → ")}`);
}
for (const k of [0, CHECK_STEPS - 1]) {
  const ls = LIBS.map((l) => mlp[l].losses[k]);
  if (Math.max(...ls) - Math.min(...ls) > 1e-3) throw new Error(`MLP losses after ${k + 1} steps disagree: ${ls.join(", ")}`);
}
for (let round = 0; round < ROUNDS; round++) {
  for (const lib of LIBS) {
    if (lib !== "seqlab-js") await useBackend(lib);
    const tensorsBefore = tf.memory().numTensors;
    mlp[lib].ms.push(measure(models[lib].step, opts).seconds * 1e3);
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) throw new Error(`${lib} MLP step leaked ${leaked} tensors`);
  }
}
for (const lib of LIBS) {
  models[lib].dispose();
  mlp[lib].ms = median(mlp[lib].ms);
  console.error(`mlp step ${lib.padEnd(10)} ${fmt(mlp[lib].ms)} ms/step`);
}

// Context for the tfjs-wasm step: the first layer's forward product [64, 784] @ [784, 128]
// against its weight gradient x^T @ dy, which tfjs's MatMul gradient runs with transposeA.
await useBackend("tfjs-wasm");
const matmulMs = (() => {
  const [nIn, nHid] = MLP.sizes;
  const x = tf.tensor(mlpD.x, [MLP.batch, nIn]);
  const w = tf.tensor(mlpD.w1, [nIn, nHid]);
  const dy = tf.tensor(randomFloat32(MLP.batch * nHid, 16), [MLP.batch, nHid]);
  const time = (f) =>
    measure(() => {
      const z = f();
      z.dataSync();
      z.dispose();
    }, opts).seconds * 1e3;
  const r = { forward: time(() => tf.matMul(x, w)), weightGrad: time(() => tf.matMul(x, dy, true, false)) };
  [x, w, dy].forEach((t) => t.dispose());
  return r;
})();
console.error(`tfjs-wasm x @ w1 ${fmt(matmulMs.forward)} ms, x^T @ dy (transposeA) ${fmt(matmulMs.weightGrad)} ms`);

// ---- report ----
const mc = machine();
const speedup = (a, b) => `${fmt(a / b, 2)}×`;
const opTable = mdTable(
  ["op", "library", "off µs", "on µs", "recording cost (on − off) µs", "seqlab speed-up, on"],
  opCases.flatMap((c) =>
    LIBS.map((l) => {
      const m = opMicros[l][c.label];
      return [c.label, l, fmt(m.off), fmt(m.on), fmt(m.on - m.off), l === "seqlab-js" ? "—" : speedup(m.on, opMicros["seqlab-js"][c.label].on)];
    }),
  ),
);
const mlpTable = mdTable(
  ["library", "ms / step", "seqlab speed-up", `loss after 1 → ${CHECK_STEPS} steps`],
  LIBS.map((l) => [l, fmt(mlp[l].ms), l === "seqlab-js" ? "—" : speedup(mlp[l].ms, mlp["seqlab-js"].ms), `${mlp[l].losses[0].toFixed(4)} → ${mlp[l].losses.at(-1).toFixed(4)}`]),
);

const opsSvg = "img/bench-autograd-ops.svg";
const mlpSvg = "img/bench-autograd-mlp.svg";
const machineLine = `${mc.cpu}, ${mc.cores} cores, ${mc.os}, Node ${mc.node} (V8 ${mc.v8}), ${mc.date}`;
const wasmLine = `tfjs ${info.version}; tfjs-wasm loaded \`${info.wasmFile}\` (SIMD ${info.simd ? "on" : "off"}, ${info.threads} thread${info.threads === 1 ? "" : "s"})`;
const section = `## @seqlab/autograd vs TensorFlow.js

Machine: ${machineLine}.
${wasmLine}.
seqlab runs its JS kernels (no \`@seqlab/wasm-kernels\`). Rerun with
\`npm run bench:autograd --workspace @seqlab/bench\`. Same method as above (warm-up, cells of
at least 0.3 s, median of at least 5 samples); every cell is measured in ${ROUNDS} rounds that cycle
through the libraries and the median round is reported, so a slow phase of the shared machine
does not fall on one library only. tfjs's gradient functions are registered from
\`@tensorflow/tfjs-core/dist/register_all_gradients.js\` (the Node bundle of tfjs-core leaves
them out); loading those modules makes the heap about 10 MB larger for every library in the
process, which is why the "off" times can be higher than in the tensor section above.

### Recording overhead of small ops

Time per op (µs, lower is better), including allocating the result and reading it back; each
timed call runs ${TAPE} ops in a loop. "off": outside any tape (seqlab inside \`noGrad\`; tfjs
outside a gradient scope).
"on": the cost of one more op recorded for backward in a short tape, as in a training step's
forward pass: each timed call records ${TAPE} ops on inputs that require grad (seqlab: both inputs
\`requiresGrad_()\`; tfjs: inside the function passed to \`tf.grads\`, whose tape records every
op), then takes the gradient of a small loss that does not use them; the same call without
the ${TAPE} ops is timed too and "on" = (difference) / ${TAPE}. The speed-up compares the "on"
times (above 1× means seqlab is faster). For \`[32, 128]\` every op allocates 16 KB and the
garbage collector's share of the time moves by tens of µs between runs on this machine, which
swamps the recording cost: read the recording cost from the \`[1]\` rows.

${opTable}

![time per recorded op](${opsSvg})

### One MLP training step

Batch 64, 784 → 128 → 10, relu, softmax cross-entropy, plain SGD (lr ${MLP.lr}); every library
starts from the same weights and data. seqlab: \`matmul\`, \`add\` (bias), \`relu\`,
\`logSoftmax\`, \`gather\` + \`mean\`, \`loss.backward()\`, \`SGD.step()\`, \`loss.item()\`.
tfjs: the same forward with a one-hot mask in place of \`gather\` (tfjs's \`gather\` gradient
with \`batchDims = 1\` loops over the batch row by row), \`tf.variableGrads\`, a manual SGD
update with \`assign\`, all inside \`tf.tidy\`, loss read with \`dataSync\`. The first ${CHECK_STEPS}
steps run untimed and their losses must agree across libraries (the last column).

${mlpTable}

On tfjs-wasm the step is dominated by the first layer's weight gradient \`x^T @ dy\`, which
tfjs's MatMul gradient runs as \`matMul(x, dy, transposeA = true)\`: ${fmt(matmulMs.weightGrad)} ms
here, against ${fmt(matmulMs.forward)} ms for the forward product \`x @ w1\` with the same number of
multiply-adds: tfjs-wasm's matmul kernel is far slower on a transposed operand.

![MLP training step, ms per step](${mlpSvg})

${soakBlock()}
`;

/** The soak result written by soak-autograd.mjs, kept as is (or empty markers before its first run). */
function soakBlock() {
  const file = path.join(ROOT, "docs", "benchmarks.md");
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const m = /<!-- soak-autograd:begin -->[\s\S]*?<!-- soak-autograd:end -->/.exec(text);
  return m ? m[0] : "<!-- soak-autograd:begin -->\n<!-- soak-autograd:end -->";
}

console.log(`\n${section}`);
if (!args.has("--no-write")) {
  const docs = path.join(ROOT, "docs");
  fs.mkdirSync(path.join(docs, "img"), { recursive: true });
  const colors = { "seqlab-js": ["#fdb863", "#d95f02"], "tfjs-cpu": ["#cbc9e2", "#7570b3"], "tfjs-wasm": ["#a6dba0", "#1b9e77"] };
  const ops = barChartSvg({
    title: "Small ops with recording off and on, µs per op (lower is better)",
    yLabel: "µs per op",
    categories: opCases.map((c) => c.label),
    series: LIBS.flatMap((l) =>
      ["off", "on"].map((mode, k) => ({ name: `${l} ${mode}`, color: colors[l][k], values: opCases.map((c) => opMicros[l][c.label][mode]) })),
    ),
  });
  const step = barChartSvg({
    title: "MLP training step, batch 64, 784→128→10 (lower is better)",
    yLabel: "ms per step",
    categories: ["forward + backward + SGD update"],
    series: LIBS.map((l) => ({ name: l === "tfjs-wasm" ? "tfjs-wasm (SIMD, 1 thread)" : l, color: colors[l][1], values: [mlp[l].ms] })),
    width: 520,
  });
  fs.writeFileSync(path.join(docs, opsSvg), ops);
  fs.writeFileSync(path.join(docs, mlpSvg), step);
  writeSection(path.join(docs, "benchmarks.md"), "autograd", section);
  console.error(`wrote docs/benchmarks.md (autograd section), docs/${opsSvg} and docs/${mlpSvg}`);
}
