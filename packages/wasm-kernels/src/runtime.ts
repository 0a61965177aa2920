// One instance of the GEMM module and its linear-memory arena: fixed pack buffers after the
// module's static data, then a per-call region reused by every call. Owns trap recovery.
import { BackendError } from "@seqlab/tensor";

/** Which compiled variant runs: plain SIMD, or relaxed SIMD (`f32x4.relaxed_madd`, FMA). */
export type WasmBuild = "simd" | "relaxed-simd";

/** The module's exports (see assembly/gemm.ts). */
interface GemmExports {
  readonly memory: WebAssembly.Memory;
  readonly KC: WebAssembly.Global;
  readonly MC: WebAssembly.Global;
  readonly NC: WebAssembly.Global;
  readonly EDGE_BYTES: WebAssembly.Global;
  gemm(
    count: number, M: number, N: number, K: number,
    aBase: number, aOffs: number, sAm: number, sAk: number,
    bBase: number, bOffs: number, sBk: number, sBn: number,
    cBase: number, packA: number, packB: number, edge: number,
  ): void;
  heapBase(): number;
}

const PAGE = 65536;
const align = (n: number, to: number) => Math.ceil(n / to) * to;

/**
 * A compiled module, its live instance and the arena layout. Every typed-array view is
 * re-derived from `memory.buffer` after growth (`f32()`/`i32()` check the buffer each time).
 */
export class WasmRuntime {
  private exports: GemmExports | undefined;
  private f32View = new Float32Array(0);
  private i32View = new Int32Array(0);
  /** Byte offsets of the fixed buffers and of the per-call region. */
  private packA = 0;
  private packB = 0;
  private edge = 0;
  private dynamic = 0;
  /** How many times a trap made us discard and rebuild the instance. */
  rebuilds = 0;

  constructor(
    readonly module: WebAssembly.Module,
    readonly build: WasmBuild,
    /** The arena never grows the memory past this many bytes; larger calls are declined. */
    readonly maxBytes: number,
  ) {
    this.instantiate();
  }

  /** Instantiate (synchronously: the module is a few KiB, below every engine's sync limit). */
  private instantiate(): void {
    const instance = new WebAssembly.Instance(this.module, {});
    const ex = instance.exports as unknown as GemmExports;
    const kc = ex.KC.value as number, mc = ex.MC.value as number, nc = ex.NC.value as number;
    this.packA = align(ex.heapBase(), 64);
    this.packB = align(this.packA + mc * kc * 4, 64);
    this.edge = align(this.packB + kc * nc * 4, 64);
    this.dynamic = align(this.edge + (ex.EDGE_BYTES.value as number), 64);
    this.exports = ex;
    this.ensure(0);
  }

  /** First byte of the per-call region. */
  get base(): number {
    return this.dynamic;
  }

  /** Current size of linear memory in bytes. */
  get memoryBytes(): number {
    return this.exports?.memory.buffer.byteLength ?? 0;
  }

  /** Whether a call needing `bytes` of per-call region fits under `maxBytes`. */
  fits(bytes: number): boolean {
    return this.dynamic + bytes <= this.maxBytes;
  }

  /** Grow linear memory (if needed) so the per-call region holds `bytes`. */
  ensure(bytes: number): void {
    const ex = this.live();
    const need = this.dynamic + bytes;
    if (need > this.maxBytes) {
      throw new BackendError(`matmul: the wasm arena would need ${need} bytes, more than maxMemoryBytes ${this.maxBytes}`, { op: "matmul", got: need, expected: this.maxBytes });
    }
    const have = ex.memory.buffer.byteLength;
    if (need > have) ex.memory.grow(Math.ceil((need - have) / PAGE));
  }

  /** A Float32Array over the whole memory, re-derived when the memory has grown. */
  f32(): Float32Array {
    const buf = this.live().memory.buffer;
    if (this.f32View.buffer !== buf) this.f32View = new Float32Array(buf);
    return this.f32View;
  }

  /** An Int32Array over the whole memory, re-derived when the memory has grown. */
  i32(): Int32Array {
    const buf = this.live().memory.buffer;
    if (this.i32View.buffer !== buf) this.i32View = new Int32Array(buf);
    return this.i32View;
  }

  private live(): GemmExports {
    if (this.exports === undefined) this.instantiate();
    return this.exports!;
  }

  /**
   * Call the GEMM (arguments already validated by the caller; byte pointers, element
   * strides; the pack buffers are this runtime's). A trap means the instance's
   * memory can no longer be trusted: the instance is discarded, a fresh one is built for the
   * next call, and the caller gets a BackendError.
   */
  gemm(
    count: number, M: number, N: number, K: number,
    aBase: number, aOffs: number, sAm: number, sAk: number,
    bBase: number, bOffs: number, sBk: number, sBn: number,
    cBase: number,
  ): void {
    const ex = this.live();
    try {
      ex.gemm(count, M, N, K, aBase, aOffs, sAm, sAk, bBase, bOffs, sBk, sBn, cBase, this.packA, this.packB, this.edge);
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      this.exports = undefined;
      this.f32View = new Float32Array(0);
      this.i32View = new Int32Array(0);
      this.rebuilds++;
      throw new BackendError(`matmul: the wasm kernel trapped (${e.message}); the instance was discarded and will be rebuilt`, { op: "matmul", got: e.message });
    }
  }
}
