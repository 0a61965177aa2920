// Type-only smoke test of the packed @seqlab/tensor: tools/check-packages.sh type-checks this
// file as an ESM consumer (copied to .mts) and as a CJS consumer (copied to .cts), node16.
import { tensor, matmul } from "@seqlab/tensor";

const x = tensor([[1, 2], [3, 4]]);
const y = matmul(x, x);
if (y.sum().item() !== 54) throw new Error(`@seqlab/tensor: expected sum 54, got ${String(y.sum().item())}`);
console.log(y.toString());
