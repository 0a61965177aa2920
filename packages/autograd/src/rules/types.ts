// The shape of a VJP rule: what it saves and how it maps the output gradient to input gradients.
import type { DType, Primitive, PrimitiveAttrs, Tensor } from "@seqlab/tensor";

/** What a rule receives at backward time (generic over the primitive's attributes). */
export interface RuleContext<A> {
  readonly attrs: A;
  /** Inputs the rule saved (undefined where it did not ask to). */
  readonly inputs: readonly (Tensor | undefined)[];
  /** The output, when the rule saved it. */
  readonly output: Tensor | undefined;
  readonly inputShapes: readonly (readonly number[])[];
  readonly inputDtypes: readonly DType[];
  /** Which inputs need a gradient; rules skip the others. */
  readonly needs: readonly boolean[];
}

/** A rule for primitives with attributes `A`. Rules are written with tensor ops, so they differentiate again. */
export interface Rule<A> {
  /** Input indices and/or the output to keep for backward. */
  readonly save?: { readonly inputs?: readonly number[]; readonly output?: boolean };
  /** Input gradients (undefined for inputs that need none), given the output gradient `g`. */
  vjp(g: Tensor, ctx: RuleContext<A>): (Tensor | undefined)[];
}

/** The context of primitive `P`'s rule. */
export type VjpContext<P extends Primitive> = RuleContext<PrimitiveAttrs[P]>;
/** The VJP rule of primitive `P`. */
export type VjpRule<P extends Primitive> = Rule<PrimitiveAttrs[P]>;

/** Explicit marker for primitives with no gradient (integer/bool outputs). */
export type NotDifferentiable = "notDifferentiable";

/** One entry per primitive: adding a primitive without a rule does not compile. */
export type RuleTable = { readonly [P in Primitive]: VjpRule<P> | NotDifferentiable };
