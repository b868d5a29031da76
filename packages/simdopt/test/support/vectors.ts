/**
 * The shared reference vectors (test/vectors, float64 trajectories of PyTorch's equations) and
 * the one table that maps each vector file to an optimizer class. The Node and browser suites
 * both read this table; crates/simdopt-core/tests reads the same JSON files.
 */
import * as simdopt from 'simdopt';
import type { Optimizer, Parameter } from 'simdopt';
import sgd from '../../../../test/vectors/sgd.json';
import adam from '../../../../test/vectors/adam.json';
import adamw from '../../../../test/vectors/adamw.json';
import rmsprop from '../../../../test/vectors/rmsprop.json';
import adagrad from '../../../../test/vectors/adagrad.json';
import adadelta from '../../../../test/vectors/adadelta.json';
import adamax from '../../../../test/vectors/adamax.json';
import nadam from '../../../../test/vectors/nadam.json';
import radam from '../../../../test/vectors/radam.json';
import adopt from '../../../../test/vectors/adopt.json';
import lamb from '../../../../test/vectors/lamb.json';
import schedulefreeAdamw from '../../../../test/vectors/schedulefree_adamw.json';
import schedulefreeSgd from '../../../../test/vectors/schedulefree_sgd.json';
import adafactor from '../../../../test/vectors/adafactor.json';
import muon from '../../../../test/vectors/muon.json';

export interface OptimizerCase {
  id: string;
  optimizer: string;
  hyper: Record<string, unknown>;
  steps: number;
  /** The parameter's shape (Adafactor, Muon); absent: a vector. */
  shape?: number[];
  init: number[];
  grads: number[][];
  expected: number[][];
  final_state: Record<string, number | number[]>;
  f32_max_abs_diff: number[];
  /** Schedule-Free: steps after which the case records the eval point (eval(), compare, train()). */
  eval_after?: number[];
}

interface VectorFile {
  optimizer: string;
  cases: OptimizerCase[];
}

/** Vector file → the class that implements it. Adding an optimizer adds one line here. */
export const OPTIMIZER_VECTORS: { file: VectorFile; className: string }[] = [
  { file: sgd as VectorFile, className: 'SGD' },
  { file: adam as VectorFile, className: 'Adam' },
  { file: adamw as VectorFile, className: 'AdamW' },
  { file: rmsprop as VectorFile, className: 'RMSprop' },
  { file: adagrad, className: 'Adagrad' },
  { file: adadelta, className: 'Adadelta' },
  { file: adamax, className: 'Adamax' },
  { file: nadam, className: 'NAdam' },
  { file: radam, className: 'RAdam' },
  { file: adopt, className: 'ADOPT' },
  { file: lamb, className: 'LAMB' },
  { file: schedulefreeAdamw, className: 'ScheduleFreeAdamW' },
  { file: schedulefreeSgd, className: 'ScheduleFreeSGD' },
  { file: adafactor as unknown as VectorFile, className: 'Adafactor' },
  { file: muon, className: 'Muon' },
];

/**
 * Entries of a case's `final_state` that are diagnostics of the reference generator, not PyTorch
 * state (RAdam keeps no ρ_t in its state).
 */
export const REFERENCE_ONLY_STATE = new Set(['last_rho_t']);

/** The clip functions the ADOPT vectors name (scripts/reference/adopt.py `CLIPS`). */
export const CLIP_LAMBDAS: Record<string, (step: number) => number> = {
  'step**0.25': (s) => s ** 0.25,
  'step**0.25/4': (s) => s ** 0.25 / 4,
};

export const BACKENDS = ['wasm-simd', 'wasm', 'js'] as const;

/** PyTorch's argument names → simdopt's option names (`weight_decay` → `weightDecay`). */
export function camelOptions(hyper: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(hyper)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  // optax's names (LAMB): learning_rate, b1, b2.
  if ('learning_rate' in hyper) [out.lr, out.learningRate] = [hyper.learning_rate, undefined];
  if ('b1' in hyper) [out.betas, out.b1, out.b2] = [[hyper.b1, hyper.b2], undefined, undefined];
  for (const k of ['learningRate', 'b1', 'b2']) if (out[k] === undefined) delete out[k];
  if ('clip_lambda' in hyper) out.clipLambda = hyper.clip_lambda === null ? null : CLIP_LAMBDAS[hyper.clip_lambda as string];
  return out;
}

type OptimizerClass = new (params: Parameter[], options: Record<string, unknown>) => Optimizer<never>;

export function optimizerClass(name: string): OptimizerClass {
  const cls = (simdopt as unknown as Record<string, OptimizerClass>)[name];
  if (!cls) throw new Error(`simdopt exports no optimizer ${name}`);
  return cls;
}

/**
 * The tolerance of step k: the reference's own float32-vs-float64 drift at that step (a PyTorch-
 * like float32 computation), times 4, plus one float32 ulp of the largest value. A float32
 * implementation with a different but legitimate operation order lands inside it; a wrong formula
 * (eps placement, missing bias correction, a dampened first momentum step) misses by orders of
 * magnitude.
 */
export function tolerance(c: OptimizerCase, k: number): number {
  const scale = Math.max(...c.expected[k].map(Math.abs));
  return 4 * c.f32_max_abs_diff[k] + scale * 2 ** -23;
}

export function allOptimizerCases(): { className: string; c: OptimizerCase }[] {
  return OPTIMIZER_VECTORS.flatMap(({ file, className }) => file.cases.map((c) => ({ className, c })));
}

/**
 * Optimizers that have real-PyTorch vectors (test/vectors/torch) but no float64 reference file
 * above: PyTorch's optimizer name → class. Every optimizer of OPTIMIZER_VECTORS is known already.
 */
export const TORCH_ONLY_CLASSES: Record<string, string> = {};

/**
 * The class of PyTorch optimizer `name` ('adam' → 'Adam'), from OPTIMIZER_VECTORS and
 * TORCH_ONLY_CLASSES; undefined when simdopt's tests know no such optimizer.
 */
export function classOfOptimizer(name: string): string | undefined {
  return OPTIMIZER_VECTORS.find(({ file }) => file.optimizer === name)?.className ?? TORCH_ONLY_CLASSES[name];
}
