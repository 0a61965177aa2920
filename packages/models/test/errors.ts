// Shared assertions on thrown errors for the models tests.
import { expect } from "vitest";
import type { TensorError } from "@seqlab/tensor";

/** The error `fn` throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): TensorError {
  try {
    fn();
  } catch (e) {
    return e as TensorError;
  }
  throw new Error("expected a throw");
}

/** Expect `fn` to throw `cls` for `op`, its message `<op>: …` containing every one of `parts`; returns the error for field checks. */
export function expectError(fn: () => unknown, cls: abstract new (...args: never[]) => Error, op: string, ...parts: string[]): TensorError {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(cls);
  expect(err.op).toBe(op);
  expect(err.message.startsWith(`${op}: `)).toBe(true);
  for (const p of parts) expect(err.message).toContain(p);
  return err;
}
