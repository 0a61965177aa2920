// Smoke test of the packed @seqlab/wasm-kernels as an ESM consumer (run by tools/check-packages.sh).
import { matmul, tensor, traceKernels } from "@seqlab/tensor";
import { disableWasmKernels, useWasmKernels } from "@seqlab/wasm-kernels";

if (!(await useWasmKernels())) throw new Error("@seqlab/wasm-kernels (ESM): useWasmKernels() resolved false");
const x = tensor([[1, 2], [3, 4]]);
const { result, calls } = traceKernels(() => matmul(x, x));
if (calls[0]?.provider !== "wasm") throw new Error(`@seqlab/wasm-kernels (ESM): matmul ran on ${calls[0]?.provider}`);
if (result.sum().item() !== 54) throw new Error(`@seqlab/wasm-kernels (ESM): expected sum 54, got ${result.sum().item()}`);
disableWasmKernels();
console.log(`wasm matmul: ${result.toString()}`);
