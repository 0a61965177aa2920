// Where a training step spends its time once matmul runs in WASM: an LSTM layer and a
// Transformer block, hand-built from @seqlab/tensor ops + @seqlab/autograd, timed per primitive.
// Usage: node --expose-gc --experimental-wasm-relaxed-simd src/wasm-profile.mjs [--quick] [--no-write]
// (also run at the end of src/wasm.mjs). Writes the `profile` section of docs/benchmarks.md.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Rng, cat, getObserver, narrow, randn, select, setObserver, stack, traceKernels, zeros } from "@seqlab/tensor";
import { Adam, attachNode, isGradEnabled, noGrad } from "@seqlab/autograd";
import { disableWasmKernels, useWasmKernels, wasmKernelsInfo } from "@seqlab/wasm-kernels";
import { fmt, machine, median } from "./lib/measure.mjs";
import { ROOT, mdTable, writeSection } from "./lib/report.mjs";

/** A parameter: seeded normal values scaled by `scale`, recorded by autograd. */
const param = (rng, shape, scale) => randn(shape, { rng }).mul(scale).requiresGrad_();

/**
 * `n` views `piece(i)` that partition `x`, recorded so that backward hands `x` one gradient
 * `join(piece gradients)` (the technique of @seqlab/models' recurrent scan): through plain
 * select/narrow, each piece's gradient would be zero-padded to x's shape and summed, O(n²).
 */
function piecesWithJoinedGrad(x, n, piece, join) {
  if (!x.requiresGrad || !isGradEnabled()) return Array.from({ length: n }, (_, i) => piece(i));
  const pieces = noGrad(() => Array.from({ length: n }, (_, i) => piece(i)));
  const stored = new Array(n);
  const hub = zeros([]), nothing = zeros([]);
  attachNode("split", [x], hub, [], () => [join(pieces.map((p, i) => stored[i] ?? zeros(p.shape)))]);
  pieces.forEach((p, i) => attachNode("split", [hub], p, [], (g) => ((stored[i] = g), [nothing])));
  return pieces;
}

/**
 * One LSTM layer (PyTorch gate order i, f, g, o): the input projection of all steps as one
 * GEMM over [T·B, I], then per step the hidden GEMM, the gate nonlinearities and the cell
 * update. Loss: mean squared error of every hidden state against a fixed target. With
 * `joined`, the time steps and the gates are split with one joined gradient each (as
 * @seqlab/models does); without, with plain `select` and `chunk`.
 */
export function lstmStep({ T = 64, B = 32, I = 32, H = 128, seed = 1, joined = true } = {}) {
  const rng = new Rng(seed);
  const k = 1 / Math.sqrt(H);
  const wIh = param(rng, [4 * H, I], k), wHh = param(rng, [4 * H, H], k), bias = param(rng, [4 * H], k);
  const x = randn([T, B, I], { rng }), target = randn([T, B, H], { rng });
  const params = [wIh, wHh, bias];
  const steps = (xp) => (joined ? piecesWithJoinedGrad(xp, T, (t) => select(xp, 0, t), (gs) => stack(gs)) : xp.unbind(0));
  const gates = (g) => (joined ? piecesWithJoinedGrad(g, 4, (i) => narrow(g, 1, i * H, H), (gs) => cat(gs, 1)) : g.chunk(4, 1));
  const forward = () => {
    const xp = x.reshape([T * B, I]).matmul(wIh.mT).add(bias).reshape([T, B, 4 * H]); // [T·B, I] -> [T, B, 4H]
    const xs = steps(xp); // T × [B, 4H]
    let h = zeros([B, H]), c = zeros([B, H]);
    const hs = [];
    for (let t = 0; t < T; t++) {
      const [i, f, g, o] = gates(xs[t].add(h.matmul(wHh.mT))); // [B, 4H] -> 4 × [B, H]
      c = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
      h = o.sigmoid().mul(c.tanh());
      hs.push(h);
    }
    return stack(hs).sub(target).square().mean(); // [T, B, H] -> []
  };
  const how = joined ? "joined slice gradients" : "plain select/chunk";
  return { name: `LSTM layer (batch ${B}, seq ${T}, input ${I}, hidden ${H}; ${how})`, params, forward };
}

/** Layer norm over the last dim, composed from primitives (mean, sub, mul, rsqrt...). */
function layerNorm(x, gamma, beta) {
  const mu = x.mean(-1, true);
  const xc = x.sub(mu);
  return xc.mul(xc.square().mean(-1, true).add(1e-5).rsqrt()).mul(gamma).add(beta);
}

/**
 * One pre-norm Transformer block: x + MHA(LN(x)), then + MLP(LN(·)) with a GELU MLP of
 * width 4d. Loss: mean squared output.
 */
export function transformerStep({ B = 8, T = 128, D = 128, heads = 4, seed = 2 } = {}) {
  const rng = new Rng(seed);
  const hD = D / heads;
  const k = 1 / Math.sqrt(D);
  const ln1g = param(rng, [D], 0).add(1).detach().requiresGrad_(), ln1b = param(rng, [D], 0);
  const ln2g = param(rng, [D], 0).add(1).detach().requiresGrad_(), ln2b = param(rng, [D], 0);
  const wQkv = param(rng, [3 * D, D], k), bQkv = param(rng, [3 * D], k);
  const wO = param(rng, [D, D], k), bO = param(rng, [D], k);
  const w1 = param(rng, [4 * D, D], k), b1 = param(rng, [4 * D], k);
  const w2 = param(rng, [D, 4 * D], 1 / Math.sqrt(4 * D)), b2 = param(rng, [D], k);
  const x = randn([B, T, D], { rng });
  const params = [ln1g, ln1b, ln2g, ln2b, wQkv, bQkv, wO, bO, w1, b1, w2, b2];
  const forward = () => {
    const qkv = layerNorm(x, ln1g, ln1b).matmul(wQkv.mT).add(bQkv); // [B, T, 3D]
    const [q, kk, v] = qkv.chunk(3, -1).map((t) => t.reshape([B, T, heads, hD]).permute(0, 2, 1, 3)); // [B, T, D] -> [B, H, T, hD]
    const att = q.matmul(kk.mT).mul(1 / Math.sqrt(hD)).softmax(-1); // [B, H, T, T]
    const ctx = att.matmul(v).permute(0, 2, 1, 3).reshape([B, T, D]); // [B, H, T, hD] -> [B, T, D]
    const x1 = x.add(ctx.matmul(wO.mT).add(bO));
    const mlp = layerNorm(x1, ln2g, ln2b).matmul(w1.mT).add(b1).gelu().matmul(w2.mT).add(b2); // [B, T, 4D] -> [B, T, D]
    return x1.add(mlp).square().mean();
  };
  return { name: `Transformer block (batch ${B}, seq ${T}, d ${D}, ${heads} heads, MLP ${4 * D}, GELU)`, params, forward };
}

/** Forward + backward of `model` (gradients reset first). */
function trainStep(model) {
  for (const p of model.params) p.grad = null;
  const loss = model.forward();
  loss.backward();
  return loss;
}

/**
 * Time each primitive of one training step: a pass-through observer in front of autograd's
 * recorder notes the time since the previous primitive ended (so an op's front end, dispatch
 * and kernel count for it) and keeps the recorder's own bookkeeping apart as "autograd tape".
 * traceKernels, which lists the same primitives in the same order, names the provider.
 */
function profileOnce(model) {
  const inner = getObserver();
  if (inner?.autograd === undefined) throw new Error("wasm-profile: autograd is not enabled");
  const spans = [];
  let tape = 0;
  let last = 0;
  setObserver({
    autograd: inner.autograd,
    tracks: (t) => inner.tracks(t),
    record(prim, inputs, attrs, out) {
      const t0 = performance.now();
      spans.push(t0 - last);
      inner.record(prim, inputs, attrs, out);
      last = performance.now();
      tape += last - t0;
    },
  });
  let calls;
  let total;
  try {
    const start = performance.now();
    last = start;
    calls = traceKernels(() => trainStep(model)).calls;
    total = performance.now() - start;
  } finally {
    setObserver(inner);
  }
  if (calls.length !== spans.length) throw new Error(`wasm-profile: ${calls.length} traced primitives but ${spans.length} recorded`);
  const rows = new Map();
  calls.forEach((c, i) => {
    const key = `${c.prim}|${c.provider}`;
    const r = rows.get(key) ?? { prim: c.prim, provider: c.provider, calls: 0, ms: 0 };
    r.calls++;
    r.ms += spans[i];
    rows.set(key, r);
  });
  return { total, tape, rows };
}

/**
 * The configurations compared: JS only; the WASM GEMM alone (the elementwise kernels
 * declining every call through `minElements: Infinity`), which is what the profile looked like
 * before they existed; and every WASM kernel with the default options.
 */
const CONFIGS = [
  { key: "js", label: "JS kernels" },
  { key: "gemm", label: "WASM matmul only", options: { minElements: Infinity } },
  { key: "all", label: "all WASM kernels", options: {} },
];

/** Enable the provider of `config` (JS only when it has no options). */
async function use(config) {
  disableWasmKernels();
  if (config.options !== undefined && !(await useWasmKernels(config.options))) throw new Error("wasm-profile: the wasm kernels did not load");
}

/** Median of every row of `runs` (a primitive absent from a run counts 0) and of the totals. */
function medianProfile(runs) {
  const keys = new Set(runs.flatMap((r) => [...r.rows.keys()]));
  const rows = [...keys].map((key) => {
    const first = runs.find((r) => r.rows.has(key)).rows.get(key);
    return { prim: first.prim, provider: first.provider, calls: first.calls, ms: median(runs.map((r) => r.rows.get(key)?.ms ?? 0)) };
  });
  rows.sort((a, b) => b.ms - a.ms);
  return { total: median(runs.map((r) => r.total)), tape: median(runs.map((r) => r.tape)), rows };
}

/**
 * Profile every model under every configuration; returns the Markdown section. The
 * configurations take turns step by step (timed step, Adam update, profiled step), so a
 * slow phase of the shared machine hits all of them alike.
 */
export async function runProfile({ quick = false, log = (s) => console.error(s) } = {}) {
  const { warmup, reps } = quick ? { warmup: 2, reps: 3 } : { warmup: 3, reps: 9 };
  const models = [lstmStep(), lstmStep({ joined: false }), transformerStep()];
  const results = [];
  let build;
  for (const model of models) {
    const opt = new Adam(model.params, { lr: 1e-3 });
    const runs = Object.fromEntries(CONFIGS.map((c) => [c.key, { fb: [], update: [], profiles: [] }]));
    for (const config of CONFIGS) {
      await use(config);
      for (let i = 0; i < warmup; i++) trainStep(model);
    }
    for (let i = 0; i < reps; i++) {
      for (const config of CONFIGS) {
        await use(config);
        build ??= wasmKernelsInfo().build;
        const run = runs[config.key];
        globalThis.gc?.();
        const t0 = performance.now();
        trainStep(model);
        const t1 = performance.now();
        opt.step();
        run.update.push(performance.now() - t1);
        run.fb.push(t1 - t0);
        globalThis.gc?.();
        run.profiles.push(profileOnce(model));
      }
    }
    disableWasmKernels();
    const byConfig = Object.fromEntries(
      CONFIGS.map((c) => [c.key, { time: { fb: median(runs[c.key].fb), update: median(runs[c.key].update) }, prof: medianProfile(runs[c.key].profiles) }]),
    );
    for (const c of CONFIGS) log(`${model.name}, ${c.label}: forward+backward ${fmt(byConfig[c.key].time.fb)} ms, Adam ${fmt(byConfig[c.key].time.update)} ms`);
    results.push({ model, byConfig });
  }
  return section(results, build);
}

/** The profile section of docs/benchmarks.md. */
function section(results, build) {
  const mc = machine();
  const parts = results.map(({ model, byConfig }) => {
    const gemm = byConfig.gemm.prof, all = byConfig.all.prof;
    const prims = [...new Set([...gemm.rows, ...all.rows].map((r) => r.prim))];
    const rowOf = (prof, prim) => prof.rows.filter((r) => r.prim === prim);
    const sum = (rows, f) => rows.reduce((s, r) => s + f(r), 0);
    const lines = prims.map((prim) => {
      const g = rowOf(gemm, prim), a = rowOf(all, prim);
      return { prim, calls: sum(g, (r) => r.calls), before: sum(g, (r) => r.ms), after: sum(a, (r) => r.ms), ran: [...new Set(a.map((r) => r.provider))].join(", ") };
    });
    lines.sort((x, y) => y.before - x.before);
    const big = lines.filter((l) => l.before >= 0.01 * gemm.total || l.after >= 0.01 * all.total);
    const small = lines.filter((l) => !big.includes(l));
    const pct = (ms, total) => `${fmt((100 * ms) / total, 2)}%`;
    const table = mdTable(
      ["primitive", "calls", "WASM matmul only: ms", "share", "all WASM kernels: ms", "share", "now runs on"],
      [
        ...big.map((l) => [l.prim, String(l.calls), fmt(l.before), pct(l.before, gemm.total), fmt(l.after), pct(l.after, all.total), l.ran]),
        [`${small.length} others (< 1% each)`, String(sum(small, (l) => l.calls)), fmt(sum(small, (l) => l.before)), pct(sum(small, (l) => l.before), gemm.total), fmt(sum(small, (l) => l.after)), pct(sum(small, (l) => l.after), all.total), ""],
        ["autograd tape (recording)", "", fmt(gemm.tape), pct(gemm.tape, gemm.total), fmt(all.tape), pct(all.tape, all.total), ""],
        ["**profiled step**", String(sum(lines, (l) => l.calls)), fmt(gemm.total), "100%", fmt(all.total), "100%", ""],
      ],
    );
    const t = (key) => byConfig[key].time;
    return `### ${model.name}

Forward + backward, median ms per step: **${fmt(t("js").fb)}** on the JS kernels, **${fmt(t("gemm").fb)}** with the
WASM matmul only (${fmt(t("js").fb / t("gemm").fb, 2)}× JS), **${fmt(t("all").fb)}** with all WASM kernels
(${fmt(t("js").fb / t("all").fb, 2)}× JS, ${fmt(t("gemm").fb / t("all").fb, 2)}× the matmul-only step). An Adam update of the ${model.params.length} parameters
adds ${fmt(t("all").update)} ms. Per primitive (median of the profiled steps; each primitive is charged the time
since the previous one ended, so its front end, dispatch and kernel all count):

${table}`;
  });
  const summary = results.map(({ model, byConfig }) => {
    const gemm = byConfig.gemm.prof, all = byConfig.all.prof;
    const moved = [...new Set(all.rows.filter((r) => r.provider === "wasm" && r.prim !== "matmul").map((r) => r.prim))];
    const share = (prof, prims) => (100 * prof.rows.filter((r) => prims.includes(r.prim)).reduce((t, r) => t + r.ms, 0)) / prof.total;
    const js = [...new Set(all.rows.filter((r) => r.provider === "js").map((r) => r.prim))].filter((p) => !moved.includes(p));
    const top = js.map((p) => ({ p, sh: share(all, [p]) })).sort((a, b) => b.sh - a.sh).slice(0, 3);
    return `- ${model.name}: with matmul alone in WASM, ${moved.map((p) => `\`${p}\``).join(", ")} took ${fmt(share(gemm, moved), 2)}% of the profiled step and matmul ${fmt(share(gemm, ["matmul"]), 2)}%; with them in WASM the step is ${fmt(byConfig.gemm.time.fb / byConfig.all.time.fb, 2)}× faster. Largest primitives left on JS: ${top.map(({ p, sh }) => `\`${p}\` ${fmt(sh, 2)}%`).join(", ")}.`;
  });
  return `## Training-step profile with @seqlab/wasm-kernels

Machine: ${mc.cpu}, ${mc.cores} cores, ${mc.os}, Node ${mc.node}, ${mc.date}; WASM build ${build}.
Rerun with \`node --expose-gc --experimental-wasm-relaxed-simd bench/src/wasm-profile.mjs\` (also run by
\`npm run bench:wasm\`). Both models are hand-built from @seqlab/tensor ops and @seqlab/autograd in
[bench/src/wasm-profile.mjs](../bench/src/wasm-profile.mjs); a pass-through dispatch observer in
front of autograd's recorder times every primitive of a forward + backward pass, and
\`traceKernels\` names the provider that ran it. Three configurations take turns step by step: the
JS kernels, the WASM matmul alone (\`useWasmKernels({ minElements: Infinity })\`: the other
kernels decline every call), and all WASM kernels (defaults).

What the profile justified (this run):

${summary.join("\n")}

The elementwise kernels, softmax and sum give bit-identical results to the JS kernels (see
packages/wasm-kernels/README.md); \`erf\` (GELU), \`cat\`, \`pad\` and \`copy\` stay on JS.
The plain select/chunk LSTM shows a cost no kernel removes: backward zero-pads every slice's
gradient to the full tensor and sums them (\`add\` and \`pad\`), O(T²) in the sequence length;
@seqlab/models' recurrent scan joins the slice gradients once instead.

${parts.join("\n\n")}
`;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = new Set(process.argv.slice(2));
  const text = await runProfile({ quick: args.has("--quick") });
  console.log(`\n${text}`);
  if (!args.has("--no-write")) {
    writeSection(path.join(ROOT, "docs", "benchmarks.md"), "profile", text);
    console.error("wrote docs/benchmarks.md (profile section)");
  }
}
