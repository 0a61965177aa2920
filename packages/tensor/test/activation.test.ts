// Activation functions composed from primitives: hand and closed-form values, extreme
// inputs (no overflow in unused branches, no NaN from huge logits), dtypes and errors.
import { describe, expect, it } from "vitest";
import { type Primitive, type Tensor, ValueError, elu, gelu, leakyRelu, relu, setObserver, silu, slice, softplus, tensor } from "../src/index.js";
import { expectClose, expectError, expectValues } from "./backend/backends.js";

const f64 = (data: number[]) => tensor(data, { dtype: "float64" });
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)));

/** Outputs of every `prim` dispatched while `fn` runs (seen through a temporary observer). */
function intermediates(prim: Primitive, fn: () => unknown): Tensor[] {
  const outs: Tensor[] = [];
  const previous = setObserver({ record: (p, _inputs, _attrs, out) => void (p === prim && outs.push(out)), tracks: () => false });
  try {
    fn();
  } finally {
    setObserver(previous);
  }
  return outs;
}

describe("relu", () => {
  it("zeroes negatives and keeps NaN, int32 and 0-d", () => {
    expectValues(relu(tensor([-1, 0, 2, NaN, -Infinity])), "float32", [0, 0, 2, NaN, 0]);
    expectValues(relu(tensor([-3, 3], { dtype: "int32" })), "int32", [0, 3]);
    expectValues(relu(tensor(-2)), "float32", 0);
  });
});

describe("leakyRelu", () => {
  it("scales negatives by 0.01 by default and by a given slope", () => {
    expectClose(leakyRelu(tensor([-2, 0, 3, NaN])), [-0.02, 0, 3, NaN]);
    expectClose(leakyRelu(f64([-2, 5]), 0.2), [-0.4, 5], { rtol: 1e-15 });
    expect(leakyRelu(f64([-2])).dtype).toBe("float64");
  });

  it("refuses a non-finite slope", () => {
    expectError(() => leakyRelu(tensor([1]), NaN), ValueError, "leakyRelu: negativeSlope must be a finite number, got NaN", {
      op: "leakyRelu",
      got: NaN,
    });
  });
});

describe("elu", () => {
  it("is x above 0 and alpha * (e^x - 1) below", () => {
    expectClose(elu(f64([1, 0, -1, -1000])), [1, 0, -0.6321205588285577, -1], { rtol: 1e-12 });
    expectClose(elu(f64([-1, 3]), 2), [-1.2642411176571153, 3], { rtol: 1e-12 });
  });

  it("gives 1000 for 1000, not NaN from an overflowing unused branch", () => {
    expectValues(elu(tensor([1000, 89, Infinity])), "float32", [1000, 89, Infinity]);
  });

  it("never computes an infinite exponential in the unused branch (its gradient would be NaN)", () => {
    const exps = intermediates("expm1", () => elu(tensor([1000, 89])));
    expect(exps).toHaveLength(1);
    expect(exps[0]!.isFinite().all().item()).toBe(1);
  });

  it("propagates NaN and refuses a non-finite alpha", () => {
    expectValues(elu(tensor([NaN])), "float32", [NaN]);
    expectError(() => elu(tensor([1]), Infinity), ValueError, "elu: alpha must be a finite number, got Infinity", { op: "elu" });
  });
});

describe("gelu", () => {
  it("matches x * Φ(x) with the exact erf form", () => {
    const x = f64([1, -1, 2, -3, 0.5, 0]);
    // Φ(1) = 0.8413447460685429, Φ(2) = 0.9772498680518208, Φ(-3) = 0.0013498980316301, Φ(0.5) = 0.6914624612740131
    const expected = [0.8413447460685429, -0.1586552539314571, 1.9544997361036416, -0.0040496940948903, 0.3457312306370066, 0];
    expectClose(gelu(x), expected, { rtol: 1e-7, atol: 1e-12 });
    expectClose(gelu(tensor([1, -1])), [0.8413447461, -0.1586552539], { rtol: 1e-6 });
  });

  it("matches the closed-form tanh approximation", () => {
    const xs = [1, -1, 2, -3, 0.5, 0, 6, -6];
    expectClose(gelu(f64(xs), { approximate: "tanh" }), xs.map(geluTanh), { rtol: 1e-12, atol: 1e-15 });
    expectClose(gelu(tensor([1, -1]), { approximate: "tanh" }), [0.8411919906, -0.1588080094], { rtol: 1e-6 });
  });

  it("saturates to x and 0 for large |x|", () => {
    expectValues(gelu(tensor([50, -50])), "float32", [50, -0]);
    expectValues(gelu(tensor([50, -50]), { approximate: "tanh" }), "float32", [50, -0]);
  });

  it("gives float32 for int32 input", () => {
    expectClose(gelu(tensor([1], { dtype: "int32" })), [0.8413447461]);
    expect(gelu(tensor([1], { dtype: "int32" })).dtype).toBe("float32");
  });
});

describe("silu", () => {
  it("is x * sigmoid(x)", () => {
    expectClose(silu(f64([1, -1, 3, 0])), [0.7310585786300049, -0.2689414213699951, 2.8577223804673, 0], { rtol: 1e-12 });
  });

  it("is x for large x and -0 for very negative x", () => {
    expectValues(silu(tensor([1000, -1000])), "float32", [1000, -0]);
  });
});

describe("softplus", () => {
  it("is log(1 + e^x) by default", () => {
    expectClose(softplus(f64([0, 1, -1, 3])), [0.6931471805599453, 1.3132616875182228, 0.31326168751822286, 3.048587351573742], { rtol: 1e-12 });
  });

  it("divides by beta: log(1 + e^(βx)) / β", () => {
    expectClose(softplus(f64([1]), { beta: 2 }), [1.0634640055214863], { rtol: 1e-12 });
  });

  it("is linear above the threshold (on βx)", () => {
    expectValues(softplus(tensor([30, 21])), "float32", [30, 21]);
    expectValues(softplus(f64([5]), { threshold: 4 }), "float64", [5]);
    expectValues(softplus(f64([3]), { beta: 2, threshold: 4 }), "float64", [3]);
    expectClose(softplus(f64([3]), { threshold: 4 }), [3.048587351573742], { rtol: 1e-12 });
  });

  it("never computes an infinite exponential for large x", () => {
    const exps = intermediates("exp", () => softplus(tensor([1000, 88.5])));
    expect(exps).toHaveLength(1);
    expect(exps[0]!.isFinite().all().item()).toBe(1);
  });

  it("gives about 0 for very negative x, never NaN", () => {
    expectClose(softplus(f64([-30])), [9.357622968839737e-14], { rtol: 1e-9, atol: 0 });
    expectValues(softplus(tensor([-1000, -Infinity])), "float32", [0, 0]);
  });

  it("reads strided input, keeps float64 and gives float32 for int32", () => {
    const x = slice(f64([0, 99, 1, 99]), 0, 0, undefined, 2);
    expectClose(softplus(x), [0.6931471805599453, 1.3132616875182228], { rtol: 1e-12 });
    expect(softplus(x).dtype).toBe("float64");
    expect(softplus(tensor([0], { dtype: "int32" })).dtype).toBe("float32");
  });

  it("refuses non-finite beta and threshold", () => {
    expectError(() => softplus(tensor([1]), { beta: NaN }), ValueError, "softplus: beta must be a finite number, got NaN", { op: "softplus" });
    expect(() => softplus(tensor([1]), { threshold: Infinity })).toThrow(ValueError);
  });
});

describe("activation inputs", () => {
  it.each([
    ["relu", relu],
    ["leakyRelu", (x: never) => leakyRelu(x)],
    ["elu", (x: never) => elu(x)],
    ["gelu", (x: never) => gelu(x)],
    ["silu", silu],
    ["softplus", (x: never) => softplus(x)],
  ])("%s refuses a non-tensor input", (name, fn) => {
    expectError(() => fn(1 as never), ValueError, `${name}: input must be a Tensor, got number`, { op: name, got: "number" });
  });

  it("computes on a transposed view like on its contiguous copy", () => {
    const x = tensor([[-2, -0.5], [0.5, 2]]).mT;
    for (const fn of [relu, silu, (t: typeof x) => gelu(t), (t: typeof x) => elu(t), (t: typeof x) => softplus(t), (t: typeof x) => leakyRelu(t)]) {
      expect(fn(x).toArray()).toEqual(fn(x.contiguous()).toArray());
    }
  });
});
