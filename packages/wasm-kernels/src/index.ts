// @seqlab/wasm-kernels: WebAssembly SIMD kernels (f32/f64 GEMM, elementwise ops, softmax and sum,
// written in AssemblyScript) that register into @seqlab/tensor's dispatcher as the provider "wasm".
// No side effects on import.
import { type KernelProvider, registerProvider, unregisterProvider } from "@seqlab/tensor";
import { KERNELS_RELAXED_SIMD_WASM } from "./generated/kernels-relaxed-simd.gen.js";
import { KERNELS_SIMD_WASM } from "./generated/kernels-simd.gen.js";
import { decodeBase64 } from "./base64.js";
import { binaryKernel, softmaxKernel, unaryKernel } from "./elementwise.js";
import { matmulKernel } from "./matmul.js";
import { sumKernel } from "./reduce.js";
import { type WasmBuild, WasmRuntime } from "./runtime.js";

export type { WasmBuild } from "./runtime.js";

/** The provider name the kernels register under (what `traceKernels` reports). */
export const WASM_PROVIDER = "wasm";

/** Options of {@link useWasmKernels}. */
export interface UseWasmKernelsOptions {
  /**
   * `"auto"` (default): the relaxed-SIMD build (fused multiply-add) where the engine
   * validates it, else plain SIMD. `"simd"`: always plain SIMD. `"relaxed-simd"`: only the
   * relaxed build (resolves `false` where it is unsupported).
   */
  readonly build?: "auto" | WasmBuild;
  /** matmul calls with fewer multiply-adds (batch·M·N·K) than this stay on JS. Default 0. */
  readonly minWork?: number;
  /**
   * Elementwise, softmax and sum calls on fewer elements than this (output elements; input
   * elements for sum) stay on JS: below it the copies in and out cost more than the JS loop
   * saves. Default 256.
   */
  readonly minElements?: number;
  /** Largest linear memory the arena may grow to, in bytes (default 1 GiB); larger calls stay on JS. */
  readonly maxMemoryBytes?: number;
  /** Receives the reason when the kernels cannot be enabled. Default: `console.warn`. */
  readonly log?: (message: string) => void;
}

/** What is running: the build in use, its primitives, the arena size, and how often a trap forced a rebuild. */
export interface WasmKernelsInfo {
  readonly enabled: boolean;
  readonly build: WasmBuild | undefined;
  /** The primitives the provider has kernels for (each declines calls it does not take). */
  readonly primitives: readonly string[];
  readonly memoryBytes: number;
  readonly rebuilds: number;
}

let runtime: WasmRuntime | undefined;
const compiled = new Map<WasmBuild, Promise<WebAssembly.Module>>();

const SOURCES: Record<WasmBuild, string> = { simd: KERNELS_SIMD_WASM, "relaxed-simd": KERNELS_RELAXED_SIMD_WASM };

/** The provider's kernels over runtime `rt` (undefined once disabled or replaced). */
function kernelsOf(rt: () => WasmRuntime | undefined, minWork: number, minElements: number): KernelProvider["kernels"] {
  const opts = { minElements };
  return {
    matmul: matmulKernel(rt, { minWork }),
    add: binaryKernel("add", rt, opts),
    sub: binaryKernel("sub", rt, opts),
    mul: binaryKernel("mul", rt, opts),
    div: binaryKernel("div", rt, opts),
    exp: unaryKernel("exp", rt, opts),
    sigmoid: unaryKernel("sigmoid", rt, opts),
    tanh: unaryKernel("tanh", rt, opts),
    softmax: softmaxKernel(rt, opts),
    sum: sumKernel(rt, opts),
  };
}

/** The primitives {@link useWasmKernels} registers (see `kernelsOf`). */
const PRIMITIVES: readonly string[] = Object.freeze(Object.keys(kernelsOf(() => undefined, 0, 0)));

/** Compile a build once (asynchronously) and cache the module. */
function compile(build: WasmBuild, bytes: Uint8Array<ArrayBuffer>): Promise<WebAssembly.Module> {
  let m = compiled.get(build);
  if (m === undefined) {
    m = WebAssembly.compile(bytes);
    compiled.set(build, m);
    m.catch(() => compiled.delete(build));
  }
  return m;
}

/**
 * Compile the WebAssembly kernels and register them into @seqlab/tensor's dispatcher, so
 * float32 `matmul` (and everything built on it: bmm, linear layers, attention, einsum,
 * conv2d), `add`/`sub`/`mul`/`div`, `exp`/`sigmoid`/`tanh`, last-axis `softmax` and `sum` run
 * in WASM SIMD. Resolves `true` when registered; resolves `false` and logs
 * the reason (never throws) where WebAssembly or SIMD is missing. Calling it again
 * replaces the previous registration.
 *
 * @example
 * import { matmul, randn, traceKernels } from "@seqlab/tensor";
 * import { useWasmKernels } from "@seqlab/wasm-kernels";
 * await useWasmKernels();
 * traceKernels(() => matmul(randn([64, 64]), randn([64, 64]))).calls; // [{ prim: "matmul", provider: "wasm" }]
 */
export async function useWasmKernels(opts: UseWasmKernelsOptions = {}): Promise<boolean> {
  const log = opts.log ?? ((m: string) => console.warn(m));
  const refuse = (reason: string) => {
    log(`@seqlab/wasm-kernels: not enabled, using the JS kernels: ${reason}`);
    return false;
  };
  try {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") return refuse("WebAssembly is not available");
    const want = opts.build ?? "auto";
    if (want !== "auto" && want !== "simd" && want !== "relaxed-simd") return refuse(`unknown build ${String(want)}`);
    const maxBytes = opts.maxMemoryBytes ?? 2 ** 30;
    const minWork = opts.minWork ?? 0;
    const minElements = opts.minElements ?? 256;
    if (!(maxBytes > 0 && maxBytes <= 2 ** 32) || !(minWork >= 0) || !(minElements >= 0)) {
      return refuse(`invalid options (maxMemoryBytes ${maxBytes}, minWork ${minWork}, minElements ${minElements})`);
    }
    const simd = decodeBase64(KERNELS_SIMD_WASM);
    if (!WebAssembly.validate(simd)) return refuse("this engine has no WebAssembly SIMD");
    let build: WasmBuild = "simd";
    if (want !== "simd") {
      const relaxed = decodeBase64(SOURCES["relaxed-simd"]);
      if (WebAssembly.validate(relaxed)) build = "relaxed-simd";
      else if (want === "relaxed-simd") return refuse("this engine has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)");
    }
    const module = await compile(build, build === "simd" ? simd : decodeBase64(SOURCES[build]));
    const rt = new WasmRuntime(module, build, maxBytes);
    runtime = rt;
    registerProvider({ name: WASM_PROVIDER, kernels: kernelsOf(() => (runtime === rt ? rt : undefined), minWork, minElements) });
    return true;
  } catch (e) {
    return refuse(e instanceof Error ? e.message : String(e));
  }
}

/** Unregister the WASM kernels (dispatch goes back to pure JS). Returns whether they were registered. */
export function disableWasmKernels(): boolean {
  runtime = undefined;
  return unregisterProvider(WASM_PROVIDER);
}

/** The state of the WASM kernels, e.g. to log which build runs. */
export function wasmKernelsInfo(): WasmKernelsInfo {
  const enabled = runtime !== undefined;
  return { enabled, build: runtime?.build, primitives: enabled ? PRIMITIVES : [], memoryBytes: runtime?.memoryBytes ?? 0, rebuilds: runtime?.rebuilds ?? 0 };
}
