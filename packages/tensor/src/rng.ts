// Seeded random numbers: xoshiro128** seeded through splitmix32; the same seed gives the
// same numbers in every JS engine and on every backend (random draws never run in a kernel).

/**
 * A seeded pseudo-random generator.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna) over four 32-bit words, seeded by running
 * splitmix32 four times from the 32-bit seed. Uniform float32 draws take the top 24 bits
 * (`u = k / 2^24`, in [0, 1)); float64 draws combine two words into 53 bits. Normal draws
 * use the Box–Muller transform on (1 - u1, u2), two normals per pair of uniforms.
 *
 * @example
 * const rng = new Rng(42);
 * rng.uniform(); // 0.6606...
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | undefined;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Reset the state from a seed (any finite number; its low 32 bits are used). */
  seed(seed: number): void {
    let x = Number.isFinite(seed) ? Math.trunc(seed) >>> 0 : 0;
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareNormal = undefined;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = rotl(n3, 11);
    this.s0 = n0 | 0;
    this.s1 = n1 | 0;
    this.s2 = n2 | 0;
    this.s3 = n3 | 0;
    return r;
  }

  /** Uniform float in [0, 1) with 24 random bits (exactly representable in float32). */
  uniform(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  uniform53(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal draw (Box–Muller, caching the second value of each pair). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    const u1 = 1 - this.uniform53();
    const u2 = this.uniform53();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [low, high) without modulo bias. */
  int(low: number, high: number): number {
    const range = high - low;
    if (range <= 0) return low;
    if (range > 0x100000000) return low + Math.floor(this.uniform53() * range);
    const limit = 0x100000000 - (0x100000000 % range);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return low + (x % range);
    }
  }

  /** An independent generator derived from this one's next output. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

let globalRng = new Rng(0);

/** Re-seed the global generator used when an op is not given an explicit `rng`. */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/** The global generator (seeded with 0 at load, or by {@link manualSeed}). */
export function defaultRng(): Rng {
  return globalRng;
}
