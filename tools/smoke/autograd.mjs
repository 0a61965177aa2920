// Smoke test of the packed @seqlab/autograd from an ESM consumer: d/dx sum(x²) = 2x, and gradcheck.
import { tensor } from "@seqlab/tensor";
import { gradcheck, gradients } from "@seqlab/autograd";
import { seqlabMatchers } from "@seqlab/autograd/vitest";

const x = tensor([1, 2, 3], { dtype: "float64" }).requiresGrad_();
x.mul(x).sum().backward();
if (x.grad.toArray().join(",") !== "2,4,6") throw new Error(`@seqlab/autograd: expected grad 2,4,6, got ${x.grad.toArray()}`);
const [g] = gradients(x.mul(x).sum(), [x]);
if (g.toArray().join(",") !== "2,4,6") throw new Error("@seqlab/autograd: gradients() disagrees with backward()");
if (gradcheck((a) => a.exp().sum(), [x]) !== true) throw new Error("@seqlab/autograd: gradcheck failed");
if (typeof seqlabMatchers.toBeAllClose !== "function") throw new Error("@seqlab/autograd/vitest: matchers missing");
console.log("autograd ok:", x.grad.toString());
