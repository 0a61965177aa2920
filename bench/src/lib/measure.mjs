// Timing helpers shared by the benchmark scripts: warm up, then time batches of calls
// until the cell has run long enough, and report the median time per call.
import os from "node:os";

/**
 * Time `fn` and return the median seconds per call over at least `minSamples` samples,
 * sampling until at least `minTime` seconds have been spent (warm-up excluded).
 * Each sample times a batch of calls sized so a sample lasts about minTime / minSamples,
 * which keeps timer resolution out of sub-microsecond cells.
 */
export function measure(fn, { minTime = 0.3, minSamples = 5, warmupTime = 0.25, warmupCalls = 3 } = {}) {
  // Start every cell from a collected heap when node runs with --expose-gc (the bench script does).
  globalThis.gc?.();
  // Warm-up: lets V8 tier the hot loops up to optimised code (a few calls of a big matmul
  // still run partly in unoptimised or on-stack-replaced code) and the allocator settle.
  let calls = 0;
  const w0 = performance.now();
  while (calls < warmupCalls || performance.now() - w0 < warmupTime * 1000) {
    fn();
    calls++;
  }
  const perCall = (performance.now() - w0) / calls;
  const batch = Math.max(1, Math.round((minTime * 1000) / minSamples / perCall));
  const samples = [];
  let total = 0;
  while (samples.length < minSamples || total < minTime * 1000) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    const dt = performance.now() - t0;
    total += dt;
    samples.push(dt / batch / 1000);
  }
  return { seconds: median(samples), samples: samples.length, batch };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Deterministic uniform floats in [-1, 1) (mulberry32), so every library sees the same data. */
export function randomFloat32(n, seed = 1) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
  }
  return out;
}

/** The machine a run happened on, for the report header. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown CPU",
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString().slice(0, 10),
  };
}

/** Format a number with `digits` significant digits (no exponent for the ranges we print). */
export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return "n/a";
  const a = Math.abs(x);
  if (a >= 10 ** digits) return x.toFixed(0);
  return x.toPrecision(digits);
}
