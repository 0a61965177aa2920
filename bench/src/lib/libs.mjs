// The libraries a side-by-side benchmark cycles through: seqlab on its JS kernels and on the
// WASM builds (plain SIMD, and relaxed SIMD where this engine compiles it), tfjs-cpu, tfjs-wasm.
import { disableWasmKernels, useWasmKernels } from "@seqlab/wasm-kernels";

/**
 * Probe the WASM builds and return `{ SEQLAB, LIBS, use }`: the seqlab variants available here,
 * all libraries in timing order, and `use(lib)`, which switches kernels or the tfjs backend
 * before a cell runs. `relaxed: false` leaves the relaxed-SIMD variant out.
 */
export async function benchLibraries(tf, { relaxed = true } = {}) {
  const relaxedOk = relaxed && (await useWasmKernels({ build: "relaxed-simd", log: () => {} }));
  disableWasmKernels();
  const SEQLAB = ["seqlab-js", "seqlab-wasm", ...(relaxedOk ? ["seqlab-relaxed"] : [])];
  const LIBS = [...SEQLAB, "tfjs-cpu", "tfjs-wasm"];
  async function use(lib) {
    disableWasmKernels();
    if (lib === "seqlab-wasm" || lib === "seqlab-relaxed") {
      if (!(await useWasmKernels({ build: lib === "seqlab-wasm" ? "simd" : "relaxed-simd" }))) throw new Error(`${lib}: WASM kernels did not load`);
    } else if (lib.startsWith("tfjs")) {
      await tf.setBackend(lib === "tfjs-cpu" ? "cpu" : "wasm");
    }
  }
  return { SEQLAB, LIBS, use };
}
