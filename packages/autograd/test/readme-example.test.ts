// The README's training example runs as written and fits the line it claims to.
import { describe, expect, it } from "vitest";
import { Rng, randn, tensor } from "@seqlab/tensor";
import { Adam } from "../src/index.js";

describe("README example", () => {
  it("fits y = x·[1, -2, 0.5] + 3 with Adam in 200 steps", () => {
    const rng = new Rng(0);
    const w = randn([3, 1], { rng }).requiresGrad_();
    const b = tensor([0]).requiresGrad_();
    const x = randn([64, 3], { rng });
    const y = x.matmul(tensor([[1], [-2], [0.5]])).add(3);
    const opt = new Adam([w, b], { lr: 0.1 });
    for (let step = 0; step < 200; step++) {
      opt.zeroGrad();
      const loss = x.matmul(w).add(b).sub(y).square().mean();
      loss.backward();
      opt.step();
    }
    (w.toArray() as number[][]).forEach((row, i) => expect(row[0]!).toBeCloseTo([1, -2, 0.5][i]!, 1));
    expect(b.item()).toBeCloseTo(3, 1);
  });
});
