// @seqlab/tensor JS kernels side by side with TensorFlow.js (cpu and wasm backends) in one
// process: matmul GFLOP/s by size and the per-op overhead of small elementwise adds.
// Usage: node --expose-gc src/tensor.mjs [--quick] [--no-write]   (writes docs/benchmarks.md + SVG)
// The small-op cells run first, on a fresh heap, before the big matmuls churn memory.
import fs from "node:fs";
import path from "node:path";
import { Tensor } from "@seqlab/tensor";
import { fmt, machine, measure, randomFloat32 } from "./lib/measure.mjs";
import { ROOT, barChartSvg, mdTable, writeSection } from "./lib/report.mjs";
import { loadTfjs } from "./lib/tfjs.mjs";

const args = new Set(process.argv.slice(2));
// --quick: shorter cells for iterating on kernels (the published table uses the defaults).
const opts = args.has("--quick") ? { minTime: 0.1, minSamples: 5, warmupTime: 0.05 } : { minTime: 0.3, minSamples: 5 };

const { tf, info } = await loadTfjs();
const LIBS = ["seqlab-js", "tfjs-cpu", "tfjs-wasm"];

/**
 * Time one library on operands made from the same Float32Array data. `run(x, y)` performs
 * the op and returns something to read back; for tfjs the result is read with dataSync
 * (so an async backend has finished) and every tensor is disposed inside the timed call.
 */
async function timeLib(lib, shapes, datas, run) {
  if (lib === "seqlab-js") {
    const [x, y] = shapes.map((s, i) => Tensor.fromStorage(datas[i], s, "float32"));
    let sink = 0;
    const r = measure(() => {
      sink += run.seqlab(x, y).storage.data[0];
    }, opts);
    return { ...r, sink };
  }
  await tf.setBackend(lib === "tfjs-cpu" ? "cpu" : "wasm");
  const [x, y] = shapes.map((s, i) => tf.tensor(datas[i], s, "float32"));
  let sink = 0;
  const r = measure(() => {
    const z = run.tfjs(x, y);
    sink += z.dataSync()[0];
    z.dispose();
  }, opts);
  x.dispose();
  y.dispose();
  return { ...r, sink };
}

// ---- elementwise add overhead ----
/** Baseline: what the work itself costs in plain JS (allocate the result, one loop). */
function plainAdd(a, b) {
  const n = a.length;
  const o = new Float32Array(n);
  for (let i = 0; i < n; i++) o[i] = a[i] + b[i];
  return o;
}

const addCases = [
  { label: "add [32, 128] + [32, 128]", shape: [32, 128] },
  { label: "add [1] + [1]", shape: [1] },
];
const addRun = { seqlab: (x, y) => x.add(y), tfjs: (x, y) => tf.add(x, y) };
const micros = {}; // micros[lib or "js-loop"][label]
for (const lib of [...LIBS, "js-loop"]) micros[lib] = {};
for (const c of addCases) {
  const n = c.shape.reduce((p, s) => p * s, 1);
  const datas = [randomFloat32(n, 3), randomFloat32(n, 4)];
  for (const lib of LIBS) {
    const r = await timeLib(lib, [c.shape, c.shape], datas, addRun);
    micros[lib][c.label] = r.seconds * 1e6;
    console.error(`${c.label.padEnd(26)} ${lib.padEnd(10)} ${fmt(micros[lib][c.label])} µs`);
  }
  // Alternate two copies of the inputs: when one closure always passes the same arrays,
  // V8 inlines the loop and specialises it on those constant arrays (dropping per-element
  // checks), a speed-up that no library call could ever get, which would skew the baseline.
  const pairs = [datas, datas.map((d) => d.slice())];
  let turn = 0;
  const r = measure(() => {
    const [a, b] = pairs[turn++ & 1];
    return plainAdd(a, b);
  }, opts);
  micros["js-loop"][c.label] = r.seconds * 1e6;
  console.error(`${c.label.padEnd(26)} js-loop    ${fmt(micros["js-loop"][c.label])} µs`);
}

// ---- matmul ----
const matmulCases = [
  ...[64, 128, 256, 512, 1024].map((n) => ({ label: `${n}`, a: [n, n], b: [n, n], flops: 2 * n * n * n })),
  { label: "32×128×128 · 128×128", a: [32, 128, 128], b: [128, 128], flops: 2 * 32 * 128 * 128 * 128 },
];
const matmulRun = { seqlab: (x, y) => x.matmul(y), tfjs: (x, y) => tf.matMul(x, y) };
const gflops = {}; // gflops[lib][label]
for (const lib of LIBS) gflops[lib] = {};
for (const c of matmulCases) {
  const datas = [randomFloat32(c.a.reduce((p, s) => p * s, 1), 1), randomFloat32(c.b.reduce((p, s) => p * s, 1), 2)];
  for (const lib of LIBS) {
    const r = await timeLib(lib, [c.a, c.b], datas, matmulRun);
    gflops[lib][c.label] = c.flops / r.seconds / 1e9;
    console.error(`matmul ${c.label.padEnd(22)} ${lib.padEnd(10)} ${fmt(gflops[lib][c.label])} GFLOP/s (${r.samples} samples × ${r.batch})`);
  }
}

// ---- report ----
const mc = machine();
const speedup = (a, b) => `${fmt(a / b, 2)}×`;
const matmulTable = mdTable(
  ["matmul (float32)", "seqlab-js GFLOP/s", "tfjs-cpu GFLOP/s", "tfjs-wasm GFLOP/s", "seqlab / tfjs-cpu", "seqlab / tfjs-wasm"],
  matmulCases.map((c) => {
    const [s, cpu, wasm] = LIBS.map((l) => gflops[l][c.label]);
    return [c.label, fmt(s), fmt(cpu), fmt(wasm), speedup(s, cpu), speedup(s, wasm)];
  }),
);
const addTable = mdTable(
  ["op", "seqlab-js µs", "tfjs-cpu µs", "tfjs-wasm µs", "plain JS loop µs", "seqlab − loop µs", "seqlab / tfjs-cpu", "seqlab / tfjs-wasm"],
  addCases.map((c) => {
    const [s, cpu, wasm] = LIBS.map((l) => micros[l][c.label]);
    const loop = micros["js-loop"][c.label];
    return [c.label, fmt(s), fmt(cpu), fmt(wasm), fmt(loop), fmt(s - loop), speedup(cpu, s), speedup(wasm, s)];
  }),
);

// Goals from the issue: JS matmul ≥ 4× tfjs-cpu at sizes ≥ 256; small-op overhead ≤ 5 µs.
const big = matmulCases.filter((c) => c.a.length === 2 && c.a[0] >= 256);
const minRatio = Math.min(...big.map((c) => gflops["seqlab-js"][c.label] / gflops["tfjs-cpu"][c.label]));
const tiny = micros["seqlab-js"]["add [1] + [1]"];
const smallOverhead = micros["seqlab-js"]["add [32, 128] + [32, 128]"] - micros["js-loop"]["add [32, 128] + [32, 128]"];
const goal = (ok) => (ok ? "met" : "**not met**");
const goals = [
  `- JS matmul ≥ 4× tfjs-cpu for sizes ≥ 256: lowest ratio ${fmt(minRatio, 2)}× — ${goal(minRatio >= 4)}`,
  `- \`add [1] + [1]\` ≤ 5 µs: ${fmt(tiny)} µs — ${goal(tiny <= 5)}`,
  `- \`add [32, 128]\` minus the plain loop ≤ 5 µs: ${fmt(smallOverhead)} µs — ${goal(smallOverhead <= 5)}`,
].join("\n");

const svgRel = "img/bench-matmul-js.svg";
const machineLine = `${mc.cpu}, ${mc.cores} cores, ${mc.os}, Node ${mc.node} (V8 ${mc.v8}), ${mc.date}`;
const wasmLine = `tfjs ${info.version}; tfjs-wasm loaded \`${info.wasmFile}\` (SIMD ${info.simd ? "on" : "off"}, ${info.threads} thread${info.threads === 1 ? "" : "s"}; threaded build supported: ${info.threadsSupported})`;
const section = `## @seqlab/tensor JS kernels vs TensorFlow.js

Machine: ${machineLine}.
${wasmLine}.

Matrix multiply, float32, \`[M, K] @ [K, N]\` with M = N = K (GFLOP/s = 2·M·N·K / time; higher is better):

${matmulTable}

![matmul GFLOP/s by size](${svgRel})

Elementwise \`add\` of two float32 tensors, time per call including allocation of the result
(lower is better; "plain JS loop" allocates a Float32Array and adds in one loop):

${addTable}

Ratios are speed-ups: above 1× means seqlab is faster.

Goals:
${goals}
`;

console.log(`\n${section}`);
if (!args.has("--no-write")) {
  const docs = path.join(ROOT, "docs");
  fs.mkdirSync(path.join(docs, "img"), { recursive: true });
  const svg = barChartSvg({
    title: "matmul float32, GFLOP/s (higher is better)",
    yLabel: "GFLOP/s",
    categories: matmulCases.map((c) => (c.a.length > 2 ? "32×128² batched" : `${c.label}²`)),
    series: [
      { name: "seqlab-js", color: "#d95f02", values: matmulCases.map((c) => gflops["seqlab-js"][c.label]) },
      { name: "tfjs-cpu", color: "#7570b3", values: matmulCases.map((c) => gflops["tfjs-cpu"][c.label]) },
      { name: "tfjs-wasm (SIMD, 1 thread)", color: "#1b9e77", values: matmulCases.map((c) => gflops["tfjs-wasm"][c.label]) },
    ],
  });
  fs.writeFileSync(path.join(docs, svgRel), svg);
  writeSection(path.join(docs, "benchmarks.md"), "tensor", section);
  console.error(`wrote docs/benchmarks.md (tensor section) and docs/${svgRel}`);
}
