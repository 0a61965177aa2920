// Typed errors with structured fields. Messages read `<op>: <problem> (<details>)`.

const BRAND = Symbol.for("seqlab.error");

/** Format a shape as `[2, 3]`. */
export const fmtShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/** Fields every seqlab error may carry; tests assert on them. */
export interface ErrorFields {
  /** The op or function that refused its input, e.g. `matmul`. */
  op: string;
  /** Shapes of the offending inputs, in argument order. */
  shapes?: readonly (readonly number[])[];
  /** What was expected, in words or numbers. */
  expected?: unknown;
  /** What was received. */
  got?: unknown;
}

/**
 * Base class of all seqlab errors. `instanceof` works across ESM and CJS copies of the
 * package because it checks a brand rather than the prototype chain.
 */
export class TensorError extends Error {
  static readonly kind: string = "TensorError";
  readonly op: string;
  readonly shapes: readonly (readonly number[])[];
  readonly expected: unknown;
  readonly got: unknown;
  declare readonly [BRAND]: readonly string[];

  constructor(message: string, fields: ErrorFields) {
    super(message);
    this.op = fields.op;
    this.shapes = fields.shapes ?? [];
    this.expected = fields.expected;
    this.got = fields.got;
    const kinds: string[] = [];
    for (let c = new.target as unknown as { kind?: string } | null; c?.kind; c = Object.getPrototypeOf(c) as typeof c) {
      kinds.push(c.kind);
    }
    Object.defineProperty(this, BRAND, { value: kinds, enumerable: false });
    this.name = (new.target as unknown as { kind: string }).kind;
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
    const kinds = (x as { [BRAND]?: readonly string[] } | null)?.[BRAND];
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }
}

/** Shapes that do not fit the op (broadcasting, matmul dims, reshape sizes...). */
export class ShapeError extends TensorError {
  static override readonly kind: string = "ShapeError";
}
/** A dimension index out of range, or repeated where it must be unique. */
export class AxisError extends TensorError {
  static override readonly kind: string = "AxisError";
}
/** A dtype the op does not accept. */
export class DTypeError extends TensorError {
  static override readonly kind: string = "DTypeError";
}
/** An index value out of range (gather, embedding, item...). */
export class IndexError extends TensorError {
  static override readonly kind: string = "IndexError";
}
/** A kernel provider failed or refused its input. */
export class BackendError extends TensorError {
  static override readonly kind: string = "BackendError";
}
/** An argument that is not a shape/dtype/axis problem: bad size, NaN, unknown option. */
export class ValueError extends TensorError {
  static override readonly kind: string = "ValueError";
}
