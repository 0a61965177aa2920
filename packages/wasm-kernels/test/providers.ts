// The providers the kernel suites run on: the JS reference, the plain-SIMD wasm build and
// (where the engine validates it: vitest passes --experimental-wasm-relaxed-simd) the relaxed one.
// The wasm builds run with minElements 0, so even tiny elementwise calls go to wasm.
import { expect } from "vitest";
import { type Primitive, traceKernels } from "@seqlab/tensor";
import { type WasmBuild, disableWasmKernels, useWasmKernels } from "../src/index.js";

/** A provider under test, shaped like @seqlab/tensor's test/backend `Backend`. */
export interface Provider {
  /** Label for describe.each. */
  readonly label: string;
  /** What traceKernels reports for the kernels of this provider. */
  readonly name: string;
  setup(): Promise<void> | void;
  teardown(): void;
}

const wasm = (build: WasmBuild): Provider => ({
  label: `wasm (${build})`,
  name: "wasm",
  async setup() {
    const ok = await useWasmKernels({ build, minElements: 0, log: (m) => expect.fail(m) });
    expect(ok).toBe(true);
  },
  teardown() {
    disableWasmKernels();
  },
});

export const PROVIDERS: readonly Provider[] = [
  {
    label: "js",
    name: "js",
    setup() {
      disableWasmKernels();
    },
    teardown() {
      // Nothing was registered.
    },
  },
  wasm("simd"),
  wasm("relaxed-simd"),
];

/** Run `fn`, assert every dispatched `prim` ran on `provider`, and return the result. */
export function onProvider<T>(provider: Provider, prim: Primitive, fn: () => T): T {
  const { result, calls } = traceKernels(fn);
  const ran = calls.filter((c) => c.prim === prim).map((c) => c.provider);
  expect(ran.length, `${prim} was not dispatched`).toBeGreaterThan(0);
  expect(new Set(ran)).toEqual(new Set([provider.name]));
  return result;
}
