// Property tests (fast-check, seeded, bounded): view chains (incl. unfold) against a nested-array model
// and against materialised copies, broadcasting against explicit expand, reshape and
// cat/split round trips.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Tensor, add, arange, cat, chunk, gt, maximum, mul, split, stack, tensor, unbind } from "../src/index.js";

const RUNS = { seed: 20240601, numRuns: 100 };

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

// ---- a reference model: shape + row-major values, and index-mapping versions of each op ----

interface Model {
  shape: number[];
  data: number[];
}

/** out[idx] = m[source(idx)] for every index of `shape`. */
function mapModel(m: Model, shape: number[], source: (idx: number[]) => number[]): Model {
  const data: number[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  const inStrides = m.shape.map((_, i) => numel(m.shape.slice(i + 1)));
  for (let k = 0; k < numel(shape); k++) {
    let rem = k;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    data.push(m.data[source(idx).reduce((acc, v, i) => acc + v * inStrides[i]!, 0)]!);
  }
  return { shape, data };
}

function nest(m: Model): unknown {
  const rec = (d: number, off: number): unknown => {
    if (d === m.shape.length) return m.data[off];
    const inner = numel(m.shape.slice(d + 1));
    return Array.from({ length: m.shape[d]! }, (_, i) => rec(d + 1, off + i * inner));
  };
  return rec(0, 0);
}

/** Python's `range(n)[start:end:step]`, from the CPython rules. */
function pyRange(n: number, start: number | undefined, end: number | undefined, step: number): number[] {
  const adjust = (v: number | undefined, dflt: number, lo: number, hi: number) =>
    v === undefined ? dflt : Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  const out: number[] = [];
  if (step > 0) for (let i = adjust(start, 0, 0, n); i < adjust(end, n, 0, n); i += step) out.push(i);
  else for (let i = adjust(start, n - 1, -1, n - 1); i > adjust(end, -1, -1, n - 1); i += step) out.push(i);
  return out;
}

// ---- movement ops, drawn shape-independently and resolved against the current shape ----

type Op =
  | { kind: "permute"; keys: number[] }
  | { kind: "transpose"; a: number; b: number }
  | { kind: "slice"; dim: number; start: number | undefined; end: number | undefined; step: number }
  | { kind: "expand"; sizes: number[]; lead: number }
  | { kind: "flip"; mask: number }
  | { kind: "unsqueeze"; dim: number }
  | { kind: "select"; dim: number; index: number }
  | { kind: "unfold"; dim: number; size: number; step: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("permute" as const), keys: fc.array(fc.nat(100), { minLength: 6, maxLength: 6 }) }),
  fc.record({ kind: fc.constant("transpose" as const), a: fc.nat(11), b: fc.nat(11) }),
  fc.record({
    kind: fc.constant("slice" as const),
    dim: fc.nat(11),
    start: fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined }),
    end: fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined }),
    step: fc.constantFrom(-3, -2, -1, 1, 2, 3),
  }),
  fc.record({ kind: fc.constant("expand" as const), sizes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }), lead: fc.nat(2) }),
  fc.record({ kind: fc.constant("flip" as const), mask: fc.nat(63) }),
  fc.record({ kind: fc.constant("unsqueeze" as const), dim: fc.nat(13) }),
  fc.record({ kind: fc.constant("select" as const), dim: fc.nat(11), index: fc.nat(11) }),
  fc.record({ kind: fc.constant("unfold" as const), dim: fc.nat(11), size: fc.nat(3), step: fc.integer({ min: 1, max: 3 }) }),
);

/** A concrete op for `shape` (or undefined when it does not apply), on tensors and on the model. */
function resolve(op: Op, shape: readonly number[]): { tensor: (x: Tensor) => Tensor; model: (m: Model) => Model } | undefined {
  const nd = shape.length;
  switch (op.kind) {
    case "permute": {
      const perm = Array.from({ length: nd }, (_, i) => i).sort((a, b) => op.keys[a]! - op.keys[b]! || a - b);
      return {
        tensor: (x) => x.permute(perm),
        model: (m) => mapModel(m, perm.map((p) => m.shape[p]!), (idx) => perm.map((_, i) => idx[perm.indexOf(i)]!)),
      };
    }
    case "transpose": {
      if (nd < 1) return undefined;
      const a = (op.a % (2 * nd)) - nd;
      const b = (op.b % (2 * nd)) - nd;
      const pa = a < 0 ? a + nd : a;
      const pb = b < 0 ? b + nd : b;
      const swap = (idx: number[]) => idx.map((v, i) => (i === pa ? idx[pb]! : i === pb ? idx[pa]! : v));
      return { tensor: (x) => x.transpose(a, b), model: (m) => mapModel(m, swap(m.shape), swap) };
    }
    case "slice": {
      if (nd < 1) return undefined;
      const d = op.dim % nd;
      const picked = pyRange(shape[d]!, op.start, op.end, op.step);
      return {
        tensor: (x) => x.slice(d, op.start, op.end, op.step),
        model: (m) => mapModel(m, m.shape.map((s, i) => (i === d ? picked.length : s)), (idx) => idx.map((v, i) => (i === d ? picked[v]! : v))),
      };
    }
    case "expand": {
      const target = [...op.sizes.slice(0, op.lead), ...shape.map((s, i) => (s === 1 ? op.sizes[i]! : s))];
      if (target.length > 6 || numel(target) > 2000) return undefined;
      return { tensor: (x) => x.expand(target), model: (m) => mapModel(m, target, (idx) => idx.slice(op.lead).map((v, i) => (m.shape[i] === 1 ? 0 : v))) };
    }
    case "flip": {
      const dims = Array.from({ length: nd }, (_, i) => i).filter((i) => (op.mask >> i) & 1);
      return {
        tensor: (x) => x.flip(dims),
        model: (m) => mapModel(m, m.shape, (idx) => idx.map((v, i) => (dims.includes(i) ? m.shape[i]! - 1 - v : v))),
      };
    }
    case "unsqueeze": {
      if (nd >= 6) return undefined;
      const dim = (op.dim % (2 * (nd + 1))) - (nd + 1);
      const at = dim < 0 ? dim + nd + 1 : dim;
      return {
        tensor: (x) => x.unsqueeze(dim),
        model: (m) => mapModel(m, [...m.shape.slice(0, at), 1, ...m.shape.slice(at)], (idx) => idx.filter((_, i) => i !== at)),
      };
    }
    case "select": {
      if (nd < 1 || shape[op.dim % nd] === 0) return undefined;
      const d = op.dim % nd;
      const n = shape[d]!;
      const index = (op.index % (2 * n)) - n;
      const at = index < 0 ? index + n : index;
      return {
        tensor: (x) => x.select(d, index),
        model: (m) => mapModel(m, m.shape.filter((_, i) => i !== d), (idx) => [...idx.slice(0, d), at, ...idx.slice(d)]),
      };
    }
    case "unfold": {
      // Windows may overlap (step < size): strided kernels must not merge such dims.
      if (nd < 1 || nd >= 6 || op.size > shape[op.dim % nd]!) return undefined;
      const d = op.dim % nd;
      const count = Math.floor((shape[d]! - op.size) / op.step) + 1;
      return {
        tensor: (x) => x.unfold(d, op.size, op.step),
        model: (m) =>
          mapModel(m, [...m.shape.map((s, i) => (i === d ? count : s)), op.size], (idx) =>
            idx.slice(0, nd).map((v, i) => (i === d ? v * op.step + idx[nd]! : v)),
          ),
      };
    }
  }
}

const shapeArb = (minDims: number, maxDims: number, maxSize = 4) => fc.array(fc.integer({ min: 0, max: maxSize }), { minLength: minDims, maxLength: maxDims });

describe("view chains", () => {
  it("match a nested-array model and share the input's storage", () => {
    fc.assert(
      fc.property(shapeArb(0, 3), fc.array(opArb, { maxLength: 8 }), (shape, ops) => {
        const x = arange(numel(shape)).reshape(shape);
        let y = x;
        let m: Model = { shape: [...shape], data: Array.from({ length: numel(shape) }, (_, i) => i) };
        for (const op of ops) {
          const r = resolve(op, y.shape);
          if (r === undefined || op.kind === "flip") continue; // flip copies; covered below
          y = r.tensor(y);
          m = r.model(m);
          expect(y.shape).toEqual(m.shape);
        }
        expect(y.storage).toBe(x.storage);
        expect(y.toArray()).toEqual(nest(m));
        expect(Array.from(y.data())).toEqual(m.data);
        expect(y.reshape(-1).toArray()).toEqual(m.data);
      }),
      RUNS,
    );
  });

  it("give the same values as the same op applied to a contiguous copy at every step", () => {
    fc.assert(
      fc.property(shapeArb(0, 3), fc.array(opArb, { maxLength: 8 }), (shape, ops) => {
        let y = arange(numel(shape)).reshape(shape).mul(2).sub(3);
        let m: Model = { shape: [...shape], data: Array.from(y.data()) };
        for (const op of ops) {
          const r = resolve(op, y.shape);
          if (r === undefined) continue;
          const copy = y.clone();
          expect(copy.isContiguous).toBe(true);
          const viaView = r.tensor(y);
          expect(viaView.toArray()).toEqual(r.tensor(copy).toArray());
          y = viaView;
          m = r.model(m);
        }
        expect(y.contiguous().toArray()).toEqual(nest(m));
        expect(y.clone().toArray()).toEqual(nest(m));
      }),
      RUNS,
    );
  });
});

// ---- broadcasting ----

/** NumPy broadcasting of two compatible shapes, written out for the test. */
function broadcastOf(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const sa = a[a.length - n + i] ?? 1;
    const sb = b[b.length - n + i] ?? 1;
    return sa === 1 ? sb : sa;
  });
}

/** Two operands whose shapes are suffixes of one shape with some dims set to 1. */
const broadcastCase = shapeArb(0, 4, 3).chain((out) => {
  const operand = fc
    .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
    .map(([drop, ones]) => out.slice(drop).map((s, i) => (ones[i + drop] ? 1 : s)));
  return fc.tuple(operand, operand).chain(([a, b]) =>
    fc.tuple(
      fc.array(fc.float(), { minLength: numel(a), maxLength: numel(a) }).map((v) => tensor(new Float32Array(v), { shape: a })),
      fc.array(fc.float(), { minLength: numel(b), maxLength: numel(b) }).map((v) => tensor(new Float32Array(v), { shape: b })),
      fc.boolean(),
    ),
  );
});

describe("broadcasting", () => {
  it("equals elementwise ops on explicitly expanded contiguous operands", () => {
    fc.assert(
      fc.property(broadcastCase, ([a0, b, transposeA]) => {
        // Optionally give `a` a transposed layout with the same values.
        const a = transposeA && a0.ndim >= 2 ? a0.mT.contiguous().mT : a0;
        const out = broadcastOf(a.shape, b.shape);
        const ea = a.expand(out).contiguous();
        const eb = b.expand(out).contiguous();
        for (const f of [add, mul, maximum, gt]) {
          const direct = f(a, b);
          expect(direct.shape).toEqual(out);
          expect(direct.toArray()).toEqual(f(ea, eb).toArray());
        }
      }),
      RUNS,
    );
  });
});

// ---- reshape ----

/** A shape and another with the same element count: its dims shuffled, merged and padded with 1s. */
const reshapeCase = shapeArb(0, 4).chain((shape) =>
  fc
    .tuple(
      fc.array(fc.nat(100), { minLength: shape.length, maxLength: shape.length }),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.array(fc.nat(4), { maxLength: 2 }),
      fc.option(fc.nat(10), { nil: undefined }),
      fc.boolean(),
    )
    .map(([keys, merges, ones, inferAt, transposed]) => {
      const order = shape.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
      const target: number[] = [];
      order.forEach((d, i) => {
        if (i > 0 && merges[i]) target[target.length - 1]! *= shape[d]!;
        else target.push(shape[d]!);
      });
      for (const at of ones) target.splice(at % (target.length + 1), 0, 1);
      const request = target.slice();
      if (inferAt !== undefined && request.length > 0) {
        const i = inferAt % request.length;
        if (numel(request.filter((_, k) => k !== i)) > 0) request[i] = -1;
      }
      return { shape, target, request, transposed };
    }),
);

describe("reshape", () => {
  it("round-trips through any shape with the same size, viewing contiguous data", () => {
    fc.assert(
      fc.property(reshapeCase, ({ shape, target, request, transposed }) => {
        const base = arange(numel(shape)).reshape(shape);
        const x = transposed && shape.length >= 2 ? base.mT.contiguous().mT : base;
        const y = x.reshape(request);
        expect(y.shape).toEqual(target);
        expect(y.data()).toEqual(x.data());
        expect(y.reshape(shape).toArray()).toEqual(x.toArray());
        if (x.isContiguous) {
          expect(y.storage).toBe(x.storage);
          expect(x.view(request).shape).toEqual(target);
        }
      }),
      RUNS,
    );
  });
});

// ---- cat / split / chunk / stack / unbind ----

/** A shape with 1-3 dims, a dim, and section sizes that sum to that dim. */
const splitCase = shapeArb(1, 3, 5).chain((shape) =>
  fc.integer({ min: 0, max: shape.length - 1 }).chain((d) =>
    fc.array(fc.boolean(), { minLength: shape[d]!, maxLength: shape[d]! }).chain((cuts) =>
      fc.tuple(fc.constant(shape), fc.constant(d), fc.constant(cuts), fc.integer({ min: 1, max: 6 }), fc.nat(2)),
    ),
  ),
);

describe("joins", () => {
  it("cat(split(x)) gives back x for any sections, sizes and chunk counts", () => {
    fc.assert(
      fc.property(splitCase, ([shape, d, cuts, size, empties]) => {
        const x = arange(numel(shape)).reshape(shape);
        const n = shape[d]!;
        // Sections: cut where `cuts` says, plus some empty sections.
        const sections: number[] = [];
        let run = 0;
        cuts.forEach((cut, i) => {
          run++;
          if (cut || i === n - 1) {
            sections.push(run);
            run = 0;
          }
        });
        for (let i = 0; i < empties; i++) sections.splice(i % (sections.length + 1), 0, 0);
        if (sections.length === 0) sections.push(0);
        const pieces = split(x, sections, d);
        expect(pieces.map((p) => p.shape[d])).toEqual(sections);
        expect(cat(pieces, d).toArray()).toEqual(x.toArray());
        expect(cat(split(x, size, d), d).toArray()).toEqual(x.toArray());
        const chunks = chunk(x, size, d);
        expect(chunks.length).toBeLessThanOrEqual(size);
        expect(cat(chunks, d).toArray()).toEqual(x.toArray());
        if (n > 0) expect(stack(unbind(x, d), d).toArray()).toEqual(x.toArray());
      }),
      RUNS,
    );
  });
});
