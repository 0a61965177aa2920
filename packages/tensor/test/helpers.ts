// Shared test helpers: assertions on typed errors (class, fields, message format) and
// builders for non-contiguous inputs.
import { expect } from "vitest";
import { type Tensor, TensorError, arange } from "../src/index.js";

/** Error fields a test pins down; a key that is present must match exactly (toEqual). */
export interface ExpectedFields {
  op: string;
  shapes?: readonly (readonly number[])[];
  expected?: unknown;
  got?: unknown;
}

/** Run `fn` and return what it threw; fails the test when it does not throw. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return expect.fail("expected the call to throw");
}

/**
 * Assert that `fn` throws exactly `cls` (not a subclass) with the given fields, and a
 * message that starts with `<op>: ` and equals `message` (string) or matches it (RegExp).
 */
export function expectError(
  fn: () => unknown,
  cls: typeof TensorError,
  fields: ExpectedFields,
  message?: string | RegExp,
): TensorError {
  const e = thrownBy(fn);
  expect(e).toBeInstanceOf(TensorError);
  expect(e).toBeInstanceOf(cls);
  const err = e as TensorError;
  expect(err.name).toBe(cls.kind);
  expect(err.op).toBe(fields.op);
  expect(err.message.startsWith(`${fields.op}: `)).toBe(true);
  if ("shapes" in fields) expect(err.shapes).toEqual(fields.shapes);
  if ("expected" in fields) expect(err.expected).toEqual(fields.expected);
  if ("got" in fields) expect(err.got).toEqual(fields.got);
  if (typeof message === "string") expect(err.message).toBe(message);
  else if (message !== undefined) expect(err.message).toMatch(message);
  return err;
}

/** `n` float32 values 0..n-1 viewed as `shape` (contiguous). */
export const iota = (shape: readonly number[]): Tensor => arange(shape.reduce((a, b) => a * b, 1)).reshape(shape);

/** A column-major (transposed, non-contiguous) `[rows, cols]` view holding 0..n-1 in row-major order. */
export const transposedIota = (rows: number, cols: number): Tensor => iota([rows, cols]).mT.contiguous().mT;

/** Round each number to float32, for comparing against float32 tensors. */
export const f32 = (xs: readonly number[]): number[] => xs.map((x) => Math.fround(x));
