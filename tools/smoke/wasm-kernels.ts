// Type-only smoke test of the packed @seqlab/wasm-kernels: tools/check-packages.sh type-checks
// this file as an ESM consumer (copied to .mts) and as a CJS consumer (copied to .cts), node16.
import { matmul, tensor, traceKernels } from "@seqlab/tensor";
import { type UseWasmKernelsOptions, type WasmKernelsInfo, disableWasmKernels, useWasmKernels, wasmKernelsInfo } from "@seqlab/wasm-kernels";

const options: UseWasmKernelsOptions = { build: "auto", minWork: 0, log: (m: string) => console.warn(m) };
void useWasmKernels(options).then((ok: boolean) => {
  const x = tensor([[1, 2], [3, 4]]);
  const provider: string | undefined = traceKernels(() => matmul(x, x)).calls[0]?.provider;
  const info: WasmKernelsInfo = wasmKernelsInfo();
  console.log(ok, provider, info.build, disableWasmKernels());
});
