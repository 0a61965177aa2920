// einsum with PyTorch semantics, composed from views, sum, mul and matmul (no primitive of
// its own, so autograd differentiates it through the ops it is built from).
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { numel } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor } from "./common.js";
import { mul } from "./elementwise.js";
import { matmul } from "./linalg.js";
import { sum } from "./reduce.js";
import { permute, reshape, slice } from "./view.js";

const OP = "einsum";
const ELLIPSIS = "...";

/**
 * An operand while it is being contracted: one label per dim, no label twice. Letters
 * label themselves; the dims covered by an ellipsis get `...0`, `...1`..., right-aligned
 * across operands (so `...0` is the outermost broadcast dim).
 */
interface Term {
  t: Tensor;
  labels: string[];
}

const isLetter = (c: string): boolean => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const ellipsisLabel = (k: number): string => `${ELLIPSIS}${k}`;
const describeLabel = (l: string): string => (l.startsWith(ELLIPSIS) ? `... (broadcast dim ${l.slice(ELLIPSIS.length)})` : l);

/**
 * Einstein summation, PyTorch `torch.einsum`: each operand's dims are named by letters
 * (`a-z`, `A-Z`); letters missing from the output are summed over; a letter repeated in one
 * operand takes its diagonal; `...` stands for broadcast batch dims. Without `->` the output
 * is `...` followed by the letters that appear exactly once, in character order (upper case
 * first). Sizes of the same letter broadcast (1 against n). All operands must share a dtype.
 *
 * Operands are contracted pairwise, left to right, each pair as one batched matmul
 * `[batch, M, K] @ [batch, K, N]`.
 *
 * @example
 * einsum("ij,jk->ik", a, b);        // [I, J], [J, K] -> [I, K]  (matmul)
 * einsum("bij,bjk->bik", a, b);     // batched matmul
 * einsum("ii->", m);                // trace
 * einsum("...ij->...ji", x);        // transpose of the last two dims
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  operands.forEach((x, i) => checkTensor(OP, x, `operand ${i}`));
  const shapes = operands.map((x) => x.shape);
  const fail: Fail = (Err, problem, extra = {}) => {
    throw new Err(`${OP}: ${problem} (equation '${String(equation)}', operands ${shapes.map(fmtShape).join(", ")})`, { op: OP, shapes, ...extra });
  };
  if (typeof equation !== "string") fail(ValueError, `equation must be a string, got ${typeof equation}`);
  if (operands.length === 0) fail(ValueError, "needs at least one operand");
  const dtypes = operands.map((x) => x.dtype);
  if (dtypes.some((d) => d !== dtypes[0])) {
    throw new DTypeError(`${OP}: operands must have the same dtype, got ${dtypes.join(", ")}`, { op: OP, shapes, got: dtypes });
  }
  if (dtypes[0] === "bool") throw new DTypeError(`${OP}: bool tensors are not supported`, { op: OP, shapes, got: "bool" });

  const { terms, outLabels } = parseEquation(equation, operands, fail);
  const diagTerms = terms.map((term, i) => takeDiagonals(term, i, fail));
  checkSizes(diagTerms, fail);
  let acc = diagTerms[0]!;
  for (let i = 1; i < diagTerms.length; i++) {
    const keep = new Set([...outLabels, ...diagTerms.slice(i + 1).flatMap((tm) => tm.labels)]);
    acc = contractPair(acc, diagTerms[i]!, keep);
  }
  acc = sumOut(acc, new Set(outLabels));
  return permute(acc.t, outLabels.map((l) => acc.labels.indexOf(l))); // [contraction order] -> [output order]
}

/** Throws the einsum error for `problem`, with the equation and all operand shapes attached. */
type Fail = (Err: typeof ValueError | typeof ShapeError, problem: string, extra?: { expected?: unknown; got?: unknown }) => never;

/** One term's tokens: letters and at most one `...`; whitespace is skipped. */
function parseTerm(text: string, what: string, fail: Fail): string[] {
  const tokens: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) continue;
    if (c === ".") {
      if (text.slice(i, i + 3) !== ELLIPSIS) fail(ValueError, `'.' in ${what} is not part of an ellipsis '...'`);
      if (tokens.includes(ELLIPSIS)) fail(ValueError, `${what} has more than one ellipsis '...'`);
      tokens.push(ELLIPSIS);
      i += 2;
    } else if (isLetter(c)) tokens.push(c);
    else fail(ValueError, `invalid character '${c}' in ${what} (indices must be letters a-z, A-Z)`, { got: c });
  }
  return tokens;
}

/**
 * Parse `"ab,b...->a..."`, check each term against its operand's rank, label every dim
 * (ellipsis dims right-aligned) and resolve the output labels (explicit or implicit).
 */
function parseEquation(equation: string, operands: readonly Tensor[], fail: Fail): { terms: Term[]; outLabels: string[] } {
  const arrow = equation.indexOf("->");
  if (arrow >= 0 && equation.includes("->", arrow + 2)) fail(ValueError, "'->' appears more than once");
  const termTexts = (arrow >= 0 ? equation.slice(0, arrow) : equation).split(",");
  if (termTexts.length !== operands.length) {
    fail(ValueError, `the equation names ${termTexts.length} operand(s) but ${operands.length} were given`, {
      expected: termTexts.length,
      got: operands.length,
    });
  }
  const inputs = termTexts.map((text, i) => parseTerm(text, `operand ${i}`, fail));
  const output = arrow >= 0 ? parseTerm(equation.slice(arrow + 2), "the output", fail) : undefined;

  // Ranks, and how many dims the widest ellipsis covers.
  const covered = inputs.map((tokens, i) => {
    const letters = tokens.filter((tk) => tk !== ELLIPSIS).length;
    const x = operands[i]!;
    const hasEllipsis = tokens.includes(ELLIPSIS);
    if (hasEllipsis ? letters > x.ndim : letters !== x.ndim) {
      fail(ShapeError, `operand ${i} has ${letters} indices '${tokens.join("")}' but ${x.ndim} dims ${fmtShape(x.shape)}`, { expected: letters, got: x.ndim });
    }
    return x.ndim - letters;
  });
  const ellipsisDims = Math.max(0, ...covered);
  const ellipsisLabels = Array.from({ length: ellipsisDims }, (_, k) => ellipsisLabel(k));
  const terms = inputs.map((tokens, i) => ({
    t: operands[i]!,
    labels: tokens.flatMap((tk) => (tk === ELLIPSIS ? ellipsisLabels.slice(ellipsisDims - covered[i]!) : [tk])),
  }));

  const counts = new Map<string, number>();
  for (const tokens of inputs) for (const tk of tokens) if (tk !== ELLIPSIS) counts.set(tk, (counts.get(tk) ?? 0) + 1);
  if (output === undefined) {
    const once = [...counts].filter(([, n]) => n === 1).map(([l]) => l);
    return { terms, outLabels: [...ellipsisLabels, ...once.sort()] };
  }
  const seen = new Set<string>();
  for (const tk of output) {
    if (tk === ELLIPSIS) continue;
    if (!counts.has(tk)) fail(ValueError, `output index ${tk} does not appear in any operand`, { got: tk });
    if (seen.has(tk)) fail(ValueError, `output index ${tk} appears more than once`, { got: tk });
    seen.add(tk);
  }
  return { terms, outLabels: output.flatMap((tk) => (tk === ELLIPSIS ? ellipsisLabels : [tk])) };
}

/** Check that every label's sizes broadcast across operands (equal, or 1 against n). */
function checkSizes(terms: readonly Term[], fail: Fail): void {
  const seen = new Map<string, { size: number; operand: number }>();
  terms.forEach((term, i) => {
    term.labels.forEach((l, d) => {
      const n = term.t.shape[d]!;
      const prev = seen.get(l);
      if (prev === undefined || prev.size === 1) seen.set(l, { size: n, operand: i });
      else if (n !== prev.size && n !== 1) {
        fail(ShapeError, `index ${describeLabel(l)} has size ${prev.size} in operand ${prev.operand} but ${n} in operand ${i}`, {
          expected: prev.size,
          got: n,
        });
      }
    });
  });
}

/**
 * Replace each label repeated within one operand by its diagonal, as a view when strides
 * allow: move the k repeated dims (size n) last, merge them into n^k and take every
 * (1 + n + ... + n^(k-1))-th element.
 */
function takeDiagonals(term: Term, operand: number, fail: Fail): Term {
  let { t, labels } = term;
  for (const l of new Set(labels)) {
    const dims = labels.flatMap((m, d) => (m === l ? [d] : []));
    if (dims.length < 2) continue;
    const n = t.shape[dims[0]!]!;
    for (const d of dims) {
      if (t.shape[d] !== n) {
        fail(ShapeError, `index ${l} is repeated in operand ${operand} with different sizes (${n} != ${t.shape[d]})`, { expected: n, got: t.shape[d] });
      }
    }
    // Putting the larger stride first lets the merge below stay a view for transposed inputs.
    const diag = dims.slice().sort((a, b) => Math.abs(t.strides[b]!) - Math.abs(t.strides[a]!));
    const rest = labels.flatMap((_, d) => (dims.includes(d) ? [] : [d]));
    const k = dims.length;
    const step = n > 1 ? (n ** k - 1) / (n - 1) : 1;
    const moved = permute(t, [...rest, ...diag]); // [..., n, n] (k times n)
    const merged = reshape(moved, [...rest.map((d) => t.shape[d]!), n ** k]); // [..., n^k]
    t = slice(merged, -1, 0, undefined, step); // [..., n]
    labels = [...rest.map((d) => labels[d]!), l];
  }
  return { t, labels };
}

/** Sum `term` over every label not in `keep` (one sum call, order of the rest unchanged). */
function sumOut(term: Term, keep: ReadonlySet<string>): Term {
  const drop = term.labels.flatMap((l, d) => (keep.has(l) ? [] : [d]));
  if (drop.length === 0) return term;
  return { t: sum(term.t, drop), labels: term.labels.filter((l) => keep.has(l)) };
}

/** Sum `term` over `label`, keeping it as a size-1 dim. */
const sumKeep = (term: Term, label: string): Term => ({ t: sum(term.t, term.labels.indexOf(label), true), labels: term.labels });

/**
 * Contract two terms; `keep` holds the labels still needed (later operands and the output).
 * Labels split into batch (in both, kept), contracted (in both, not kept), left-only and
 * right-only; the result is labelled `[batch, left-only, right-only]`.
 */
function contractPair(left: Term, right: Term, keep: ReadonlySet<string>): Term {
  // Labels that live in one operand only and are not needed later are summed out first.
  let a = sumOut(left, new Set([...keep, ...right.labels]));
  let b = sumOut(right, new Set([...keep, ...a.labels]));
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const contracted = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const leftOnly = a.labels.filter((l) => !inB.has(l));
  const rightOnly = b.labels.filter((l) => !inA.has(l));
  // A contracted label of size 1 on one side broadcasts: sum the other side over it first.
  for (const l of contracted) {
    const na = a.t.shape[a.labels.indexOf(l)]!;
    const nb = b.t.shape[b.labels.indexOf(l)]!;
    if (na === 1 && nb !== 1) b = sumKeep(b, l);
    else if (nb === 1 && na !== 1) a = sumKeep(a, l);
  }
  const sizeA = (l: string) => a.t.shape[a.labels.indexOf(l)]!;
  const sizeB = (l: string) => b.t.shape[b.labels.indexOf(l)]!;
  const dimsA = (ls: readonly string[]) => ls.map((l) => a.labels.indexOf(l));
  const dimsB = (ls: readonly string[]) => ls.map((l) => b.labels.indexOf(l));
  const batchA = batch.map(sizeA);
  const batchB = batch.map(sizeB);
  const leftSizes = leftOnly.map(sizeA);
  const rightSizes = rightOnly.map(sizeB);
  const labels = [...batch, ...leftOnly, ...rightOnly];
  const ones = (n: number) => new Array<number>(n).fill(1);

  if (contracted.length === 0) {
    // Nothing to sum: a broadcasting product is the same as a matmul with K = 1, and cheaper.
    const at = reshape(permute(a.t, dimsA([...batch, ...leftOnly])), [...batchA, ...leftSizes, ...ones(rightOnly.length)]); // [batch, left, 1...]
    const bt = reshape(permute(b.t, dimsB([...batch, ...rightOnly])), [...batchB, ...ones(leftOnly.length), ...rightSizes]); // [batch, 1..., right]
    return { t: mul(at, bt), labels }; // [batch, left, right]
  }
  const K = numel(contracted.map(sizeA));
  // Batch dims stay separate so that matmul broadcasts size-1 ones without copying.
  const at = reshape(permute(a.t, dimsA([...batch, ...leftOnly, ...contracted])), [...batchA, numel(leftSizes), K]); // [batch, M, K]
  const bt = reshape(permute(b.t, dimsB([...batch, ...contracted, ...rightOnly])), [...batchB, K, numel(rightSizes)]); // [batch, K, N]
  const y = matmul(at, bt); // [batch, M, N] (batch broadcast)
  return { t: reshape(y, [...y.shape.slice(0, batch.length), ...leftSizes, ...rightSizes]), labels }; // [batch, left, right]
}
