// The functional face (grad, valueAndGrad, vjp, jvp), customOp and checkpoint, all on the one engine.
import { describe, expect, it } from "vitest";
import { type Tensor, exp, matmul, sum, tanh, tensor } from "@seqlab/tensor";
import { GradError, checkpoint, customOp, grad, gradients, jvp, valueAndGrad, vjp } from "../src/index.js";

const f64 = (v: number[]): Tensor => tensor(v, { dtype: "float64" });

describe("grad and valueAndGrad", () => {
  it("differentiate a scalar function of one argument", () => {
    const g = grad((x: Tensor) => sum(x.mul(x)))(f64([1, 2])) as Tensor;
    expect(g.toArray()).toEqual([2, 4]);
  });

  it("select arguments with argnums and return the value", () => {
    const f = (x: Tensor, y: Tensor) => sum(x.mul(y));
    const { value, grads } = valueAndGrad(f, { argnums: [0, 1] })(f64([1, 2]), f64([3, 4]));
    expect(value.item()).toBe(11);
    expect(grads.map((t) => t.toArray())).toEqual([[3, 4], [1, 2]]);
    expect((grad(f, { argnums: 1 })(f64([1, 2]), f64([3, 4])) as Tensor).toArray()).toEqual([1, 2]);
  });

  it("nest: grad(grad(x³)) = 6x", () => {
    const d2 = grad((x: Tensor) => sum(grad((y: Tensor) => sum(y.mul(y).mul(y)))(x) as Tensor));
    expect((d2(f64([2])) as Tensor).toArray()).toEqual([12]);
  });

  it("refuse a non-scalar result and an out-of-range argnums", () => {
    expect(() => grad((x: Tensor) => x.mul(2))(f64([1, 2]))).toThrow(GradError);
    expect(() => grad((x: Tensor) => sum(x), { argnums: 2 })(f64([1]))).toThrow(/argnums 2 is out of range for 1 arguments/);
  });
});

describe("vjp and jvp", () => {
  it("vjp maps a cotangent to input cotangents", () => {
    const { out, vjp: back } = vjp((a, b) => matmul(a, b), tensor([[1, 2]], { dtype: "float64" }), tensor([[3], [4]], { dtype: "float64" }));
    expect(out.toArray()).toEqual([[11]]);
    const [ga, gb] = back(tensor([[2]], { dtype: "float64" }));
    expect(ga!.toArray()).toEqual([[6, 8]]);
    expect(gb!.toArray()).toEqual([[2], [4]]);
  });

  it("jvp equals the Jacobian times the tangent (tanh: (1 - tanh²) t)", () => {
    const x = f64([0.5, -1]);
    const t = f64([1, 2]);
    const { out, tangent } = jvp((a) => tanh(a), [x], [t]);
    const y = out.toArray() as number[];
    const expected = y.map((v, i) => (1 - v * v) * [1, 2][i]!);
    (tangent.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });
});

describe("customOp", () => {
  it("uses the hand-written backward", () => {
    const square = customOp({ name: "square", forward: (x) => x.mul(x), backward: (g, [x]) => [g.mul(x!).mul(2)] });
    const x = f64([3]).requiresGrad_();
    sum(square(x)).backward();
    expect(x.grad!.item()).toBe(6);
  });

  it("differentiates twice when its backward is made of ops", () => {
    const cube = customOp({ forward: (x) => x.mul(x).mul(x), backward: (g, [x]) => [g.mul(x!).mul(x!).mul(3)] });
    const x = f64([2]).requiresGrad_();
    const [g] = gradients(sum(cube(x)), [x], undefined, { createGraph: true });
    const [gg] = gradients(sum(g!), [x]);
    expect(gg!.item()).toBe(12);
  });

  it("refuses a backward gradient of the wrong shape", () => {
    const bad = customOp({ name: "bad", forward: (x) => x.mul(2), backward: () => [f64([1, 2, 3])] });
    const x = f64([1, 2]).requiresGrad_();
    expect(() => sum(bad(x)).backward()).toThrow("bad: backward returned a gradient of shape [3] for input 0 of shape [2]");
  });
});

describe("checkpoint", () => {
  it("gives the same gradients as the plain computation", () => {
    const block = (h: Tensor) => tanh(exp(h.mul(0.5)).add(h));
    const x1 = f64([0.1, -0.3, 0.7]).requiresGrad_();
    const x2 = f64([0.1, -0.3, 0.7]).requiresGrad_();
    sum(block(block(x1))).backward();
    sum(checkpoint(block, checkpoint(block, x2))).backward();
    (x2.grad!.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo((x1.grad!.toArray() as number[])[i]!, 14));
  });

  it("keeps no intermediate activations: the result's node saves only the inputs", () => {
    const x = f64([1, 2]).requiresGrad_();
    const y = checkpoint((h) => exp(h).mul(2), x);
    expect((y.gradFn as { name: string }).name).toBe("checkpoint");
  });
});
