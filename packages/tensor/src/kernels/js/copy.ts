// Strided copy between two layouts of the same shape (used by cat, pad, scatter and in-place writes).
import type { TypedArray } from "../../dtype.js";
import { type Operand, forEachRow } from "./iterate.js";

/** D[dst layout] = S[src layout] for every index of `shape`. */
export function stridedCopy(shape: readonly number[], S: TypedArray, src: Operand, D: TypedArray, dst: Operand): void {
  forEachRow(shape, [src, dst], (p, s, _io, n) => {
    let is = p[0]!, id = p[1]!;
    const ss = s[0]!, sd = s[1]!;
    if (ss === 1 && sd === 1 && S.constructor === D.constructor) D.set(S.subarray(is, is + n), id);
    else for (let k = 0; k < n; k++, is += ss, id += sd) D[id] = S[is]!;
  });
}
