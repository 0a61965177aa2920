// Memory soak for @seqlab/autograd: trains a small MLP for many steps, samples heap and
// ArrayBuffer memory after a full gc, and exits 1 if memory keeps growing (a leaked graph).
// Usage: node --expose-gc src/soak-autograd.mjs [--steps 10000] [--every 500] [--optimizer sgd|adam|both] [--max-growth-mb 2] [--no-write]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Tensor } from "@seqlab/tensor";
import { Adam, SGD } from "@seqlab/autograd";
import { fmt, machine, randomFloat32 } from "./lib/measure.mjs";
import { ROOT, mdTable, writeSection } from "./lib/report.mjs";

const { values: cli } = parseArgs({
  options: {
    steps: { type: "string", default: "10000" },
    every: { type: "string", default: "500" },
    optimizer: { type: "string", default: "both" },
    "max-growth-mb": { type: "string", default: "2" },
    "no-write": { type: "boolean", default: false },
  },
});
const STEPS = Number(cli.steps);
const EVERY = Number(cli.every);
const MAX_GROWTH = Number(cli["max-growth-mb"]) * 2 ** 20;
const OPTIMIZERS = { sgd: { make: (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9 }), label: "SGD (lr 0.05, momentum 0.9)" }, adam: { make: (ps) => new Adam(ps, { lr: 1e-3 }), label: "Adam (lr 1e-3)" } };
const chosen = cli.optimizer === "both" ? ["sgd", "adam"] : [cli.optimizer];
if (typeof globalThis.gc !== "function") throw new Error("soak-autograd: run with node --expose-gc");
if (!Number.isInteger(STEPS) || !Number.isInteger(EVERY) || EVERY <= 0 || STEPS < 4 * EVERY) throw new Error("soak-autograd: --steps must be an integer ≥ 4 × --every");
for (const o of chosen) if (!(o in OPTIMIZERS)) throw new Error(`soak-autograd: unknown optimizer ${o} (sgd, adam or both)`);

const MLP = { batch: 32, sizes: [32, 64, 10], batches: 8 };

/** Build the MLP and return `step()`: zeroGrad, forward, backward, update, read the loss. */
function makeTrainer(makeOptimizer) {
  const { batch, sizes, batches } = MLP;
  const [nIn, nHid, nOut] = sizes;
  const param = (shape, seed, fanIn) => {
    const data = randomFloat32(shape.reduce((p, s) => p * s, 1), seed).map((v) => v / Math.sqrt(fanIn));
    return Tensor.fromStorage(data, shape, "float32").requiresGrad_();
  };
  const params = [param([nIn, nHid], 1, nIn), param([nHid], 2, nIn), param([nHid, nOut], 3, nHid), param([nOut], 4, nHid)];
  const [w1, b1, w2, b2] = params;
  const data = Array.from({ length: batches }, (_, k) => ({
    x: Tensor.fromStorage(randomFloat32(batch * nIn, 100 + k), [batch, nIn], "float32"),
    y: Tensor.fromStorage(Int32Array.from({ length: batch }, (_, i) => (i * 3 + k) % nOut), [batch, 1], "int32"),
  }));
  const opt = makeOptimizer(params);
  let t = 0;
  return () => {
    const { x, y } = data[t++ % batches];
    opt.zeroGrad();
    const logp = x.matmul(w1).add(b1).relu().matmul(w2).add(b2).logSoftmax(1);
    const loss = logp.gather(1, y).mean().neg();
    loss.backward();
    opt.step();
    return loss.item();
  };
}

function sampleMemory() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, total: m.heapUsed + m.arrayBuffers };
}

/** Least-squares slope of ys over xs. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

const MB = (bytes) => `${fmt(bytes / 2 ** 20)} MB`;

function soak(name) {
  const step = makeTrainer(OPTIMIZERS[name].make);
  const series = [];
  const losses = [];
  const t0 = performance.now();
  series.push({ step: 0, ...sampleMemory() });
  for (let s = 1; s <= STEPS; s++) {
    const loss = step();
    if (!Number.isFinite(loss)) throw new Error(`soak-autograd: ${name} loss is ${loss} at step ${s}`);
    if (s === 1 || s === STEPS) losses.push(loss);
    if (s % EVERY === 0) {
      series.push({ step: s, ...sampleMemory() });
      const p = series.at(-1);
      console.error(`${name.padEnd(4)} step ${String(s).padStart(6)}  heapUsed ${MB(p.heapUsed).padStart(9)}  arrayBuffers ${MB(p.arrayBuffers).padStart(9)}  loss ${loss.toFixed(4)}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  // Judge the second half only: the first steps grow the heap legitimately (JIT code, caches).
  const half = series.filter((p) => p.step >= STEPS / 2);
  const perStep = slope(half.map((p) => p.step), half.map((p) => p.total));
  const growth = perStep * (half.at(-1).step - half[0].step);
  return { name, series, losses, seconds, perStep, growth, ok: growth <= MAX_GROWTH };
}

const results = chosen.map(soak);
for (const r of results) {
  console.error(
    `${r.name}: ${STEPS} steps in ${r.seconds.toFixed(1)} s; heap+arrayBuffers ${MB(r.series[0].total)} → ${MB(r.series.at(-1).total)}; ` +
      `second-half trend ${fmt(r.perStep)} B/step = ${MB(r.growth)} over ${STEPS / 2} steps (limit ${MB(MAX_GROWTH)}): ${r.ok ? "ok" : "GROWING"}`,
  );
}

const mc = machine();
const pick = (series) => series.filter((p, i) => i === 0 || p.step % (STEPS / 5) === 0 || i === series.length - 1);
const table = mdTable(
  ["optimizer", ...pick(results[0].series).map((p) => `step ${p.step}`), "2nd-half trend", "verdict"],
  results.map((r) => [
    OPTIMIZERS[r.name].label,
    ...pick(r.series).map((p) => `${fmt(p.heapUsed / 2 ** 20)} + ${fmt(p.arrayBuffers / 2 ** 20)}`),
    `${fmt(r.perStep)} B/step (${MB(r.growth)})`,
    r.ok ? "no growth" : "**growing**",
  ]),
);
const section = `### Memory soak

\`npm run soak:autograd --workspace @seqlab/bench\` trains a ${MLP.sizes.join("→")} MLP (batch ${MLP.batch}, relu,
softmax cross-entropy, ${MLP.batches} fixed batches cycled) for ${STEPS} steps per optimizer: \`zeroGrad\`, forward,
\`loss.backward()\`, \`step()\`, \`loss.item()\`. Every ${EVERY} steps it runs a full gc and samples
\`process.memoryUsage()\`; it fails when the least-squares trend of heapUsed + arrayBuffers over
the second half exceeds ${MB(MAX_GROWTH)}. Cells are heapUsed + arrayBuffers in MB. The rise over the
first steps is V8 compiling code and collecting type feedback (the second optimizer, run after
the first in the same process, barely moves), which is why only the second half is judged.
Last run: ${mc.date}, Node ${mc.node}.

${table}
`;
console.log(`\n${section}`);
if (!cli["no-write"]) {
  const file = path.join(ROOT, "docs", "benchmarks.md");
  // The soak result lives inside the autograd section (autograd.mjs keeps it when it rewrites
  // that section); before the first benchmark run, start the section with just the soak part.
  if (!fs.existsSync(file) || !fs.readFileSync(file, "utf8").includes("<!-- autograd:begin -->")) {
    writeSection(file, "autograd", "<!-- soak-autograd:begin -->\n<!-- soak-autograd:end -->");
  }
  writeSection(file, "soak-autograd", section);
  console.error("wrote the soak-autograd part of docs/benchmarks.md");
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
