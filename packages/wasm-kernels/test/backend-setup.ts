// vitest setup file of the wasm-kernels project: offers the wasm builds to @seqlab/tensor's
// shared backend suites (packages/tensor/test/backend), so each of them runs on js and wasm.
import type { Primitive } from "@seqlab/tensor";
import { KERNELS_RELAXED_SIMD_WASM } from "../src/generated/kernels-relaxed-simd.gen.js";
import { decodeBase64 } from "../src/base64.js";
import { type WasmBuild, disableWasmKernels, useWasmKernels, wasmKernelsInfo } from "../src/index.js";

/**
 * Structurally the `Backend` of packages/tensor/test/backend/backends.ts. `minElements: 0`
 * sends every call a kernel can take to wasm, however small, so the suites' tiny hand-computed
 * cases exercise it too.
 */
const wasm = (build: WasmBuild) => ({
  name: "wasm",
  label: `wasm (${build})`,
  has: (prim: Primitive) => wasmKernelsInfo().primitives.includes(prim),
  async setup() {
    const ok = await useWasmKernels({
      build,
      minElements: 0,
      log: (m) => {
        throw new Error(m);
      },
    });
    if (!ok) throw new Error(`backend-setup: the ${build} build did not register`);
  },
  teardown() {
    disableWasmKernels();
  },
});

// The relaxed build only where the engine validates it (vitest passes --experimental-wasm-relaxed-simd).
const builds: WasmBuild[] = WebAssembly.validate(decodeBase64(KERNELS_RELAXED_SIMD_WASM)) ? ["simd", "relaxed-simd"] : ["simd"];
(globalThis as { [key: symbol]: unknown })[Symbol.for("seqlab.test.extraBackends")] = builds.map(wasm);
