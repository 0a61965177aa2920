// One instance of the kernels module and its linear-memory arena: the GEMM's fixed pack buffers
// after the module's static data, then a per-call region reused by every call. Owns trap recovery.
import { BackendError } from "@seqlab/tensor";

/** Which compiled variant runs: plain SIMD, or relaxed SIMD (`f32x4.relaxed_madd`, FMA). */
export type WasmBuild = "simd" | "relaxed-simd";

/** The module's exports (see assembly/kernels.ts). */
interface KernelExports {
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
  gemm64: KernelExports["gemm"];
  binary(op: number, rows: number, n: number, a: number, ra: number, ca: number, b: number, rb: number, cb: number, c: number): void;
  unary(op: number, rows: number, n: number, a: number, ra: number, ca: number, c: number): void;
  softmax(rows: number, n: number, a: number, ra: number, c: number): void;
  sumRows(rows: number, n: number, a: number, ra: number, ca: number, out: number): void;
  sumCols(rows: number, n: number, a: number, ra: number, ca: number, out: number): void;
  sumAll(rows: number, n: number, a: number, ra: number, ca: number, out: number): void;
  heapBase(): number;
  readonly [opCode: `OP_${string}`]: WebAssembly.Global;
}

/** How a sum reduces rows × n: each row, each column, or everything (see assembly/reduce.ts). */
export type SumKind = "rows" | "cols" | "all";

/** Binary elementwise ops of the module. */
export type BinaryOp = "add" | "sub" | "mul" | "div";
/** Unary elementwise ops of the module (evaluated in f64, rounded once to float32). */
export type UnaryOp = "exp" | "sigmoid" | "tanh";

const OP_NAMES: Record<BinaryOp | UnaryOp, `OP_${string}`> = {
  add: "OP_ADD", sub: "OP_SUB", mul: "OP_MUL", div: "OP_DIV", exp: "OP_EXP", sigmoid: "OP_SIGMOID", tanh: "OP_TANH",
};

const PAGE = 65536;
const align = (n: number, to: number) => Math.ceil(n / to) * to;

/**
 * A compiled module, its live instance and the arena layout. Every typed-array view is
 * re-derived from `memory.buffer` after growth (`f32()`/`i32()` check the buffer each time).
 */
export class WasmRuntime {
  private exports: KernelExports | undefined;
  private f32View = new Float32Array(0);
  private f64View = new Float64Array(0);
  private i32View = new Int32Array(0);
  /** Byte offsets of the fixed buffers and of the per-call region. */
  private packA = 0;
  private packB = 0;
  private edge = 0;
  private dynamic = 0;
  /** The module's codes of the elementwise ops (read from its exported globals). */
  private codes: Record<BinaryOp | UnaryOp, number> = { add: 0, sub: 0, mul: 0, div: 0, exp: 0, sigmoid: 0, tanh: 0 };
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
    const ex = instance.exports as unknown as KernelExports;
    const kc = ex.KC.value as number, mc = ex.MC.value as number, nc = ex.NC.value as number;
    this.packA = align(ex.heapBase(), 64);
    this.packB = align(this.packA + mc * kc * 4, 64);
    this.edge = align(this.packB + kc * nc * 4, 64);
    this.dynamic = align(this.edge + (ex.EDGE_BYTES.value as number), 64);
    for (const op of Object.keys(OP_NAMES) as (BinaryOp | UnaryOp)[]) this.codes[op] = ex[OP_NAMES[op]]!.value as number;
    this.exports = ex;
    this.ensure(0, "useWasmKernels");
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

  /** Grow linear memory (if needed) so the per-call region holds `bytes` for a call of `op`. */
  ensure(bytes: number, op: string): void {
    const ex = this.live();
    const need = this.dynamic + bytes;
    if (need > this.maxBytes) {
      throw new BackendError(`${op}: the wasm arena would need ${need} bytes, more than maxMemoryBytes ${this.maxBytes}`, { op, got: need, expected: this.maxBytes });
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

  /** A Float64Array over the whole memory, re-derived when the memory has grown. */
  f64(): Float64Array {
    const buf = this.live().memory.buffer;
    if (this.f64View.buffer !== buf) this.f64View = new Float64Array(buf);
    return this.f64View;
  }

  /** An Int32Array over the whole memory, re-derived when the memory has grown. */
  i32(): Int32Array {
    const buf = this.live().memory.buffer;
    if (this.i32View.buffer !== buf) this.i32View = new Int32Array(buf);
    return this.i32View;
  }

  private live(): KernelExports {
    if (this.exports === undefined) this.instantiate();
    return this.exports!;
  }

  /**
   * Run `fn` on the live exports. A trap means the instance's memory can no longer be
   * trusted: the instance is discarded, a fresh one is built for the next call, and the
   * caller gets a BackendError naming `op`.
   */
  private call(op: string, fn: (ex: KernelExports) => void): void {
    const ex = this.live();
    try {
      fn(ex);
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      this.exports = undefined;
      this.f32View = new Float32Array(0);
      this.f64View = new Float64Array(0);
      this.i32View = new Int32Array(0);
      this.rebuilds++;
      throw new BackendError(`${op}: the wasm kernel trapped (${e.message}); the instance was discarded and will be rebuilt`, { op, got: e.message });
    }
  }

  /**
   * Call the float32 or float64 GEMM (arguments already validated by the caller; byte
   * pointers, element strides; the pack buffers are this runtime's and fit either type).
   */
  gemm(
    dtype: "float32" | "float64",
    count: number, M: number, N: number, K: number,
    aBase: number, aOffs: number, sAm: number, sAk: number,
    bBase: number, bOffs: number, sBk: number, sBn: number,
    cBase: number,
  ): void {
    const { packA, packB, edge } = this;
    this.call("matmul", (ex) => {
      if (dtype === "float32") ex.gemm(count, M, N, K, aBase, aOffs, sAm, sAk, bBase, bOffs, sBk, sBn, cBase, packA, packB, edge);
      else ex.gemm64(count, M, N, K, aBase, aOffs, sAm, sAk, bBase, bOffs, sBk, sBn, cBase, packA, packB, edge);
    });
  }

  /** C = A op B over `rows` × `n` (byte pointers, element strides per row and column; C contiguous). */
  binary(op: BinaryOp, rows: number, n: number, a: number, ra: number, ca: number, b: number, rb: number, cb: number, c: number): void {
    const code = this.codes[op];
    this.call(op, (ex) => ex.binary(code, rows, n, a, ra, ca, b, rb, cb, c));
  }

  /** C = op(A) over `rows` × `n` (as {@link binary}). */
  unary(op: UnaryOp, rows: number, n: number, a: number, ra: number, ca: number, c: number): void {
    const code = this.codes[op];
    this.call(op, (ex) => ex.unary(code, rows, n, a, ra, ca, c));
  }

  /** Softmax of `rows` contiguous rows of `n` > 0 elements, row r at a + r·ra elements; C contiguous. */
  softmax(rows: number, n: number, a: number, ra: number, c: number): void {
    this.call("softmax", (ex) => ex.softmax(rows, n, a, ra, c));
  }

  /** The sum of `kind` over rows × n of A (byte pointer, element strides) into float32 `out`. */
  sum(kind: SumKind, rows: number, n: number, a: number, ra: number, ca: number, out: number): void {
    this.call("sum", (ex) => {
      if (kind === "rows") ex.sumRows(rows, n, a, ra, ca, out);
      else if (kind === "cols") ex.sumCols(rows, n, a, ra, ca, out);
      else ex.sumAll(rows, n, a, ra, ca, out);
    });
  }
}
