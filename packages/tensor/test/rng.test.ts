// The seeded generator: xoshiro128** seeded by splitmix32, its uniform/normal/int draws,
// fork and the global generator behind manualSeed.
import { describe, expect, it } from "vitest";
import { Rng, defaultRng, manualSeed } from "../src/index.js";

const draw = (rng: Rng, n: number, f: (r: Rng) => number) => Array.from({ length: n }, () => f(rng));

describe("Rng", () => {
  // Expected words come from an independent Python implementation of splitmix32 seeding
  // and xoshiro128** (Blackman & Vigna), checked against the reference vector
  // state [1, 2, 3, 4] -> 11520, 0, 5927040, 70819200.
  it("matches the reference xoshiro128** stream seeded by splitmix32", () => {
    expect(draw(new Rng(42), 4, (r) => r.nextUint32())).toEqual([2837322924, 544945897, 479756282, 3500138142]);
    expect(draw(new Rng(0), 4, (r) => r.nextUint32())).toEqual([3809008728, 1133695204, 53579671, 2891528803]);
    expect(draw(new Rng(), 1, (r) => r.nextUint32())).toEqual([3809008728]);
  });

  it("uses the low 32 bits of the truncated seed, and 0 for non-finite seeds", () => {
    const first = (seed: number) => new Rng(seed).nextUint32();
    expect(first(-1)).toBe(first(2 ** 32 - 1));
    expect(first(-1)).toBe(835879718);
    expect(first(2 ** 32 + 42)).toBe(first(42));
    expect(first(42.9)).toBe(first(42));
    expect(first(NaN)).toBe(first(0));
    expect(first(Infinity)).toBe(first(0));
    expect(first(1)).not.toBe(first(0));
  });

  it("is deterministic: two generators with one seed agree on every kind of draw", () => {
    const a = new Rng(2024);
    const b = new Rng(2024);
    for (let i = 0; i < 200; i++) {
      expect(a.uniform()).toBe(b.uniform());
      expect(a.uniform53()).toBe(b.uniform53());
      expect(a.normal()).toBe(b.normal());
      expect(a.int(-5, 17)).toBe(b.int(-5, 17));
    }
  });

  it("uniform() takes the top 24 bits: k / 2^24 in [0, 1), exact in float32", () => {
    const words = draw(new Rng(42), 1000, (r) => r.nextUint32());
    const us = draw(new Rng(42), 1000, (r) => r.uniform());
    expect(us[0]).toBe(0.6606156826019287);
    for (let i = 0; i < us.length; i++) expect(us[i]).toBe((words[i]! >>> 8) / 2 ** 24);
    expect(us.every((u) => u >= 0 && u < 1 && Math.fround(u) === u && Number.isInteger(u * 2 ** 24))).toBe(true);
  });

  it("uniform53() combines two words into 53 bits in [0, 1)", () => {
    const rng = new Rng(5);
    const [hi, lo] = draw(new Rng(5), 2, (r) => r.nextUint32());
    expect(rng.uniform53()).toBe(((hi! >>> 5) * 2 ** 26 + (lo! >>> 6)) / 2 ** 53);
    const us = draw(rng, 2000, (r) => r.uniform53());
    expect(us.every((u) => u >= 0 && u < 1 && Number.isInteger(u * 2 ** 53))).toBe(true);
    expect(us.some((u) => !Number.isInteger(u * 2 ** 32))).toBe(true);
  });

  it("uniform draws have mean 1/2 and variance 1/12", () => {
    const us = draw(new Rng(11), 20000, (r) => r.uniform());
    const m = us.reduce((a, b) => a + b, 0) / us.length;
    const v = us.reduce((a, b) => a + (b - m) ** 2, 0) / us.length;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(v - 1 / 12)).toBeLessThan(0.003);
  });

  it("normal() is Box-Muller on (1 - u1, u2), returning the cos value then the cached sin value", () => {
    const ref = new Rng(3);
    const u1 = 1 - ref.uniform53();
    const u2 = ref.uniform53();
    const r = Math.sqrt(-2 * Math.log(u1));
    const rng = new Rng(3);
    expect(rng.normal()).toBe(r * Math.cos(2 * Math.PI * u2));
    expect(rng.normal()).toBe(r * Math.sin(2 * Math.PI * u2));
    // The pair consumed exactly four words.
    expect(rng.nextUint32()).toBe(ref.nextUint32());
  });

  it("normal draws have mean 0 and variance 1", () => {
    const xs = draw(new Rng(12), 20000, (r) => r.normal());
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.04);
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  it("seed() resets the stream and drops a cached normal", () => {
    const rng = new Rng(8);
    const first = rng.normal();
    rng.normal();
    rng.seed(8);
    expect(rng.normal()).toBe(first);
    rng.seed(8);
    rng.normal(); // caches the second value of the pair
    rng.seed(9);
    expect(rng.normal()).toBe(new Rng(9).normal());
  });

  it("int(low, high) stays in [low, high) and hits every value", () => {
    const xs = draw(new Rng(13), 7000, (r) => r.int(-3, 4));
    expect(xs.every((x) => Number.isInteger(x) && x >= -3 && x < 4)).toBe(true);
    const counts = new Array<number>(7).fill(0);
    for (const x of xs) counts[x + 3]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it("int() is unbiased where a plain modulo would not be", () => {
    // With range 3 * 2^30, `word % range` maps two quarters of the words onto [0, 2^30),
    // so a biased generator lands there half of the time instead of a third.
    const range = 3 * 2 ** 30;
    const xs = draw(new Rng(14), 6000, (r) => r.int(0, range));
    expect(xs.every((x) => x >= 0 && x < range)).toBe(true);
    const low = xs.filter((x) => x < 2 ** 30).length / xs.length;
    expect(Math.abs(low - 1 / 3)).toBeLessThan(0.03);
  });

  it("int() handles ranges of one value, 2^32 values and more", () => {
    const rng = new Rng(15);
    expect(draw(rng, 5, (r) => r.int(7, 8))).toEqual([7, 7, 7, 7, 7]);
    expect(rng.int(4, 4)).toBe(4);
    const full = draw(rng, 100, (r) => r.int(0, 2 ** 32));
    expect(full.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
    const wide = draw(rng, 100, (r) => r.int(-(2 ** 40), 2 ** 40));
    expect(wide.every((x) => Number.isInteger(x) && x >= -(2 ** 40) && x < 2 ** 40)).toBe(true);
    expect(wide.some((x) => Math.abs(x) > 2 ** 32)).toBe(true);
  });

  it("fork() seeds a child from the parent's next word and advances the parent by one", () => {
    const parent = new Rng(21);
    const child = parent.fork();
    const ref = new Rng(21);
    const word = ref.nextUint32();
    expect(draw(child, 5, (r) => r.nextUint32())).toEqual(draw(new Rng(word), 5, (r) => r.nextUint32()));
    expect(parent.nextUint32()).toBe(ref.nextUint32());
  });

  it("fork() gives streams that differ from the parent and from each other", () => {
    const parent = new Rng(22);
    const a = parent.fork();
    const b = parent.fork();
    const sa = draw(a, 8, (r) => r.nextUint32());
    const sb = draw(b, 8, (r) => r.nextUint32());
    const sp = draw(parent, 8, (r) => r.nextUint32());
    expect(sa).not.toEqual(sb);
    expect(sa).not.toEqual(sp);
    expect(new Set([...sa, ...sb, ...sp]).size).toBe(24);
  });
});

describe("manualSeed and defaultRng", () => {
  it("replace the global generator with a freshly seeded one", () => {
    manualSeed(77);
    const g = defaultRng();
    const a = draw(g, 3, (r) => r.uniform());
    expect(a).toEqual(draw(new Rng(77), 3, (r) => r.uniform()));
    manualSeed(77);
    expect(defaultRng()).not.toBe(g);
    expect(draw(defaultRng(), 3, (r) => r.uniform())).toEqual(a);
  });

  it("keep one generator between calls, so draws continue the stream", () => {
    manualSeed(78);
    const first = defaultRng().uniform();
    const second = defaultRng().uniform();
    const ref = new Rng(78);
    expect([first, second]).toEqual([ref.uniform(), ref.uniform()]);
  });
});
