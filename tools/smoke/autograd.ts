// Type-only smoke test of the packed @seqlab/autograd (checked as an ESM and a CJS consumer).
import { tensor, type Tensor } from "@seqlab/tensor";
import { grad, gradcheck, noGrad } from "@seqlab/autograd";
import { seqlabMatchers } from "@seqlab/autograd/vitest";

const x: Tensor = tensor([1, 2], { dtype: "float64" }).requiresGrad_();
const g = grad((a: Tensor) => a.mul(a).sum())(x) as Tensor;
const ok: boolean = gradcheck((a: Tensor) => a.sin().sum(), [x]);
noGrad(() => x.add_(g));
console.log(ok, typeof seqlabMatchers.toBeAllClose);
