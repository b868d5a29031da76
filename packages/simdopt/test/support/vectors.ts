/// <reference types="vite/client" />
/**
 * The shared reference vectors (test/vectors, float64 trajectories of PyTorch's equations), each
 * file mapped to its optimizer class through the registry. The Node and browser suites both read
 * them; crates/simdopt-core/tests reads the same JSON files.
 */
import * as simdopt from 'simdopt';
import type { Optimizer, Parameter } from 'simdopt';
import { OPTIMIZERS, type OptimizerEntry } from '../../src/optim/registry.js';

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

/**
 * The registry entry of an optimizer as vector files name it: the class name in lower case without
 * underscores ('adam' → Adam, 'schedulefree_adamw' → ScheduleFreeAdamW); undefined for none.
 */
export function entryOf(optimizer: string): OptimizerEntry | undefined {
  const key = optimizer.replace(/_/g, '').toLowerCase();
  return OPTIMIZERS.find((o) => o.name.toLowerCase() === key);
}

/** Every float64 vector file of test/vectors, by path. */
const FILES = import.meta.glob<Record<string, unknown>>('../../../../test/vectors/*.json', { eager: true, import: 'default' });

/**
 * A file of one optimizer's cases in this format (`hyper`, `init`, `grads`, `expected`): Prodigy's
 * file (param groups, checked by prodigy.test.ts) and the scheduler and clipping files are not.
 */
function isOptimizerFile(f: Record<string, unknown>): f is Record<string, unknown> & VectorFile {
  const cases = f.cases as Record<string, unknown>[] | undefined;
  return typeof f.optimizer === 'string' && Array.isArray(cases) && cases.every((c) => 'hyper' in c && 'expected' in c);
}

/**
 * Vector file → the class that implements it, found in the registry (src/optim/registry.ts) by
 * the file's `optimizer`: a new optimizer's file is picked up with no line here. A file of this
 * format naming no registered optimizer fails vectors.test.ts.
 */
export const OPTIMIZER_VECTORS: { file: VectorFile; className: string; path: string }[] = Object.entries(FILES)
  .filter((e): e is [string, Record<string, unknown> & VectorFile] => isOptimizerFile(e[1]))
  .map(([path, file]) => ({ file, className: entryOf(file.optimizer)?.name ?? `(no class for '${file.optimizer}')`, path }));

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

/** PyTorch's vector files (test/vectors/torch), by path: their `final_state` names state too. */
const TORCH_FILES = import.meta.glob<Record<string, unknown>>('../../../../test/vectors/torch/*.json', { eager: true, import: 'default' });

/**
 * The state names each optimizer's vector files record (the union of their cases' `final_state`
 * keys, float64 and real-PyTorch files, generator diagnostics left out), by class. These files
 * come from the float64 references and from PyTorch, not from simdopt: suites check simdopt's
 * state dict names against them.
 */
export function vectorStateNames(): Record<string, string[]> {
  const names: Record<string, Set<string>> = {};
  for (const f of [...Object.values(FILES), ...Object.values(TORCH_FILES)]) {
    const className = typeof f.optimizer === 'string' ? entryOf(f.optimizer)?.name : undefined;
    if (className === undefined || !Array.isArray(f.cases)) continue;
    for (const c of f.cases as { final_state?: unknown }[]) {
      // Prodigy's file holds one state per parameter.
      const states = Array.isArray(c.final_state) ? c.final_state : [c.final_state];
      for (const st of states) {
        if (st === null || typeof st !== 'object') continue;
        for (const k of Object.keys(st)) if (!REFERENCE_ONLY_STATE.has(k)) (names[className] ??= new Set()).add(k);
      }
    }
  }
  return Object.fromEntries(Object.entries(names).map(([k, v]) => [k, [...v].sort()]));
}

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
 * The class of PyTorch optimizer `name` ('adam' → 'Adam'), from the registry; undefined when
 * simdopt has no such optimizer.
 */
export function classOfOptimizer(name: string): string | undefined {
  return entryOf(name)?.name;
}
