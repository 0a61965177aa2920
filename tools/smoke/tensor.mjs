// Smoke test of the packed @seqlab/tensor as an ESM consumer (run by tools/check-packages.sh).
import { tensor, matmul } from "@seqlab/tensor";

const x = tensor([[1, 2], [3, 4]]);
const y = matmul(x, x);
if (y.sum().item() !== 54) throw new Error(`@seqlab/tensor (ESM): expected sum 54, got ${y.sum().item()}`);
console.log(y.toString());
