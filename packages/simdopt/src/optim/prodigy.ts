/** Prodigy: options schema, the two kernels (js twins) and the class; see the class comment. */
import type { OptimizerSumsKernel } from '../backend/backend.js';
import { fail } from '../errors.js';
import { LaneSum } from '../stream.js';
import { checkInteger, checkPositive, checkRange } from '../validate.js';
import { adamBetas, boolean, hasFlag, kernel, lr, nonNegative, Optimizer, schema, spec, weightDecay, type ParamsInput, type StepContext } from './house.js';
import type { GroupRun, StepOptions } from './optimizer.js';
import type { ProdigyOptions } from './options.js';

export type { ProdigyOptions };

const positive = spec('number', checkPositive);

/** Prodigy's options (src/optim/options.ts is generated from this). */
export const prodigySchema = schema('Prodigy', 'prodigyopt.Prodigy', {
  lr: lr(1),
  betas: adamBetas(0.9, 0.999),
  beta3: spec('number | null', (n, v) => {
    if (v !== null) checkRange(n, v, 0, 1, true);
  })(null, 'Coefficient of the running averages of d_numerator and s; null: √β2.', 'beta3'),
  eps: positive(1e-8, 'Added to the denominator (times d) for numerical stability.', 'eps'),
  weightDecay: weightDecay(),
  decouple: boolean(true, 'Decay `p·(1 − wd·d·lr)` as AdamW instead of adding `wd·p` to the gradient.', 'decouple'),
  useBiasCorrection: boolean(false, "Scale the step by Adam's bias correction √(1 − β2^(k+1)) / (1 − β1^(k+1)).", 'use_bias_correction'),
  safeguardWarmup: boolean(false, 'Leave lr out of the s update (and so of the d estimate) during warm-up.', 'safeguard_warmup'),
  d0: positive(1e-6, 'Initial estimate of d.', 'd0'),
  dCoef: nonNegative(1, 'Coefficient of the estimate of d.', 'd_coef'),
  growthRate: spec('number', (n, v) => {
    if (typeof v !== 'number' || !(v > 0)) fail(n, 'a number > 0 (Infinity: unbounded)', v);
  })(Infinity, 'Bound on the growth of d per step (d ≤ growthRate·d_previous).', 'growth_rate'),
});

const f = Math.fround;

// Argument blocks (crates/simdopt-core/src/optim/prodigy.rs, `measure_arg` and `arg`).
const M_FIRST = 1;
const M_ACCUMULATE = 2;
const M_COUPLED = 4;
const MOMENTS = 1;
const MOVE = 2;
const COUPLED = 4;
const DECOUPLED = 8;
const MEASURE_ARGS = 4;

/** The measuring pass: `p0 ← p` (first step), `s ← β3·s + c·g`, and Σ g·(p0 − p), Σ|s|. */
export const prodigyMeasureKernel: OptimizerSumsKernel = {
  name: 'prodigy_measure',
  argsLength: MEASURE_ARGS,
  js(p, g, st, a, sums) {
    const [flags, wd, beta3, c] = a;
    const first = hasFlag(flags, M_FIRST);
    const accumulate = hasFlag(flags, M_ACCUMULATE);
    const coupled = hasFlag(flags, M_COUPLED);
    const [, , s, p0] = st;
    const n = p.length;
    const dot = new LaneSum(n);
    const abs = new LaneSum(n);
    for (let i = 0; i < n; i++) {
      const pi = p[i];
      if (first) p0[i] = pi;
      if (!accumulate) continue;
      const gi = coupled ? f(g[i] + f(wd * pi)) : g[i];
      dot.add(f(gi * f(p0[i] - pi)));
      const si = f(f(s[i] * beta3) + f(gi * c));
      s[i] = si;
      abs.add(Math.abs(si));
    }
    sums[0] = accumulate ? dot.result() : 0;
    sums[1] = accumulate ? abs.result() : 0;
  },
};

/** The update pass: the moments (d before the step), then p (dlr, d·eps after the step). */
export const prodigyKernel = kernel('prodigy', 9, (p, g, s, a) => {
  const [flags, wd, beta1, w1, beta2, w2, dEps, negDecayDlr, negDlr] = a;
  const moments = hasFlag(flags, MOMENTS);
  const moves = hasFlag(flags, MOVE);
  const coupled = hasFlag(flags, COUPLED);
  const decoupled = hasFlag(flags, DECOUPLED);
  const [m, v] = s;
  for (let i = 0; i < p.length; i++) {
    let pi = p[i];
    let mi = m[i];
    let vi = v[i];
    if (moments) {
      const gi = coupled ? f(g[i] + f(wd * pi)) : g[i];
      mi = f(f(mi * beta1) + f(gi * w1));
      vi = f(f(vi * beta2) + f(f(w2 * gi) * gi));
      m[i] = mi;
      v[i] = vi;
    }
    if (!moves) continue;
    const denom = f(f(Math.sqrt(vi)) + dEps);
    if (decoupled) pi = f(pi + f(pi * negDecayDlr));
    p[i] = f(pi + f(negDlr * f(mi / denom)));
  }
});

/** A group's d-adaptation bookkeeping (the reference keeps it in `param_groups`), camelCased. */
export interface ProdigyGroupState {
  d: number;
  dMax: number;
  dNumerator: number;
  dDenom: number;
  dHat: number;
  k: number;
}

const BOOK_KEYS = ['d', 'dMax', 'dNumerator', 'dDenom', 'dHat', 'k'] as const;

/** Python's max/min: the first argument unless the second is strictly beyond it (NaN loses). */
const pyMax = (a: number, b: number): number => (b > a ? b : a);
const pyMin = (a: number, b: number): number => (b < a ? b : a);

type Group = ProdigyOptions & Partial<ProdigyGroupState>;

/**
 * Prodigy (Mishchenko & Defazio 2023, "Prodigy: An Expeditiously Adaptive Parameter-Free
 * Learner", arXiv 2306.06101), Adam with a step size d estimated on the fly, as
 * konstmish/prodigy `prodigyopt/prodigy.py` computes it (Rust kernels:
 * crates/simdopt-core/src/optim/prodigy.rs). Not part of torch.optim. Leave lr at 1.
 *
 * ```text
 * per step (d, dMax, dNumerator, k, β, β3, dCoef, growthRate, decouple from group 0; lr = max group lr):
 *   bc = useBiasCorrection ? √(1 − β2^(k+1)) / (1 − β1^(k+1)) : 1;   dlr = d·lr·bc
 *   dNumerator ← β3·dNumerator;   dDenom = 0
 *   per parameter of a group with lr > 0 (g ← g + wd·p unless decouple; p0 = p at its first step):
 *     dNumerator += (d/d0)·dlr·⟨g, p0 − p⟩
 *     m ← β1·m + d(1 − β1)·g;   v ← β2·v + d²(1 − β2)·g²
 *     s ← β3·s + (d/d0)·dlr·g   (safeguardWarmup: (d/d0)·d·g);   dDenom += ‖s‖₁
 *   if dDenom = 0: stop here (no parameter moves, counters unchanged)
 *   dHat = dCoef·dNumerator/dDenom;  if d = d0: d ← max(d, dHat);  dMax ← max(dMax, dHat);  d ← min(dMax, d·growthRate)
 *   per parameter (every group):  p ← p − wd·dlr·p if decouple;  p ← p − dlr·m/(√v + d·eps);  k ← k + 1
 * ```
 * dlr is the value from before the d update; the denominator uses the new d. The sums span every
 * group: a step is a measuring pass over every parameter (reads p, g, s, p0; writes s), the new d
 * in float64, then an Adam-like pass (reads p, g, m, v; writes p, m, v) — one pass more than
 * Adam. Every group's lr must be the largest lr or 0 (the reference raises otherwise).
 * State: per parameter `step`, `exp_avg`, `exp_avg_sq`, `s`, `p0`; per group (in
 * `paramGroups`, after the first step) `d`, `dMax`, `dNumerator`, `dDenom`, `dHat`, `k`.
 *
 * Defaults: lr 1, betas [0.9, 0.999], beta3 null, eps 1e-8, weightDecay 0, decouple true,
 * useBiasCorrection false, safeguardWarmup false, d0 0.000001, dCoef 1, growthRate Infinity.
 */
export class Prodigy extends Optimizer<ProdigyOptions> {
  protected readonly kernel = prodigyKernel;
  protected readonly slotNamesAll = ['exp_avg', 'exp_avg_sq', 's', 'p0'] as const;
  private readonly measureArgs = new Float32Array(MEASURE_ARGS);
  private readonly sums = new Float64Array(2);
  /** This step's scalars for writeArgs (the update pass). */
  private readonly pass = { d: 0, dlr: 0, decouple: true, moves: true };
  /** d after this step's update (the update pass's denominator). */

  constructor(params: ParamsInput<ProdigyOptions>, options: Partial<ProdigyOptions> = {}) {
    super(params, options, { schema: prodigySchema, groupFields: BOOK_KEYS });
  }

  /** A copy of a group's d-adaptation bookkeeping (its initial values before the first step). */
  groupState(index = 0): ProdigyGroupState {
    const g = this.paramGroups[index] as Group | undefined;
    if (g === undefined) fail('index', `a group index below ${this.paramGroups.length}`, index);
    return { d: g.d ?? g.d0, dMax: g.dMax ?? g.d0, dNumerator: g.dNumerator ?? 0, dDenom: g.dDenom ?? 0, dHat: g.dHat ?? 0, k: g.k ?? 0 };
  }

  /** One step; every group's lr must be the largest lr or 0. */
  step(options?: StepOptions): boolean {
    const lrs = this.paramGroups.map((g) => g.lr);
    const lr = Math.max(...lrs);
    lrs.forEach((l, gi) => {
      if (l !== lr && l !== 0) fail(`paramGroups[${gi}].lr`, `${lr} (the largest lr) or 0: Prodigy's groups share one d`, l);
    });
    return super.step(options);
  }

  protected checkOptions(o: ProdigyOptions, at: string): void {
    const g = o as Group;
    if (g.d !== undefined) checkPositive(`${at}d`, g.d);
    if (g.dMax !== undefined) checkPositive(`${at}dMax`, g.dMax);
    for (const key of ['dNumerator', 'dDenom', 'dHat'] as const) if (g[key] !== undefined && typeof g[key] !== 'number') fail(`${at}${key}`, 'a number', g[key]);
    if (g.k !== undefined) checkInteger(`${at}k`, g.k);
  }

  protected runGroups(runs: readonly GroupRun<ProdigyOptions>[]): void {
    const groups = this.paramGroups as Group[];
    const g0 = groups[0];
    const [beta1, beta2] = g0.betas;
    const beta3 = g0.beta3 ?? Math.sqrt(beta2);
    const k = g0.k ?? 0;
    let d = g0.d ?? g0.d0;
    let dMax = g0.dMax ?? g0.d0;
    const lr = Math.max(...groups.map((g) => g.lr));
    const bc = g0.useBiasCorrection ? (1 - beta2 ** (k + 1)) ** 0.5 / (1 - beta1 ** (k + 1)) : 1;
    const dlr = d * lr * bc;
    const decouple = g0.decouple;
    let dNumerator = (g0.dNumerator ?? 0) * beta3;
    let dDenom = 0;
    const be = this.backend;
    const a = this.measureArgs;
    const sums = this.sums;
    for (const { group, table, states } of runs) {
      const accumulate = group.lr > 0;
      const first = states[0].fresh.has('p0');
      if (!accumulate && !first) continue;
      const coupled = group.weightDecay !== 0 && !decouple;
      a[0] = (first ? M_FIRST : 0) | (accumulate ? M_ACCUMULATE : 0) | (coupled ? M_COUPLED : 0);
      a[1] = group.weightDecay;
      a[2] = beta3;
      a[3] = (d / group.d0) * (group.safeguardWarmup ? d : dlr);
      be.runOptimizerSums(prodigyMeasureKernel, table, a, sums);
      if (!accumulate) continue;
      dNumerator += (d / group.d0) * dlr * sums[0];
      dDenom += sums[1];
    }
    const pass = this.pass;
    pass.d = d;
    pass.dlr = dlr;
    pass.decouple = decouple;
    if (dDenom === 0) {
      // The reference returns before the parameter loop: the moments have moved, nothing else.
      pass.moves = false;
      for (const { group, table, states } of runs) {
        if (group.lr > 0) be.runOptimizer(this.kernel, table, this.argsFor(group, states[0].step + 1));
      }
      return;
    }
    const dOld = d;
    let dHat = d;
    if (lr > 0) {
      dHat = (g0.dCoef * dNumerator) / dDenom;
      // The reference compares with the d0 of the last group (its loop variable).
      if (d === groups[groups.length - 1].d0) d = pyMax(d, dHat);
      dMax = pyMax(dMax, dHat);
      d = pyMin(dMax, d * g0.growthRate);
    }
    pass.moves = true;
    pass.d = dOld;
    this.newD = d;
    for (const g of groups) {
      g.dNumerator = dNumerator;
      g.dDenom = dDenom;
      g.d = d;
      g.dMax = dMax;
      g.dHat = dHat;
    }
    super.runGroups(runs);
    for (const g of groups) g.k = (g.k ?? 0) + 1;
  }

  private newD = 0;

  private argsFor(group: ProdigyOptions, step: number): Float32Array {
    const a = this.backend.optimizerArgs();
    this.writeArgs(a, group, { step, fresh: new Set(), scalars: {} });
    return a;
  }

  protected writeArgs(a: Float32Array, o: ProdigyOptions, _ctx: StepContext): void {
    const { d, dlr, decouple, moves } = this.pass;
    const [beta1, beta2] = o.betas;
    const decay = o.weightDecay !== 0;
    a[0] = (o.lr > 0 ? MOMENTS : 0) | (moves ? MOVE : 0) | (decay && !decouple ? COUPLED : 0) | (decay && decouple ? DECOUPLED : 0);
    a[1] = o.weightDecay;
    a[2] = beta1;
    a[3] = d * (1 - beta1);
    a[4] = beta2;
    a[5] = d * d * (1 - beta2);
    a[6] = this.newD * o.eps;
    a[7] = -o.weightDecay * dlr;
    a[8] = -dlr;
  }
}
