/**
 * The optimizers and schedulers the playground offers, with their knobs. The optimizers are
 * simdopt's registry (packages/simdopt/src/optim/registry.ts): each registered optimizer is
 * offered with knobs made from its option schema, unless a line below tunes them (an lr that
 * suits the problem, the knobs worth showing). A scheduler appears when the loaded simdopt
 * exports a class of its name; a new one needs one line here.
 */
// The registry is no public export: the playground resolves `simdopt` to these sources (vite.config.ts).
import { OPTIMIZERS as REGISTRY, type OptimizerEntry } from '../../../packages/simdopt/src/optim/registry.js';

/** What a default may depend on: the run length and the learning rates that suit the problem. */
export interface Context {
  steps: number;
  /** Learning rates for plain SGD and for step-normalising methods (Adam & co.). */
  lr: { sgd: number; adaptive: number };
  /** The optimizer's chosen lr (schedulers that cycle around it). */
  optimizerLr: number;
}

export interface Knob {
  /** Option name; `beta1`/`beta2` are folded into `betas`. */
  key: string;
  default: number | boolean | ((ctx: Context) => number);
  min?: number;
  max?: number;
  integer?: boolean;
}

export interface Spec {
  name: string;
  knobs: Knob[];
  /** ReduceLROnPlateau steps on the loss. */
  stepsOnMetric?: boolean;
  /**
   * Takes 2-D parameters only (Muon): a racer's point is a 1×2 matrix, and the classifier gives
   * its biases to an AdamW companion at the same lr, as PyTorch users pair Muon.
   */
  matricesOnly?: boolean;
}

const lr = (scale: number, kind: 'sgd' | 'adaptive' = 'adaptive'): Knob => ({ key: 'lr', default: (c) => c.lr[kind] * scale, min: 0 });
const num = (key: string, value: number, max?: number): Knob => ({ key, default: value, min: 0, max });
const int = (key: string, value: (c: Context) => number): Knob => ({ key, default: value, min: 1, integer: true });
const flag = (key: string, value = false): Knob => ({ key, default: value });
const betas = (b1: number, b2: number): Knob[] => [num('beta1', b1, 0.9999), num('beta2', b2, 0.9999)];

// Tuned lines, by registry name (PyTorch's defaults, except lr: a rate that suits the problem).
const TUNED: Spec[] = [
  { name: 'SGD', knobs: [lr(1, 'sgd'), num('momentum', 0.9, 0.999), num('dampening', 0, 1), flag('nesterov'), num('weightDecay', 0)] },
  { name: 'Adam', knobs: [lr(1), ...betas(0.9, 0.999), num('eps', 1e-8), flag('amsgrad'), num('weightDecay', 0)] },
  { name: 'AdamW', knobs: [lr(1), ...betas(0.9, 0.999), num('eps', 1e-8), flag('amsgrad'), num('weightDecay', 0.01)] },
  { name: 'RMSprop', knobs: [lr(0.5), num('alpha', 0.99, 1), num('momentum', 0, 0.999), flag('centered'), num('weightDecay', 0)] },
  { name: 'Adagrad', knobs: [lr(10), num('lrDecay', 0), num('initialAccumulatorValue', 0), num('weightDecay', 0)] },
  { name: 'Adadelta', knobs: [{ key: 'lr', default: 1, min: 0 }, num('rho', 0.9, 1), num('eps', 1e-6), num('weightDecay', 0)] },
  { name: 'Adamax', knobs: [lr(1), ...betas(0.9, 0.999), num('weightDecay', 0)] },
  { name: 'NAdam', knobs: [lr(1), ...betas(0.9, 0.999), num('momentumDecay', 4e-3), num('weightDecay', 0)] },
  { name: 'RAdam', knobs: [lr(1), ...betas(0.9, 0.999), num('weightDecay', 0)] },
  { name: 'Lion', knobs: [lr(0.3), ...betas(0.9, 0.99), num('weightDecay', 0)] },
  { name: 'ASGD', knobs: [lr(1, 'sgd'), num('lambd', 1e-4), num('alpha', 0.75), num('t0', 1e6), num('weightDecay', 0)] },
  { name: 'Rprop', knobs: [lr(0.2), num('etaMinus', 0.5, 0.999), num('etaPlus', 1.2), num('stepSizeMax', 50)] },
  // L-BFGS: stepped with a closure (runStep); lr 1 with the strong-Wolfe line search.
  { name: 'LBFGS', knobs: [{ key: 'lr', default: 1, min: 0 }, int('maxIter', () => 20), int('historySize', () => 100), flag('strongWolfe', true)] },
  { name: 'ADOPT', knobs: [lr(1), ...betas(0.9, 0.9999), num('eps', 1e-6), num('weightDecay', 0), flag('decouple')] },
  { name: 'LAMB', knobs: [lr(0.3), ...betas(0.9, 0.999), num('eps', 1e-6), num('weightDecay', 0)] },
  { name: 'ScheduleFreeAdamW', knobs: [lr(1), ...betas(0.9, 0.999), num('eps', 1e-8), num('weightDecay', 0), { key: 'warmupSteps', default: 0, min: 0, integer: true }, num('r', 0)] },
  // lr 1, whatever the problem: d, estimated on the fly, is the step size.
  { name: 'Prodigy', knobs: [{ key: 'lr', default: 1, min: 0 }, ...betas(0.9, 0.999), num('d0', 1e-6), num('dCoef', 1), num('weightDecay', 0), flag('useBiasCorrection'), flag('safeguardWarmup')] },
  { name: 'ScheduleFreeSGD', knobs: [lr(1, 'sgd'), num('momentum', 0.9, 0.999), num('weightDecay', 0), { key: 'warmupSteps', default: 0, min: 0, integer: true }, num('r', 0)] },
  // lr caps Adafactor's relative step (a step is about ρ·RMS(p)); beta2Decay is ≤ 0.
  { name: 'Adafactor', knobs: [lr(1), { key: 'beta2Decay', default: -0.8, max: 0 }, { key: 'd', default: 1, min: 1 }, num('weightDecay', 0)] },
  { name: 'Muon', knobs: [lr(1), num('momentum', 0.95, 0.999), flag('nesterov', true), num('weightDecay', 0)], matricesOnly: true },
];

/** Whether the option's own check refuses `v`. */
function refuses(check: (name: string, v: unknown) => void, v: unknown): boolean {
  try {
    check('x', v);
    return false;
  } catch {
    return true;
  }
}

/**
 * Knobs from an option schema, at its defaults (lr included: PyTorch's): a knob per number
 * (bounds and integrality as the option's check has them), `beta1`/`beta2` for `betas`, a flag per
 * boolean but `maximize`. Options of other types (pairs, strings, null) keep their defaults.
 */
export function knobsOf(entry: OptimizerEntry): Knob[] {
  const knobs: Knob[] = [];
  for (const [key, o] of Object.entries(entry.schema?.options ?? {})) {
    const d = o.default;
    if (o.type === 'number' && typeof d === 'number' && Number.isFinite(d)) {
      const knob: Knob = { key, default: d };
      if (refuses(o.check, -1)) knob.min = 0;
      if (Number.isInteger(d) && refuses(o.check, d + 0.5)) knob.integer = true;
      else if (!refuses(o.check, 1) && refuses(o.check, 1.5)) knob.max = 1;
      knobs.push(knob);
    } else if (key === 'betas' && Array.isArray(d) && d.length === 2) knobs.push(...betas(d[0] as number, d[1] as number));
    else if (o.type === 'boolean' && typeof d === 'boolean' && key !== 'maximize') knobs.push(flag(key, d));
  }
  return knobs;
}

/** Registered optimizers that are stepped with a closure (L-BFGS). */
const CLOSURE = REGISTRY.filter((e) => e.stepping === 'closure').map((e) => e.cls);

/**
 * Every registered optimizer: the tuned lines (in their order), then a line made from the schema
 * for each optimizer nobody tuned. A tuned line must name a registered optimizer.
 */
export function fromRegistry(registry: readonly OptimizerEntry[], tuned: readonly Spec[]): Spec[] {
  for (const t of tuned) if (!registry.some((e) => e.name === t.name)) throw new Error(`playground: ${t.name} is not in the optimizer registry`);
  return [...tuned, ...registry.filter((e) => !tuned.some((t) => t.name === e.name)).map((e) => ({ name: e.name, knobs: knobsOf(e) }))];
}

export const OPTIMIZERS: Spec[] = fromRegistry(REGISTRY, TUNED);

/**
 * `module` with every registered optimizer class besides its own exports: what the page can
 * construct (a registered class the package does not export yet included).
 */
export function withRegistry(module: object): object {
  return { ...Object.fromEntries(REGISTRY.map((e) => [e.name, e.cls])), ...module };
}

// One line per scheduler ('none' is always there); lengths follow the run's number of steps.
export const SCHEDULERS: Spec[] = [
  { name: 'StepLR', knobs: [int('stepSize', (c) => Math.round(c.steps / 4)), num('gamma', 0.5)] },
  { name: 'ExponentialLR', knobs: [num('gamma', 0.995)] },
  { name: 'CosineAnnealingLR', knobs: [int('tMax', (c) => c.steps), num('etaMin', 0)] },
  { name: 'CosineAnnealingWarmRestarts', knobs: [int('t0', (c) => Math.round(c.steps / 4)), int('tMult', () => 1), num('etaMin', 0)] },
  { name: 'LinearLR', knobs: [num('startFactor', 1 / 3, 1), num('endFactor', 1, 1), int('totalIters', (c) => Math.round(c.steps / 10))] },
  { name: 'ConstantLR', knobs: [num('factor', 1 / 3, 1), int('totalIters', (c) => Math.round(c.steps / 10))] },
  { name: 'PolynomialLR', knobs: [int('totalIters', (c) => c.steps), num('power', 1)] },
  // One step more than the run: PyTorch's OneCycleLR refuses to step past totalSteps.
  { name: 'OneCycleLR', knobs: [{ key: 'maxLr', default: (c) => c.optimizerLr, min: 0 }, int('totalSteps', (c) => c.steps + 1), num('pctStart', 0.3, 1), flag('cycleMomentum')] },
  { name: 'CyclicLR', knobs: [{ key: 'baseLr', default: (c) => c.optimizerLr / 10, min: 0 }, { key: 'maxLr', default: (c) => c.optimizerLr, min: 0 }, int('stepSizeUp', (c) => Math.round(c.steps / 8)), flag('cycleMomentum')] },
  { name: 'ReduceLROnPlateau', knobs: [num('factor', 0.5, 1), int('patience', () => 20), num('threshold', 1e-4)], stepsOnMetric: true },
];

export type Values = Record<string, number | boolean>;

/** The entries whose class the module exports (feature detection, e.g. `'RMSprop' in simdopt`). */
export function available(specs: Spec[], module: object): Spec[] {
  return specs.filter((s) => typeof (module as Record<string, unknown>)[s.name] === 'function');
}

export function defaults(spec: Spec, ctx: Context): Values {
  const out: Values = {};
  for (const k of spec.knobs) out[k.key] = typeof k.default === 'function' ? k.default(ctx) : k.default;
  return out;
}

/** Knob values → the class's options object (`beta1`, `beta2` → `betas`). */
export function toOptions(spec: Spec, values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of spec.knobs) {
    const v = values[k.key] ?? (typeof k.default === 'function' ? undefined : k.default);
    if (v === undefined) continue;
    if (k.key === 'etaMinus' || k.key === 'etaPlus') {
      const pair = (out.etas as number[] | undefined) ?? [0.5, 1.2];
      pair[k.key === 'etaMinus' ? 0 : 1] = v as number;
      out.etas = pair;
    } else if (k.key === 'stepSizeMax') out.stepSizes = [1e-6, v];
    else if (k.key === 'strongWolfe') out.lineSearchFn = v ? 'strong_wolfe' : null;
    else if (k.key === 'beta1' || k.key === 'beta2') {
      const pair = (out.betas as number[] | undefined) ?? [0.9, 0.999];
      pair[k.key === 'beta1' ? 0 : 1] = v as number;
      out.betas = pair;
    } else out[k.key] = k.integer ? Math.max(1, Math.round(v as number)) : v;
  }
  return out;
}

type Ctor = new (...args: unknown[]) => unknown;

export function construct<T>(module: object, spec: Spec, first: unknown, values: Values): T {
  const cls = (withRegistry(module) as Record<string, Ctor>)[spec.name];
  if (typeof cls !== 'function') throw new Error(`simdopt exports no ${spec.name}`);
  const made = new cls(first, toOptions(spec, values)) as { train?: unknown };
  // Schedule-Free starts in eval mode (as its reference); the playground steps it at y.
  if (typeof made.train === 'function') (made as { train(): void }).train();
  return made as T;
}

/** A short label: the name and the knobs that differ from their defaults (lr always). */
export function describeChoice(spec: Spec, values: Values, ctx: Context): string {
  const d = defaults(spec, ctx);
  const parts = spec.knobs
    .filter((k) => k.key === 'lr' || values[k.key] !== d[k.key])
    .map((k) => `${k.key}=${formatValue(values[k.key])}`);
  return parts.length ? `${spec.name} ${parts.join(' ')}` : spec.name;
}

export function formatValue(v: number | boolean | undefined): string {
  if (typeof v !== 'number') return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(1);
}

/**
 * One optimizer step. `evaluate` writes the gradients for the current parameters and returns the
 * loss; a closure optimizer (the registry's 'closure' stepping: L-BFGS) calls it as often as it
 * needs, the others once before `step()`. Returns the loss at the parameters before the step.
 */
export function runStep(opt: object, evaluate: () => number): number {
  const o = opt as { step(c?: () => number): unknown };
  if (CLOSURE.some((cls) => opt instanceof cls)) return o.step(evaluate) as number;
  const loss = evaluate();
  o.step();
  return loss;
}
