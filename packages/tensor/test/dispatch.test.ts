// The dispatch choke point: kernel tracing, provider registration/fallback/priority, provider
// failures as BackendError, and the observer that sees every compute and view primitive.
import { afterEach, describe, expect, it } from "vitest";
import {
  BackendError,
  type DispatchObserver,
  type KernelProvider,
  type Primitive,
  ShapeError,
  type Tensor,
  VIEW_PRIMITIVES,
  add,
  dispatch,
  getObserver,
  jsProvider,
  listProviders,
  matmul,
  registerProvider,
  setObserver,
  slice,
  sum,
  tensor,
  traceKernels,
  unregisterProvider,
  zeros,
} from "../src/index.js";
import { expectError, expectValues } from "./backend/backends.js";

/** A provider whose `add` fills the output with `value`, optionally only when `accepts` says so. */
function fillingProvider(name: string, value: number, accepts?: (inputs: readonly Tensor[]) => boolean): KernelProvider {
  return { name, kernels: { add: { accepts, run: (_inputs, _attrs, out) => void out.storage.data.fill(value) } } };
}

const registered: string[] = [];
function use(provider: KernelProvider): void {
  registerProvider(provider);
  registered.push(provider.name);
}

let previousObserver: DispatchObserver | undefined;
let observed = false;
/** Install a recording observer (restored after the test); returns its log. */
function observe(): { prim: Primitive; inputs: readonly Tensor[]; attrs: unknown; out: Tensor }[] {
  const log: { prim: Primitive; inputs: readonly Tensor[]; attrs: unknown; out: Tensor }[] = [];
  previousObserver = setObserver({ record: (prim, inputs, attrs, out) => void log.push({ prim, inputs, attrs, out }), tracks: () => false });
  observed = true;
  return log;
}

afterEach(() => {
  while (registered.length > 0) unregisterProvider(registered.pop()!);
  if (observed) setObserver(previousObserver);
  observed = false;
});

describe("traceKernels", () => {
  it("reports each primitive with the provider that ran it, and views as 'view'", () => {
    const x = tensor([[1, 2], [3, 4]]);
    const { result, calls } = traceKernels(() => sum(x.mT.mul(2), 1));
    expectValues(result, "float32", [8, 12]);
    expect(calls).toEqual([
      { prim: "permute", provider: "view" },
      { prim: "mul", provider: "js" },
      { prim: "sum", provider: "js" },
      { prim: "reshape", provider: "view" },
    ]);
  });

  it("reports nested traces to the outer trace too", () => {
    const x = tensor([1, 2]);
    const outer = traceKernels(() => {
      const inner = traceKernels(() => add(x, 1));
      expect(inner.calls).toEqual([{ prim: "add", provider: "js" }]);
      return x.neg();
    });
    expect(outer.calls.map((c) => c.prim)).toEqual(["add", "neg"]);
  });

  it("stops tracing when the traced function throws", () => {
    expect(() => traceKernels(() => add(zeros([2]), zeros([3])))).toThrow(ShapeError);
    const { calls } = traceKernels(() => zeros([1]).exp());
    expect(calls).toEqual([{ prim: "exp", provider: "js" }]);
  });
});

describe("providers", () => {
  const f32 = () => tensor([1, 2]);
  const f64 = () => tensor([1, 2], { dtype: "float64" });

  it("lists no accelerated provider by default, only js", () => {
    expect(listProviders()).toEqual(["js"]);
  });

  it("uses a provider's kernel when it accepts the call", () => {
    use(fillingProvider("fake", 42, (inputs) => inputs.every((t) => t.dtype === "float32")));
    expect(listProviders()).toEqual(["fake", "js"]);
    const { result, calls } = traceKernels(() => add(f32(), f32()));
    expectValues(result, "float32", [42, 42]);
    expect(calls).toEqual([{ prim: "add", provider: "fake" }]);
  });

  it("falls back to js per kernel when the provider refuses or lacks the kernel", () => {
    use(fillingProvider("fake", 42, (inputs) => inputs.every((t) => t.dtype === "float32")));
    const { result, calls } = traceKernels(() => add(f64(), f64()));
    expectValues(result, "float64", [2, 4]);
    expect(calls).toEqual([{ prim: "add", provider: "js" }]);
    expect(traceKernels(() => f32().mul(f32())).calls).toEqual([{ prim: "mul", provider: "js" }]);
  });

  it("passes inputs, attrs and the allocated output to accepts and run", () => {
    const seen: unknown[] = [];
    use({
      name: "probe",
      kernels: {
        sum: {
          accepts: (inputs, attrs, out) => {
            seen.push([inputs[0]!.shape, attrs.axes, out.shape, out.dtype]);
            return true;
          },
          run: (_inputs, _attrs, out) => void out.storage.data.fill(7),
        },
      },
    });
    expectValues(sum(zeros([2, 3]), 1), "float32", [7, 7]);
    expect(seen).toEqual([[[2, 3], [1], [2, 1], "float32"]]);
  });

  it("prefers the provider registered last and falls back through earlier ones", () => {
    use(fillingProvider("first", 1));
    use(fillingProvider("second", 2, (inputs) => inputs[0]!.size > 1));
    expect(listProviders()).toEqual(["second", "first", "js"]);
    expectValues(add(f32(), f32()), "float32", [2, 2]);
    expectValues(add(tensor([5]), tensor([5])), "float32", [1]);
  });

  it("replaces a provider registered again under the same name and makes it most preferred", () => {
    use(fillingProvider("a", 1));
    use(fillingProvider("b", 2));
    use(fillingProvider("a", 3));
    expect(listProviders()).toEqual(["a", "b", "js"]);
    expectValues(add(f32(), f32()), "float32", [3, 3]);
  });

  it("unregisters providers by name", () => {
    use(fillingProvider("fake", 42));
    expect(unregisterProvider("fake")).toBe(true);
    expect(unregisterProvider("fake")).toBe(false);
    expect(listProviders()).toEqual(["js"]);
    expect(traceKernels(() => add(f32(), f32())).calls).toEqual([{ prim: "add", provider: "js" }]);
  });

  it("turns a plain Error thrown by a provider kernel into a BackendError naming the provider", () => {
    use({ name: "broken", kernels: { add: { run: () => { throw new Error("boom"); } } } });
    const err = expectError(() => add(zeros([2]), zeros([2, 1])), BackendError, "add: provider 'broken' failed on [2], [2, 1] (boom)", {
      op: "add",
      shapes: [[2], [2, 1]],
      got: "broken",
      name: "BackendError",
    });
    expect(err.shapes).toEqual([[2], [2, 1]]);
  });

  it("wraps non-Error throws and lets TensorErrors through unchanged", () => {
    const throwString = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a foreign kernel may throw anything
      throw "bad";
    };
    use({ name: "strings", kernels: { neg: { run: throwString } } });
    expect(() => zeros([1]).neg()).toThrow("neg: provider 'strings' failed on [1] (bad)");
    const own = new ShapeError("exp: refused", { op: "exp" });
    use({ name: "typed", kernels: { exp: { run: () => { throw own; } } } });
    expect(() => zeros([1]).exp()).toThrow(own);
  });

  it("lets the js reference implement every compute primitive but no view", () => {
    const names = Object.keys(jsProvider.kernels);
    expect(jsProvider.name).toBe("js");
    for (const v of VIEW_PRIMITIVES) expect(names).not.toContain(v);
    for (const p of ["neg", "add", "where", "cast", "copy", "sum", "softmax", "matmul", "gather", "scatterAdd", "cat", "pad"]) expect(names).toContain(p);
  });
});

describe("dispatch", () => {
  it("allocates a contiguous output of the given shape and dtype and runs the kernel", () => {
    const out = dispatch("add", [tensor([1, 2]), tensor(3)], {}, [2], "float32");
    expectValues(out, "float32", [4, 5]);
    expect(out.isContiguous).toBe(true);
  });
});

describe("the observer", () => {
  it("is returned by setObserver and getObserver", () => {
    const o: DispatchObserver = { record: () => undefined, tracks: () => false };
    const before = getObserver();
    expect(setObserver(o)).toBe(before);
    expect(getObserver()).toBe(o);
    expect(setObserver(before)).toBe(o);
    expect(getObserver()).toBe(before);
  });

  it("sees a compute primitive with its inputs, attrs and output", () => {
    const log = observe();
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    const y = add(a, b);
    expect(log).toHaveLength(1);
    expect(log[0]!.prim).toBe("add");
    expect(log[0]!.inputs[0]).toBe(a);
    expect(log[0]!.inputs[1]).toBe(b);
    expect(log[0]!.attrs).toEqual({});
    expect(log[0]!.out).toBe(y);
  });

  it("sees view primitives with their attributes, in order", () => {
    const log = observe();
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    x.mT.add(1);
    sum(x, 1);
    slice(x, 1, undefined, undefined, -1);
    slice(x, 1, 0, undefined, 2);
    x.expand(2, 2, 3);
    x.unfold(1, 2, 1);
    x.reshape(3, 2);
    expect(log.map((r) => [r.prim, r.attrs])).toEqual([
      ["permute", { dims: [1, 0] }],
      ["add", {}],
      ["sum", { axes: [1] }],
      ["reshape", { shape: [2] }],
      ["flip", { axes: [1] }],
      ["slice", { starts: [0, 0], steps: [1, 2], sizes: [2, 2] }],
      ["expand", { shape: [2, 2, 3] }],
      ["unfold", { axis: 1, size: 2, step: 1 }],
      ["reshape", { shape: [3, 2] }],
    ]);
    expect(log[0]!.inputs[0]).toBe(x);
    expect(log[1]!.inputs[0]).toBe(log[0]!.out);
    for (const r of log.filter((v) => (VIEW_PRIMITIVES as readonly string[]).includes(v.prim))) expect(r.out.storage).toBe(r.inputs[0]!.storage);
  });

  it("sees the broadcast views matmul passes to its kernel", () => {
    const log = observe();
    matmul(zeros([2, 3]), zeros([4, 3, 5]));
    const mm = log.find((r) => r.prim === "matmul")!;
    expect(mm.inputs.map((t) => t.shape)).toEqual([[4, 2, 3], [4, 3, 5]]);
    expect(mm.inputs[0]!.strides[0]).toBe(0);
    expect(log.map((r) => r.prim)).toEqual(["expand", "matmul"]);
  });
});

describe("reserved provider names", () => {
  it("refuses to register a provider named js, which would shadow the reference kernels", () => {
    const e = (() => {
      try {
        registerProvider({ name: "js", kernels: {} });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(BackendError);
    expect((e as BackendError).op).toBe("registerProvider");
    expect(listProviders()).toEqual(["js"]);
  });
});
