// Mutation fuzz of loadSafetensors: 1,000,000 (by default) mutants of valid files — every
// truncation and header bit flip of each seed, then seeded random stacked mutations — each of
// which must load consistently or throw a SafetensorsError; a watchdog fails the run on a hang.
//
// It runs the BUILT package (no vitest, no TS loader), so build first:
//   npx turbo run build --filter=@seqlab/models
//   node tools/fuzz-safetensors.mjs [--count 1000000] [--seed 1] [--only INDEX]
// --only INDEX prints input INDEX (hex) and what loading it does, to reproduce a failure.
// The mutations come from packages/models/test/safetensors-mutate.ts (shared with the seeded
// slice in safetensors-fuzz.test.ts), transpiled here with the repo's TypeScript.
import { readFileSync } from "node:fs";
import { clearInterval, setInterval } from "node:timers";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const HANG_SECONDS = 10;

if (isMainThread) runMain();
else await runWorker(workerData);

function runMain() {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const options = { count: flag("count", 1_000_000), seed: flag("seed", 1), only: flag("only", -1) };
  // [inputs done, index of the input being loaded]
  const progress = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL(import.meta.url), { workerData: { ...options, progress } });
  let last = -1;
  let stalled = 0;
  let nextReport = 0.1;
  const watchdog = setInterval(() => {
    const done = Atomics.load(progress, 0);
    stalled = done === last ? stalled + 1 : 0;
    last = done;
    if (options.only < 0 && done / options.count >= nextReport) {
      console.log(`  ${done} / ${options.count}`);
      nextReport = Math.floor((done / options.count) * 10 + 1) / 10;
    }
    if (stalled >= HANG_SECONDS) {
      console.error(`HANG: input #${Atomics.load(progress, 1)} made no progress for ${HANG_SECONDS} s (reproduce with --seed ${options.seed} --only ${Atomics.load(progress, 1)})`);
      void worker.terminate();
      process.exitCode = 1;
      clearInterval(watchdog);
    }
  }, 1000);
  worker.on("message", (msg) => {
    console.log(msg.text);
    if (msg.failed) process.exitCode = 1;
  });
  worker.on("error", (e) => {
    console.error(e);
    process.exitCode = 1;
  });
  worker.on("exit", () => clearInterval(watchdog));
}

async function runWorker({ count, seed, only, progress }) {
  const root = new URL("../", import.meta.url);
  const ts = (await import("typescript")).default;
  const source = readFileSync(new URL("packages/models/test/safetensors-mutate.ts", root), "utf8");
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const { handmadeSeeds, randomMutation, systematicMutations, countSystematic } = await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`);
  const { loadSafetensors, saveSafetensors, SafetensorsError } = await import(new URL("packages/models/dist/index.js", root).href);
  const { Rng, tensor, zeros } = await import("@seqlab/tensor");

  const fixture = (name) => new Uint8Array(readFileSync(new URL(`packages/models/test/fixtures/safetensors/${name}`, root)));
  const seeds = [
    fixture("torch-dtypes.safetensors"),
    fixture("seqlab-written.safetensors"),
    fixture("torch-int64-overflow.safetensors"),
    ...handmadeSeeds(),
    saveSafetensors({ w: tensor([[1, 2], [3, 4]]), b: tensor([true, false]), i: tensor([7], { dtype: "int32" }), e: zeros([0, 2]) }, { format: "pt" }),
  ];
  const systematic = seeds.reduce((n, s) => n + countSystematic(s), 0);

  /** Input `index`: the systematic mutants of every seed in order, then random ones, each from its own Rng. */
  function* inputs() {
    let index = 0;
    for (const s of seeds) {
      for (const mutant of systematicMutations(s)) {
        if (index >= count) return;
        yield [index++, mutant];
      }
    }
    for (; index < count; index++) yield [index, randomInput(index)];
  }

  function randomInput(index) {
    const rng = new Rng((seed * 0x9e3779b1 + index) >>> 0);
    return randomMutation(seeds, () => rng.nextUint32());
  }

  /** "loaded", or the refused field with tensor names replaced by "*"; throws on anything else. */
  function outcome(bytes) {
    let loaded;
    try {
      loaded = loadSafetensors(bytes);
    } catch (e) {
      if (!(e instanceof SafetensorsError)) return { failure: `${e?.constructor?.name ?? typeof e}: ${e?.message ?? String(e)}` };
      if (e.op !== "loadSafetensors" || !e.message.startsWith(`loadSafetensors: ${e.field}: `)) return { failure: `malformed SafetensorsError: ${e.message}` };
      return { kind: e.field.replace(/"(?:[^"\\]|\\.)*"/g, '"*"').replace(/^"\*"\.(?!(?:dtype|shape|data_offsets)$).*$/, '"*".<unknown field>') };
    }
    let storageBytes = 0;
    for (const [name, t] of loaded.tensors) {
      if (t.storage.data.length !== t.size) return { failure: `tensor ${JSON.stringify(name)} has ${t.storage.data.length} stored elements for shape [${t.shape}]` };
      storageBytes += t.storage.data.byteLength;
    }
    if (storageBytes > 4 * bytes.length) return { failure: `loading ${bytes.length} bytes allocated ${storageBytes} bytes` };
    return { kind: "loaded" };
  }

  if (only >= 0) {
    const systematicAt = () => {
      for (const [index, bytes] of inputs()) if (index === only) return bytes;
    };
    const bytes = only >= systematic ? randomInput(only) : systematicAt();
    const t0 = performance.now();
    const result = outcome(bytes);
    const ms = (performance.now() - t0).toFixed(2);
    parentPort.postMessage({ text: `input #${only} (${bytes.length} bytes, ${ms} ms): ${Buffer.from(bytes).toString("hex")}\n-> ${result.kind ?? result.failure}`, failed: !!result.failure });
    return;
  }

  const counts = new Map();
  let slowest = 0;
  let slowestIndex = -1;
  const start = performance.now();
  for (const [index, bytes] of inputs()) {
    Atomics.store(progress, 1, index);
    const t0 = performance.now();
    const result = outcome(bytes);
    const ms = performance.now() - t0;
    if (ms > slowest) [slowest, slowestIndex] = [ms, index];
    if (result.failure) {
      parentPort.postMessage({ text: `FAIL input #${index} (reproduce with --seed ${seed} --only ${index}): ${result.failure}\n${Buffer.from(bytes).toString("hex")}`, failed: true });
      return;
    }
    counts.set(result.kind, (counts.get(result.kind) ?? 0) + 1);
    Atomics.store(progress, 0, index + 1);
  }
  const seconds = (performance.now() - start) / 1000;
  const loaded = counts.get("loaded") ?? 0;
  const total = Atomics.load(progress, 0);
  const lines = [
    `fuzz-safetensors: ${total} inputs (seed ${seed}: ${Math.min(systematic, total)} systematic + ${Math.max(0, total - systematic)} random, from ${seeds.length} seed files)` +
      ` in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} inputs/s)`,
    `  ${loaded} loaded, ${total - loaded} refused with SafetensorsError, 0 other exceptions, 0 hangs (watchdog ${HANG_SECONDS} s); slowest input ${slowest.toFixed(2)} ms (#${slowestIndex})`,
    "  refusals by field:",
    ...[...counts].filter(([k]) => k !== "loaded").sort((a, b) => b[1] - a[1]).map(([k, n]) => `    ${String(n).padStart(8)}  ${k}`),
  ];
  parentPort.postMessage({ text: lines.join("\n"), failed: false });
}
