// @seqlab/models' scaled dot-product attention against sequence length: time and peak memory of the
// plain path and the memory-saving chunked path (online softmax), forward and forward+backward, side
// by side with the same plain attention written in TensorFlow.js (cpu and wasm backends).
// Usage: node --expose-gc --experimental-wasm-relaxed-simd src/attention.mjs [--quick] [--no-write]
import fs from "node:fs";
import path from "node:path";
import { Tensor, getObserver, setObserver } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { scaledDotProductAttention } from "@seqlab/models";
import { disableWasmKernels } from "@seqlab/wasm-kernels";
import { fmt, machine, measure, randomFloat32 } from "./lib/measure.mjs";
import { ROOT, lineChartSvg, mdTable, writeSection } from "./lib/report.mjs";
import { benchLibraries } from "./lib/libs.mjs";
import { loadTfjs, loadTfjsGradients } from "./lib/tfjs.mjs";

const args = new Set(process.argv.slice(2));
const QUICK = args.has("--quick");
const HEADS = 4;
const HEAD_DIM = 64;
const CHUNK = 64;
const LENGTHS = QUICK ? [64, 256] : [64, 128, 256, 512, 1024];
const BATCHES = QUICK ? [1] : [1, 4];
/** Seconds: a timing cell whose predicted time per call (last length's time × (T/T_last)²) exceeds this is skipped. */
const BUDGET = QUICK ? 1 : 4;
const OPTS = QUICK ? { minTime: 0.1, minSamples: 3, warmupTime: 0.05, warmupCalls: 1 } : { minTime: 0.5, minSamples: 5, warmupCalls: 2 };
/** Calls predicted to take longer than 0.3 s: one warm-up call and 3 samples. */
const HEAVY = { minTime: 0, minSamples: 3, warmupTime: 0, warmupCalls: 1 };
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc: the memory measurement forces collections");

const { tf, info } = await loadTfjs();
await loadTfjsGradients();
const { use } = await benchLibraries(tf, { relaxed: false });
const LIBS = ["seqlab-wasm", "seqlab-js", "tfjs-wasm", "tfjs-cpu"];

/** q, k, v data [B, H, T, hD], the same for every library. */
const inputs = (B, T) => [1, 2, 3].map((seed) => randomFloat32(B * HEADS * T * HEAD_DIM, seed));

/** seqlab cells: forward without gradient tracking, and forward + backward of out.sum(). */
function seqlabCells(data, B, T) {
  const shape = [B, HEADS, T, HEAD_DIM];
  const [q, k, v] = data.map((d) => Tensor.fromStorage(d, shape, "float32"));
  const leaves = data.map((d) => Tensor.fromStorage(d, shape, "float32").requiresGrad_());
  const options = (p) => (p === "chunked" ? { chunkSize: CHUNK } : {});
  return {
    fwd: (p) => () => noGrad(() => scaledDotProductAttention(q, k, v, options(p))).storage.data[0],
    step: (p) => () => {
      const [ql, kl, vl] = leaves;
      scaledDotProductAttention(ql, kl, vl, options(p)).sum().backward();
      const r = ql.grad.storage.data[0] + kl.grad.storage.data[0] + vl.grad.storage.data[0];
      for (const t of leaves) t.grad = null;
      return r;
    },
    output: (p) => noGrad(() => scaledDotProductAttention(q, k, v, options(p))).data(),
  };
}

/** tfjs: the same plain attention (q scaled first, as seqlab), on [B·H, T, hD]. */
function tfjsCells(data, B, T) {
  const shape = [B * HEADS, T, HEAD_DIM];
  const [q, k, v] = data.map((d) => tf.tensor(d, shape));
  const scale = 1 / Math.sqrt(HEAD_DIM);
  const attend = (a, b, c) => tf.matMul(tf.softmax(tf.matMul(tf.mul(a, scale), b, false, true)), c);
  const gradFn = tf.grads((a, b, c) => tf.sum(attend(a, b, c)));
  return {
    fwd: () => () => tf.tidy(() => attend(q, k, v).dataSync()[0]),
    step: () => () =>
      tf.tidy(() => {
        const grads = gradFn([q, k, v]);
        return grads.reduce((s, g) => s + g.dataSync()[0], 0);
      }),
    output: () => tf.tidy(() => attend(q, k, v).dataSync()),
    dispose: () => tf.dispose([q, k, v]),
  };
}

/**
 * Peak live ArrayBuffer bytes while `fn` runs, above the level before it: a dispatch observer
 * wrapped around autograd's forces full GCs after every primitive and samples
 * process.memoryUsage().arrayBuffers, so the maximum is the high-water of reachable tensors
 * at primitive granularity (inputs + output of each op, everything saved for backward,
 * gradients). V8 frees dead backing stores on a background sweeper that the next GC waits
 * for, hence two GCs per sample, a base read until it is stable, and the larger of two runs (a
 * late free during the base read can only lower a run's result). Run on the JS kernels, so no
 * WASM arena is involved.
 */
function peakBytes(fn) {
  const once = () => {
    const inner = getObserver();
    let base = -1;
    for (let i = 0; i < 6; i++) {
      globalThis.gc();
      const now = process.memoryUsage().arrayBuffers;
      if (now === base) break;
      base = now;
    }
    let peak = base;
    setObserver({
      autograd: inner?.autograd,
      tracks: (t) => inner?.tracks(t) ?? false,
      record(prim, ins, attrs, out) {
        inner?.record(prim, ins, attrs, out);
        globalThis.gc();
        globalThis.gc();
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      },
    });
    try {
      fn();
    } finally {
      setObserver(inner);
    }
    return peak - base;
  };
  return Math.max(once(), once());
}

/** tfjs's own high-water mark: tf.profile's largest engine byte count after a kernel, above the start. */
async function tfjsPeakBytes(fn) {
  const start = tf.memory().numBytes;
  const profile = await tf.profile(fn);
  return profile.peakBytes - start;
}

const CELLS = [
  ["seqlab-wasm", "plain"],
  ["seqlab-wasm", "chunked"],
  ["seqlab-js", "plain"],
  ["seqlab-js", "chunked"],
  ["tfjs-wasm", "plain"],
  ["tfjs-cpu", "plain"],
];
const last = new Map(); // cell key -> [T, seconds] of its last measured length
const time = {}; // time[B][T][`${lib} ${path} ${phase}`] = ms (NaN: skipped)
const memory = {}; // memory[B][T][`${path} ${phase}`] = MiB
const agreement = {}; // largest absolute output difference vs seqlab-wasm plain, per lib/path
const MiB = 2 ** 20;

for (const B of BATCHES) {
  time[B] = {};
  memory[B] = {};
  for (const T of LENGTHS) {
    const data = inputs(B, T);
    const cells = {};
    for (const lib of LIBS) {
      await use(lib);
      cells[lib] = lib.startsWith("seqlab") ? seqlabCells(data, B, T) : tfjsCells(data, B, T);
    }
    await use("seqlab-wasm");
    const ref = cells["seqlab-wasm"].output("plain");
    const row = (time[B][T] = {});
    for (const [lib, p] of CELLS) {
      await use(lib);
      for (const phase of ["fwd", "step"]) {
        const key = `${lib} ${p} ${phase}`;
        const prev = last.get(`${key} B${B}`);
        const predicted = prev === undefined ? 0 : prev[1] * (T / prev[0]) ** 2;
        if (predicted > BUDGET) {
          row[key] = NaN;
          continue;
        }
        if (phase === "fwd") {
          // Same inputs, same maths: the outputs must agree before anything is timed.
          const out = cells[lib].output(p);
          let d = 0;
          for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(out[i] - ref[i]));
          if (!(d < 1e-4)) throw new Error(`B ${B} T ${T}: ${lib} ${p} differs from seqlab-wasm plain by ${d}`);
          agreement[`${lib} ${p}`] = Math.max(agreement[`${lib} ${p}`] ?? 0, d);
        }
        const before = tf.memory().numTensors;
        const seconds = measure(cells[lib][phase](p), predicted > 0.3 ? HEAVY : OPTS).seconds;
        if (tf.memory().numTensors !== before) throw new Error(`${key}: leaked ${tf.memory().numTensors - before} tfjs tensors`);
        last.set(`${key} B${B}`, [T, seconds]);
        row[key] = seconds * 1e3;
      }
    }
    // Peak memory: seqlab on the JS kernels; tfjs where its timing cell ran.
    await use("seqlab-js");
    const mem = (memory[B][T] = {});
    for (const p of ["plain", "chunked"]) {
      mem[`${p} fwd`] = peakBytes(cells["seqlab-js"].fwd(p)) / MiB;
      mem[`${p} step`] = peakBytes(cells["seqlab-js"].step(p)) / MiB;
    }
    await use("tfjs-wasm");
    for (const phase of ["fwd", "step"]) mem[`tfjs ${phase}`] = Number.isFinite(row[`tfjs-wasm plain ${phase}`]) ? (await tfjsPeakBytes(cells["tfjs-wasm"][phase]())) / MiB : NaN;
    cells["tfjs-wasm"].dispose();
    cells["tfjs-cpu"].dispose();
    const t = (k) => fmt(row[k]).padStart(7);
    console.error(
      `B ${B} T ${String(T).padStart(4)}  fwd ms: wasm plain ${t("seqlab-wasm plain fwd")} chunked ${t("seqlab-wasm chunked fwd")} tfjs-wasm ${t("tfjs-wasm plain fwd")} tfjs-cpu ${t("tfjs-cpu plain fwd")}` +
        `  | fwd+bwd ms: wasm plain ${t("seqlab-wasm plain step")} chunked ${t("seqlab-wasm chunked step")} tfjs-wasm ${t("tfjs-wasm plain step")}` +
        `  | peak MiB fwd ${fmt(mem["plain fwd"])} / ${fmt(mem["chunked fwd"])}, fwd+bwd ${fmt(mem["plain step"])} / ${fmt(mem["chunked step"])}, tfjs ${fmt(mem["tfjs fwd"])} / ${fmt(mem["tfjs step"])}`,
    );
  }
}
disableWasmKernels();

// ---- report ----
const mc = machine();
const ms = (v) => (Number.isFinite(v) ? fmt(v) : "—");
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? `${fmt(a / b, 2)}×` : "—");
const rows = (fn) => BATCHES.flatMap((B) => LENGTHS.map((T) => [String(B), String(T), ...fn(B, T)]));
const timeTable = (phase) =>
  mdTable(
    ["B", "T", "seqlab-wasm plain", "seqlab-wasm chunked", "chunked / plain", "seqlab-js plain", "seqlab-js chunked", "tfjs-wasm", "tfjs-cpu", "seqlab-wasm plain / tfjs-wasm", "seqlab-wasm chunked / tfjs-wasm"],
    rows((B, T) => {
      const r = time[B][T];
      const g = (lib, p) => r[`${lib} ${p} ${phase}`];
      return [
        ms(g("seqlab-wasm", "plain")),
        ms(g("seqlab-wasm", "chunked")),
        ratio(g("seqlab-wasm", "chunked"), g("seqlab-wasm", "plain")),
        ms(g("seqlab-js", "plain")),
        ms(g("seqlab-js", "chunked")),
        ms(g("tfjs-wasm", "plain")),
        ms(g("tfjs-cpu", "plain")),
        ratio(g("seqlab-wasm", "plain"), g("tfjs-wasm", "plain")),
        ratio(g("seqlab-wasm", "chunked"), g("tfjs-wasm", "plain")),
      ];
    }),
  );
const memTable = mdTable(
  ["B", "T", "one [B, H, T, T] f32 matrix", "plain fwd", "chunked fwd", "chunked / plain", "plain fwd+bwd", "chunked fwd+bwd", "chunked / plain", "tfjs plain fwd", "tfjs plain fwd+bwd"],
  rows((B, T) => {
    const m = memory[B][T];
    return [
      fmt((B * HEADS * T * T * 4) / MiB),
      fmt(m["plain fwd"]),
      fmt(m["chunked fwd"]),
      ratio(m["chunked fwd"], m["plain fwd"]),
      fmt(m["plain step"]),
      fmt(m["chunked step"]),
      ratio(m["chunked step"], m["plain step"]),
      ms(m["tfjs fwd"]),
      ms(m["tfjs step"]),
    ];
  }),
);
const agreeTable = mdTable(
  ["library / path", "largest absolute output difference vs seqlab-wasm plain"],
  Object.entries(agreement).map(([k, d]) => [k, d.toExponential(1)]),
);
const Bmax = BATCHES.at(-1);
const cats = LENGTHS.map(String);
const memSvg = "img/bench-attention-memory.svg";
const timeSvg = "img/bench-attention-time.svg";
const memChart = lineChartSvg({
  title: `Attention peak memory (B ${Bmax}, ${HEADS} heads, hD ${HEAD_DIM}, float32)`,
  xLabel: "sequence length T",
  yLabel: "peak MiB above inputs (log)",
  categories: cats,
  logY: true,
  series: [
    { name: "seqlab plain fwd", color: "#1f77b4", values: LENGTHS.map((T) => memory[Bmax][T]["plain fwd"]) },
    { name: "seqlab chunked fwd", color: "#2ca02c", values: LENGTHS.map((T) => memory[Bmax][T]["chunked fwd"]) },
    { name: "seqlab plain fwd+bwd", color: "#1f77b4", dash: "6 4", values: LENGTHS.map((T) => memory[Bmax][T]["plain step"]) },
    { name: "seqlab chunked fwd+bwd", color: "#2ca02c", dash: "6 4", values: LENGTHS.map((T) => memory[Bmax][T]["chunked step"]) },
    { name: "tfjs plain fwd+bwd", color: "#d62728", dash: "6 4", values: LENGTHS.map((T) => memory[Bmax][T]["tfjs step"]) },
  ],
});
const timeChart = lineChartSvg({
  title: `Attention forward + backward time (B ${Bmax}, ${HEADS} heads, hD ${HEAD_DIM}, float32)`,
  xLabel: "sequence length T",
  yLabel: "ms per call (log, lower is better)",
  categories: cats,
  logY: true,
  series: [
    { name: "seqlab-wasm plain", color: "#1f77b4", values: LENGTHS.map((T) => time[Bmax][T]["seqlab-wasm plain step"]) },
    { name: "seqlab-wasm chunked", color: "#2ca02c", values: LENGTHS.map((T) => time[Bmax][T]["seqlab-wasm chunked step"]) },
    { name: "seqlab-js plain", color: "#17becf", values: LENGTHS.map((T) => time[Bmax][T]["seqlab-js plain step"]) },
    { name: "tfjs-wasm", color: "#d62728", values: LENGTHS.map((T) => time[Bmax][T]["tfjs-wasm plain step"]) },
    { name: "tfjs-cpu", color: "#ff7f0e", values: LENGTHS.map((T) => time[Bmax][T]["tfjs-cpu plain step"]) },
  ],
});

const section = `## Attention: plain vs memory-saving, against sequence length

Machine: ${mc.cpu}, ${mc.cores} cores, ${mc.os}, Node ${mc.node} (V8 ${mc.v8}), ${mc.date}.
tfjs ${info.version}; tfjs-wasm loaded \`${info.wasmFile}\` (SIMD ${info.simd ? "on" : "off"}, ${info.threads} thread).
Rerun with \`npm run bench:attention --workspace @seqlab/bench\`${QUICK ? " (this run: `--quick`)" : ""}.

\`scaledDotProductAttention(q, k, v)\` on q, k, v \`[B, ${HEADS}, T, ${HEAD_DIM}]\` float32, no mask. "plain": the full
\`[B, H, T, T]\` score matrix through tensor ops; "chunked": \`{ chunkSize: ${CHUNK} }\`, keys in chunks of ${CHUNK} with an
online softmax and a custom backward that recomputes each chunk's probabilities from the saved row
log-sum-exp (FlashAttention's recurrences in tensor ops), so neither pass holds a T × T matrix. tfjs runs the
same plain attention (\`softmax(matMul(q·scale, k, false, true)) @ v\` on \`[B·H, T, hD]\`; backward via
\`tf.grads\`). "fwd": output without gradient tracking; "fwd+bwd": output, \`sum()\`, gradients of q, k, v.
Outputs of every library and path agree with seqlab-wasm plain to 1e-4 before anything is timed (last table).
Median time per call (${QUICK ? "quick settings" : "≥ 0.5 s of samples; cells slower than 0.3 s per call: 1 warm-up + 3 calls"}); "—": skipped because the
previous length's time × (T/T_prev)² predicted more than ${BUDGET} s per call. The machine is shared and noisy:
read the ratios, not the absolute times.

**Peak memory, how it is measured.** seqlab: a dispatch observer wrapped around autograd's forces full GCs
(\`node --expose-gc\`; two per sample, since V8 frees dead buffers on a background sweeper that the next GC
waits for) after every primitive and samples \`process.memoryUsage().arrayBuffers\`; the table shows the
largest value minus the (stable) value before the call, the larger of two runs — i.e. the high-water mark of reachable tensor storage
(inputs and output of the running op, everything autograd saved, gradients) at primitive granularity, on the
JS kernels (no WASM arena). Scratch memory inside a kernel is not seen (the JS kernels allocate none of
size). The inputs q, k, v are not counted; the output (and the three gradients) are. tfjs: \`tf.profile\`'s
\`peakBytes\` (largest engine byte count after a kernel) minus the bytes before; inside \`tf.tidy\`
intermediates live until the end of the call, so this is tfjs's real high-water mark.

Time, forward (ms):

${timeTable("fwd")}

Time, forward + backward (ms):

${timeTable("step")}

Peak memory above the inputs (MiB):

${memTable}

${agreeTable}

![attention peak memory](${memSvg})

![attention forward+backward time](${timeSvg})
`;
if (!args.has("--no-write")) {
  fs.writeFileSync(path.join(ROOT, "docs", memSvg), memChart);
  fs.writeFileSync(path.join(ROOT, "docs", timeSvg), timeChart);
  writeSection(path.join(ROOT, "docs/benchmarks.md"), "attention", section);
  console.error(`wrote docs/benchmarks.md (attention section), docs/${memSvg} and docs/${timeSvg}`);
}
