// Smoke test of the packed @seqlab/wasm-kernels as a CommonJS consumer (run by tools/check-packages.sh).
"use strict";
/* global console */
const { matmul, tensor, traceKernels } = require("@seqlab/tensor");
const { disableWasmKernels, useWasmKernels } = require("@seqlab/wasm-kernels");

useWasmKernels().then((ok) => {
  if (!ok) throw new Error("@seqlab/wasm-kernels (CJS): useWasmKernels() resolved false");
  const x = tensor([[1, 2], [3, 4]]);
  const { result, calls } = traceKernels(() => matmul(x, x));
  if (calls[0]?.provider !== "wasm") throw new Error(`@seqlab/wasm-kernels (CJS): matmul ran on ${calls[0]?.provider}`);
  if (result.sum().item() !== 54) throw new Error(`@seqlab/wasm-kernels (CJS): expected sum 54, got ${result.sum().item()}`);
  disableWasmKernels();
  console.log(`wasm matmul: ${result.toString()}`);
});
