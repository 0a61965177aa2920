// Register-only f32x4 throughput probes for the benchmark's "physical ceiling" line (no memory
// traffic; built by bench/src/wasm.mjs only): dependent multiply-add chains, and split mul/add chains (12 chains
// + 2 constants: V8 keeps 15 XMM registers usable on x64, more would spill).

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Run `iters` rounds of 12 chained c = c·b + a updates (8 flops per f32x4 update). */
export function peak(iters: i32, seed: f32): f32 {
  const a = f32x4.splat(seed * 1e-3);
  const b = f32x4.splat(0.999);
  let c0 = f32x4.splat(seed), c1 = f32x4.splat(seed + 1), c2 = f32x4.splat(seed + 2), c3 = f32x4.splat(seed + 3);
  let c4 = f32x4.splat(seed + 4), c5 = f32x4.splat(seed + 5), c6 = f32x4.splat(seed + 6), c7 = f32x4.splat(seed + 7);
  let c8 = f32x4.splat(seed + 8), c9 = f32x4.splat(seed + 9), c10 = f32x4.splat(seed + 10), c11 = f32x4.splat(seed + 11);
  for (let i = 0; i < iters; i++) {
    c0 = madd(c0, b, a); c1 = madd(c1, b, a); c2 = madd(c2, b, a); c3 = madd(c3, b, a);
    c4 = madd(c4, b, a); c5 = madd(c5, b, a); c6 = madd(c6, b, a); c7 = madd(c7, b, a);
    c8 = madd(c8, b, a); c9 = madd(c9, b, a); c10 = madd(c10, b, a); c11 = madd(c11, b, a);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11)));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 3);
}

/**
 * Run `iters` rounds of 6 independent multiply chains and 6 independent add chains (4 flops
 * per f32x4 op). Pass `scale` = 1 at run time: the products neither decay into (slow)
 * denormals nor can the compiler fold the multiply away.
 */
export function peakSplit(iters: i32, seed: f32, scale: f32): f32 {
  const a = f32x4.splat(seed * 1e-3);
  const b = f32x4.splat(scale);
  let m0 = f32x4.splat(seed), m1 = f32x4.splat(seed + 1), m2 = f32x4.splat(seed + 2), m3 = f32x4.splat(seed + 3);
  let m4 = f32x4.splat(seed + 4), m5 = f32x4.splat(seed + 5);
  let s0 = f32x4.splat(seed), s1 = f32x4.splat(seed + 1), s2 = f32x4.splat(seed + 2), s3 = f32x4.splat(seed + 3);
  let s4 = f32x4.splat(seed + 4), s5 = f32x4.splat(seed + 5);
  for (let i = 0; i < iters; i++) {
    m0 = f32x4.mul(m0, b); s0 = f32x4.add(s0, a); m1 = f32x4.mul(m1, b); s1 = f32x4.add(s1, a);
    m2 = f32x4.mul(m2, b); s2 = f32x4.add(s2, a); m3 = f32x4.mul(m3, b); s3 = f32x4.add(s3, a);
    m4 = f32x4.mul(m4, b); s4 = f32x4.add(s4, a); m5 = f32x4.mul(m5, b); s5 = f32x4.add(s5, a);
  }
  const m = f32x4.add(f32x4.add(f32x4.add(m0, m1), f32x4.add(m2, m3)), f32x4.add(m4, m5));
  const s = f32x4.add(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)), f32x4.add(s4, s5));
  const t = f32x4.add(m, s);
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 3);
}
