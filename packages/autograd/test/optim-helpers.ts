// Shared pieces of the optimizer tests: the PyTorch fixture (tools/fixtures/gen_optim_fixtures.py),
// its toy problem and gradient, and a relative-error helper.
import { readFileSync } from "node:fs";
import { tensor } from "@seqlab/tensor";
import type { Tensor } from "@seqlab/tensor";
import { noGrad } from "../src/index.js";
import { Adagrad, Adam, AdamW, RMSprop, SGD } from "../src/optim/index.js";
import type { Optimizer } from "../src/optim/index.js";

type Nested = number | Nested[];

export interface Problem {
  initial: Nested[];
  targets: Nested[];
  gradScale: number;
  sinScale: number;
}

/** Parameter groups in a fixture: indices into the problem's parameters plus options. */
export type FixtureGroup = { params: number[] } & Record<string, unknown>;

export interface OptimizerCase {
  name: string;
  optimizer: keyof typeof OPTIMIZERS;
  options: Record<string, unknown>;
  groups?: FixtureGroup[];
  noGrad?: number[];
  /** Flat parameter values after each step: [step][param][element]. */
  trajectory: number[][][];
}

export interface ScheduleCase {
  name: string;
  scheduler: string;
  options: Record<string, unknown>;
  optimizer: keyof typeof OPTIMIZERS;
  optimizerOptions: Record<string, unknown>;
  groups?: FixtureGroup[];
  metrics?: number[];
  /** Learning rate of each group at epochs 0..29: [epoch][group]. */
  lrs: number[][];
  momenta?: number[][];
  trajectory: number[][][];
  final: number[][];
}

export interface ClipCase {
  name: string;
  maxNorm: number;
  normType: number | "inf";
  grads: (Nested | null)[];
  totalNorm: number;
  clipped: (number[] | null)[];
}

export interface OptimFixture {
  torch_version: string;
  problem: Problem;
  optimizers: OptimizerCase[];
  schedules: ScheduleCase[];
  clipping: ClipCase[];
}

export const fixture = JSON.parse(readFileSync(new URL("./fixtures/optim.json", import.meta.url), "utf8")) as OptimFixture;

export const OPTIMIZERS = { SGD, Adam, AdamW, RMSprop, Adagrad };

/** Fresh float64 parameters of the fixture problem (a [3] vector, a [2, 2] matrix, a 0-d scalar). */
export function makeParams(): Tensor[] {
  return fixture.problem.initial.map((v) => tensor(v, { dtype: "float64" }).requiresGrad_());
}

const targets = fixture.problem.targets.map((v) => tensor(v, { dtype: "float64" }));

/** Set p.grad = gradScale * (p - target) + sinScale * sin(p), as the generator does; `skip` lists params left without a gradient. */
export function setGrads(params: readonly Tensor[], skip: readonly number[] = []): void {
  const { gradScale, sinScale } = fixture.problem;
  noGrad(() =>
    params.forEach((p, i) => {
      p.grad = skip.includes(i) ? null : p.sub(targets[i]!).mul(gradScale).add(p.sin().mul(sinScale));
    }),
  );
}

/** Build the optimizer a fixture case names, with groups mapped from indices to parameters. */
export function makeOptimizer(name: keyof typeof OPTIMIZERS, params: Tensor[], options: Record<string, unknown>, groups?: FixtureGroup[]): Optimizer {
  const Ctor = OPTIMIZERS[name] as unknown as new (p: unknown, o: unknown) => Optimizer;
  const input = groups === undefined ? params : groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]!) }));
  return new Ctor(input, options);
}

/** Relative error |got - want| / max(|want|, 1e-12) of each entry (lengths must agree). */
export function relErrors(got: readonly number[], want: readonly number[]): number[] {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  return got.map((g, i) => Math.abs(g - want[i]!) / Math.max(Math.abs(want[i]!), 1e-12));
}

/** Flat values of each parameter. */
export const flat = (params: readonly Tensor[]): number[][] => params.map((p) => Array.from(p.data()));

/** Run `fn` and return what it throws (failing the test if it does not). */
export function thrown(fn: () => unknown): Error & { op?: string; expected?: unknown; got?: unknown; shapes?: unknown } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}
