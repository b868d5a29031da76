/**
 * A float64 reference of every optimizer, written straight from docs/SEMANTICS.md, one parameter at a
 * time (PyTorch's single-tensor loop). It is checked against test/vectors first
 * (reference.test.ts), then serves as the oracle where no vector exists: Lion, options changed
 * between steps, frozen parameters whose step counter lags.
 */

import { defaultsOf, type Schema } from '../../src/options/schema.js';
import { OPTIMIZERS } from '../../src/optim/registry.js';

/** Options in simdopt's names (camelCase), read at every step as PyTorch reads its group. */
export type RefOptions = Record<string, unknown> & { lr: number };

/** One parameter's state: `step`, per-element buffers under PyTorch's names, scalars. */
export interface RefState {
  step: number;
  buffers: Record<string, Float64Array>;
  muProduct: number;
  /** ASGD's η and μ (absent until its first step). */
  eta?: number;
  mu?: number;
  /** The group's step count (Schedule-Free keeps its scalars per group, not per parameter). */
  groupStep?: number;
  /** Schedule-Free's group bookkeeping, replayed per parameter. */
  book?: { k: number; weightSum: number; lrMax: number };
}

export function newRefState(className: string, n: number, constructorOptions: RefOptions): RefState {
  const st: RefState = { step: 0, buffers: {}, muProduct: 1 };
  if (className === 'Adagrad') {
    st.buffers.sum = new Float64Array(n).fill((constructorOptions.initialAccumulatorValue as number) ?? 0);
  }
  return st;
}

function buffer(st: RefState, name: string, n: number): Float64Array {
  return (st.buffers[name] ??= new Float64Array(n));
}

/** `torch.lerp` in float64 (the two-branch form ATen uses). */
function lerp(a: number, b: number, w: number): number {
  return Math.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/** One step of `className` on `p` (updated in place) from gradient `grad`. */
export function referenceStep(className: string, o: RefOptions, p: Float64Array, grad: ArrayLike<number>, st: RefState): void {
  const n = p.length;
  const lr = o.lr;
  const wd = (o.weightDecay as number) ?? 0;
  const maximize = o.maximize === true;
  const [beta1, beta2] = (o.betas as [number, number]) ?? [0, 0];
  const eps = o.eps as number;
  st.step += 1;
  const t = st.step;
  const g = Float64Array.from(grad, (x) => (maximize ? -x : x));
  if (className === 'ADOPT') return adoptStep(o, p, g, st);
  if (className === 'LAMB') return lambStep(o, p, g, st);
  if (className.startsWith('ScheduleFree')) return scheduleFreeStep(className === 'ScheduleFreeAdamW', o, p, Float64Array.from(grad), st);
  const decoupled = className === 'AdamW' || className === 'Lion' || o.decoupledWeightDecay === true;
  if (wd !== 0) {
    for (let i = 0; i < n; i++) {
      if (decoupled) p[i] *= 1 - lr * wd;
      else g[i] += wd * p[i];
    }
  }
  switch (className) {
    case 'SGD': {
      const mu = o.momentum as number;
      const first = st.buffers.momentum_buffer === undefined;
      const b = mu !== 0 ? buffer(st, 'momentum_buffer', n) : null;
      for (let i = 0; i < n; i++) {
        let d = g[i];
        if (b) {
          b[i] = first ? g[i] : mu * b[i] + (1 - (o.dampening as number)) * g[i];
          d = o.nesterov ? g[i] + mu * b[i] : b[i];
        }
        p[i] -= lr * d;
      }
      return;
    }
    case 'Adam':
    case 'AdamW': {
      const m = buffer(st, 'exp_avg', n);
      const v = buffer(st, 'exp_avg_sq', n);
      const vmax = o.amsgrad ? buffer(st, 'max_exp_avg_sq', n) : null;
      const bc1 = 1 - beta1 ** t;
      const bc2 = 1 - beta2 ** t;
      for (let i = 0; i < n; i++) {
        m[i] = lerp(m[i], g[i], 1 - beta1);
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        let s = v[i];
        if (vmax) s = vmax[i] = Math.max(vmax[i], v[i]);
        p[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(s) / Math.sqrt(bc2) + eps);
      }
      return;
    }
    case 'RMSprop': {
      const alpha = o.alpha as number;
      const mu = o.momentum as number;
      const v = buffer(st, 'square_avg', n);
      const b = mu > 0 ? buffer(st, 'momentum_buffer', n) : null;
      const ga = o.centered ? buffer(st, 'grad_avg', n) : null;
      for (let i = 0; i < n; i++) {
        v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i];
        let avg: number;
        if (ga) {
          ga[i] = lerp(ga[i], g[i], 1 - alpha);
          avg = Math.sqrt(v[i] - ga[i] * ga[i]) + eps;
        } else {
          avg = Math.sqrt(v[i]) + eps;
        }
        if (b) {
          b[i] = mu * b[i] + g[i] / avg;
          p[i] -= lr * b[i];
        } else {
          p[i] -= (lr * g[i]) / avg;
        }
      }
      return;
    }
    case 'Adagrad': {
      const sum = buffer(st, 'sum', n);
      const clr = lr / (1 + (t - 1) * (o.lrDecay as number));
      for (let i = 0; i < n; i++) {
        sum[i] += g[i] * g[i];
        p[i] -= (clr * g[i]) / (Math.sqrt(sum[i]) + eps);
      }
      return;
    }
    case 'Adadelta': {
      const rho = o.rho as number;
      const v = buffer(st, 'square_avg', n);
      const u = buffer(st, 'acc_delta', n);
      for (let i = 0; i < n; i++) {
        v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
        const delta = (Math.sqrt(u[i] + eps) / Math.sqrt(v[i] + eps)) * g[i];
        u[i] = rho * u[i] + (1 - rho) * delta * delta;
        p[i] -= lr * delta;
      }
      return;
    }
    case 'Adamax': {
      const m = buffer(st, 'exp_avg', n);
      const u = buffer(st, 'exp_inf', n);
      const clr = lr / (1 - beta1 ** t);
      for (let i = 0; i < n; i++) {
        m[i] = lerp(m[i], g[i], 1 - beta1);
        u[i] = Math.max(beta2 * u[i], Math.abs(g[i]) + eps);
        p[i] -= (clr * m[i]) / u[i];
      }
      return;
    }
    case 'NAdam': {
      const psi = o.momentumDecay as number;
      const m = buffer(st, 'exp_avg', n);
      const v = buffer(st, 'exp_avg_sq', n);
      const bc2 = 1 - beta2 ** t;
      const mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
      st.muProduct *= mu;
      for (let i = 0; i < n; i++) {
        m[i] = lerp(m[i], g[i], 1 - beta1);
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        const denom = Math.sqrt(v[i] / bc2) + eps;
        p[i] -= (((lr * (1 - mu)) / (1 - st.muProduct)) * g[i]) / denom;
        p[i] -= (((lr * muNext) / (1 - st.muProduct * muNext)) * m[i]) / denom;
      }
      return;
    }
    case 'RAdam': {
      const m = buffer(st, 'exp_avg', n);
      const v = buffer(st, 'exp_avg_sq', n);
      const bc1 = 1 - beta1 ** t;
      const bc2 = 1 - beta2 ** t;
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
      for (let i = 0; i < n; i++) {
        m[i] = lerp(m[i], g[i], 1 - beta1);
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        const mHat = m[i] / bc1;
        if (rhoT > 5) {
          const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
          p[i] -= ((lr * mHat * Math.sqrt(bc2)) / (Math.sqrt(v[i]) + eps)) * r;
        } else {
          p[i] -= lr * mHat;
        }
      }
      return;
    }
    case 'Lion': {
      const m = buffer(st, 'exp_avg', n);
      for (let i = 0; i < n; i++) {
        const c = beta1 * m[i] + (1 - beta1) * g[i];
        p[i] -= lr * Math.sign(c);
        m[i] = beta2 * m[i] + (1 - beta2) * g[i];
      }
      return;
    }
    case 'ASGD': {
      const ax = buffer(st, 'ax', n);
      const lambd = o.lambd as number;
      const eta = st.eta ?? lr;
      const mu = st.mu ?? 1;
      for (let i = 0; i < n; i++) {
        p[i] = p[i] * (1 - lambd * eta) - eta * g[i];
        ax[i] = mu === 1 ? p[i] : ax[i] + (p[i] - ax[i]) * mu;
      }
      st.eta = lr / (1 + lambd * lr * t) ** (o.alpha as number);
      st.mu = 1 / Math.max(1, t - (o.t0 as number));
      return;
    }
    case 'Rprop': {
      const prev = buffer(st, 'prev', n);
      const fresh = st.buffers.step_size === undefined;
      const size = buffer(st, 'step_size', n);
      if (fresh) size.fill(lr);
      const [etaMinus, etaPlus] = o.etas as [number, number];
      const [lo, hi] = o.stepSizes as [number, number];
      for (let i = 0; i < n; i++) {
        const prod = g[i] * prev[i];
        const factor = prod > 0 ? etaPlus : prod < 0 ? etaMinus : 1;
        size[i] = Math.min(Math.max(size[i] * factor, lo), hi);
        const gi = prod < 0 ? 0 : g[i];
        p[i] -= Math.sign(gi) * size[i];
        prev[i] = gi;
      }
      return;
    }
    default:
      throw new Error(`no reference for ${className}`);
  }
}

/**
 * The defaults of the public API contract (API.md, the tables of docs/SEMANTICS.md), PyTorch's
 * names camelCased: a copy kept by hand as an independent check of the schemas' defaults
 * (optimizers.test.ts "API.md's defaults"). No suite takes its list of optimizers from it, and
 * nothing reads API.md at test time. A new optimizer's defaults are checked against its class
 * comment by options-types.test.ts; add its row here when API.md lists it.
 */
export const API_DEFAULTS: Record<string, Record<string, unknown>> = {
  SGD: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  Adam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false },
  AdamW: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, decoupledWeightDecay: true },
  RMSprop: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  Adagrad: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  Adadelta: { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  Adamax: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  NAdam: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, maximize: false },
  RAdam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false },
  Lion: { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0, maximize: false },
  ASGD: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false },
  Rprop: { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false },
  ADOPT: { lr: 1e-3, betas: [0.9, 0.9999], eps: 1e-6, weightDecay: 0, decouple: false, maximize: false },
  LAMB: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, epsRoot: 0, weightDecay: 0, maximize: false },
  ScheduleFreeAdamW: { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, warmupSteps: 0, r: 0, weightLrPower: 2 },
  ScheduleFreeSGD: { lr: 1, momentum: 0.9, weightDecay: 0, warmupSteps: 0, r: 0, weightLrPower: 2 },
};

/** The schema of registered optimizer `className`. */
export function schemaOf(className: string): Schema {
  const entry = OPTIMIZERS.find((o) => o.name === className);
  if (entry?.schema === undefined) throw new Error(`no schema for ${className}`);
  return entry.schema;
}

/** The schema's defaults of registered optimizer `className` (options only, no skipNonFinite). */
export function schemaDefaults(className: string): Record<string, unknown> {
  const { skipNonFinite: _, ...options } = defaultsOf(schemaOf(className));
  return options;
}

/** Optimizers stepped with a closure (`step(closure)`, the registry's `stepping: 'closure'`); tested in lbfgs.test.ts. */
export const CLOSURE_OPTIMIZERS = OPTIMIZERS.filter((o) => o.stepping === 'closure').map((o) => o.name);

/**
 * The optimizers whose step is element-wise over any parameter (the registry's `stepping:
 * 'flat'`): the suites that step 1-D parameters without the float64 oracle (state dicts,
 * checkpoints, non-finite gradients, fuzzing, backend agreement) iterate these.
 */
export const FLAT_OPTIMIZERS = OPTIMIZERS.filter((o) => o.stepping === 'flat').map((o) => o.name);

/**
 * Flat optimizers that `referenceStep` cannot model one parameter at a time: Prodigy's d is shared
 * by every parameter of every group (prodigy.test.ts covers it against its vectors).
 */
export const NO_PER_PARAMETER_REFERENCE = ['Prodigy'];

/**
 * The flat optimizers the per-parameter float64 oracle (`referenceStep`) covers: optimizers.test.ts
 * steps them against it. A new flat optimizer lands here and fails until `referenceStep` has it.
 */
export const OPTIMIZER_CLASSES = FLAT_OPTIMIZERS.filter((name) => !NO_PER_PARAMETER_REFERENCE.includes(name));

/**
 * ADOPT as iShohei220/adopt src/adopt/adopt.py: the first step only sets v; `clipLambda` (an
 * optimizer option, default step ** 0.25) takes the step count before its increment.
 */
function adoptStep(o: RefOptions, p: Float64Array, g: Float64Array, st: RefState): void {
  const n = p.length;
  const [beta1, beta2] = o.betas as [number, number];
  const wd = o.weightDecay as number;
  const clipLambda = o.clipLambda === undefined ? (s: number) => s ** 0.25 : (o.clipLambda as ((s: number) => number) | null);
  const m = buffer(st, 'exp_avg', n);
  const v = buffer(st, 'exp_avg_sq', n);
  const step = st.step - 1;
  if (wd !== 0 && o.decouple !== true) for (let i = 0; i < n; i++) g[i] += wd * p[i];
  if (step === 0) {
    for (let i = 0; i < n; i++) v[i] += g[i] * g[i];
    return;
  }
  const c = clipLambda === null ? Infinity : clipLambda(step);
  for (let i = 0; i < n; i++) {
    if (wd !== 0 && o.decouple === true) p[i] -= o.lr * wd * p[i];
    const denom = Math.max(Math.sqrt(v[i]), o.eps as number);
    const x = Math.min(Math.max(g[i] / denom, -c), c);
    m[i] = lerp(m[i], x, 1 - beta1);
    p[i] -= o.lr * m[i];
    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
  }
}

/** LAMB as optax.lamb: Adam's direction plus wd·p, scaled by ‖p‖/‖u‖ of this parameter (1 if either is 0). */
function lambStep(o: RefOptions, p: Float64Array, g: Float64Array, st: RefState): void {
  const n = p.length;
  const [beta1, beta2] = o.betas as [number, number];
  const wd = o.weightDecay as number;
  const mu = buffer(st, 'mu', n);
  const nu = buffer(st, 'nu', n);
  const u = new Float64Array(n);
  let pp = 0;
  let uu = 0;
  for (let i = 0; i < n; i++) {
    mu[i] = (1 - beta1) * g[i] + beta1 * mu[i];
    nu[i] = (1 - beta2) * g[i] * g[i] + beta2 * nu[i];
    const mHat = mu[i] / (1 - beta1 ** st.step);
    const vHat = nu[i] / (1 - beta2 ** st.step);
    u[i] = mHat / (Math.sqrt(vHat + (o.epsRoot as number)) + (o.eps as number)) + wd * p[i];
    pp += p[i] * p[i];
    uu += u[i] * u[i];
  }
  const ratio = pp === 0 || uu === 0 ? 1 : Math.sqrt(pp) / Math.sqrt(uu);
  for (let i = 0; i < n; i++) p[i] -= o.lr * ratio * u[i];
}

/**
 * Schedule-Free (facebookresearch/schedule_free) in train mode. The group scalars advance once per
 * group step (`st.groupStep`, else the parameter's own count); a parameter that sat out steps
 * catches up on them with the current options.
 */
function scheduleFreeStep(adaptive: boolean, o: RefOptions, p: Float64Array, g: Float64Array, st: RefState): void {
  const n = p.length;
  const book = (st.book ??= { k: 0, weightSum: 0, lrMax: -1 });
  const target = st.groupStep ?? st.step;
  const warmup = o.warmupSteps as number;
  let ckp1 = 0;
  let lr = 0;
  while (book.k < target) {
    const k = book.k;
    lr = o.lr * (k < warmup ? (k + 1) / warmup : 1);
    book.lrMax = Math.max(lr, book.lrMax);
    const weight = (k + 1) ** (o.r as number) * book.lrMax ** (o.weightLrPower as number);
    book.weightSum += weight;
    ckp1 = book.weightSum !== 0 ? weight / book.weightSum : 0;
    book.k = k + 1;
  }
  const first = st.buffers.z === undefined;
  const z = buffer(st, 'z', n);
  if (first) z.set(p);
  const beta1 = adaptive ? (o.betas as [number, number])[0] : (o.momentum as number);
  const beta2 = adaptive ? (o.betas as [number, number])[1] : 0;
  const v = adaptive ? buffer(st, 'exp_avg_sq', n) : null;
  const wd = o.weightDecay as number;
  for (let i = 0; i < n; i++) {
    let d = g[i];
    if (v) {
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      d = g[i] / (Math.sqrt(v[i] / (1 - beta2 ** book.k)) + (o.eps as number));
    }
    d += wd * p[i];
    p[i] = lerp(p[i], z[i], ckp1) + lr * (beta1 * (1 - ckp1) - 1) * d;
    z[i] -= lr * d;
  }
}

/** Schedule-Free's train (`toTrain`) or eval switch of one parameter: p ← lerp(p, z, 1 − β or 1 − 1/β). */
export function scheduleFreeSwitch(className: string, o: RefOptions, p: Float64Array, st: RefState, toTrain: boolean): void {
  const z = st.buffers.z;
  if (z === undefined) return;
  const beta = className === 'ScheduleFreeAdamW' ? (o.betas as [number, number])[0] : (o.momentum as number);
  const w = toTrain ? 1 - beta : 1 - 1 / beta;
  for (let i = 0; i < p.length; i++) p[i] = lerp(p[i], z[i], w);
}
