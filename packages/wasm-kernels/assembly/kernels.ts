// Entry point of the WebAssembly module: the GEMMs, the elementwise, softmax and sum kernels, and
// where the TS-managed arena starts. All memory is owned by the TS side.
export * from "./gemm";
export * from "./elementwise";
export * from "./reduce";

/** The first byte after the module's static data: the TS arena starts here. */
export function heapBase(): usize {
  return __heap_base;
}
