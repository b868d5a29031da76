/**
 * OneCycleLR (Smith & Topin 2017, "Super-Convergence", arXiv 1708.07120;
 * `torch.optim.lr_scheduler.OneCycleLR`).
 */
import { fail, SimdoptError } from '../errors.js';
import { momentumBounds, usesBeta1, writeMomentum } from './momentum.js';
import { bool, choice, groupsOf, int, LRScheduler, num, perGroup, readOptions, type AnyOptimizer, type ScheduledGroup } from './scheduler.js';

export type AnnealStrategy = 'cos' | 'linear';

export interface OneCycleLROptions {
  /** Peak lr (≥ 0), or one per param group. */
  maxLr: number | number[];
  /** Steps in the cycle (a positive integer); or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** With `stepsPerEpoch`, sets totalSteps = epochs·stepsPerEpoch (used when totalSteps is absent). */
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the lr, in [0, 1]. Default 0.3. */
  pctStart?: number;
  /** 'cos' or 'linear'. Default 'cos'. */
  annealStrategy?: AnnealStrategy;
  /** Cycle momentum (or beta1) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the lr peak, or one per group. Default 0.85. */
  baseMomentum?: number | number[];
  /** Momentum at the start and end, or one per group. Default 0.95. */
  maxMomentum?: number | number[];
  /** initialLr = maxLr/divFactor (> 0). Default 25. */
  divFactor?: number;
  /** minLr = initialLr/finalDivFactor (> 0). Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) as in the paper. Default false. */
  threePhase?: boolean;
}

export interface OneCycleLRConfig {
  totalSteps: number;
  pctStart: number;
  annealStrategy: AnnealStrategy;
  threePhase: boolean;
  cycleMomentum: boolean;
  /** Derived from the optimizer: beta1 is cycled instead of momentum. */
  useBeta1: boolean;
  maxLr: number[];
  baseMomentum: number[];
  maxMomentum: number[];
  divFactor: number;
  finalDivFactor: number;
}

/** One phase: it ends at `endStep` and anneals between two group keys. */
export interface OneCyclePhase {
  endStep: number;
  startLr: 'initialLr' | 'maxLr' | 'minLr';
  endLr: 'initialLr' | 'maxLr' | 'minLr';
  startMomentum: 'maxMomentum' | 'baseMomentum';
  endMomentum: 'maxMomentum' | 'baseMomentum';
}

const OPTIONS = [
  'maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum',
  'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase',
] as const;

function oneCycleLRConfig(o: Record<string, unknown>, at: string, optimizer: AnyOptimizer): OneCycleLRConfig {
  const groups = groupsOf(optimizer).length;
  let totalSteps: number;
  if (o.totalSteps !== undefined) {
    totalSteps = int(`${at}totalSteps`, o.totalSteps, undefined, 1);
  } else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
    totalSteps = int(`${at}epochs`, o.epochs, undefined, 1) * int(`${at}stepsPerEpoch`, o.stepsPerEpoch, undefined, 1);
  } else {
    return fail(`${at}totalSteps`, 'totalSteps, or epochs and stepsPerEpoch', o.totalSteps);
  }
  const pctStart = num(`${at}pctStart`, o.pctStart, 0.3, 'a number in [0, 1]', (x) => x >= 0 && x <= 1);
  // PyTorch divides 0 by 0 at the constructor's step when the first phase ends at step 0.
  if (pctStart * totalSteps - 1 === 0) {
    fail(`${at}pctStart`, `pctStart·totalSteps ≠ 1 (the warm-up would last 0 steps and PyTorch divides by zero)`, pctStart);
  }
  const cycleMomentum = bool(`${at}cycleMomentum`, o.cycleMomentum, true);
  const useBeta1 = cycleMomentum && usesBeta1(optimizer);
  return {
    totalSteps,
    pctStart,
    annealStrategy: choice(`${at}annealStrategy`, o.annealStrategy, 'cos', ['cos', 'linear']),
    threePhase: bool(`${at}threePhase`, o.threePhase, false),
    cycleMomentum,
    useBeta1,
    maxLr: perGroup(`${at}maxLr`, o.maxLr, undefined, groups, 'a finite number >= 0', (x) => x >= 0),
    baseMomentum: cycleMomentum ? momentumBounds(`${at}baseMomentum`, o.baseMomentum, 0.85, groups, useBeta1) : [],
    maxMomentum: cycleMomentum ? momentumBounds(`${at}maxMomentum`, o.maxMomentum, 0.95, groups, useBeta1) : [],
    divFactor: num(`${at}divFactor`, o.divFactor, 25, 'a finite number > 0', (x) => x > 0),
    finalDivFactor: num(`${at}finalDivFactor`, o.finalDivFactor, 1e4, 'a finite number > 0', (x) => x > 0),
  };
}

/** The phases of the cycle (their end steps are floats, as in PyTorch). */
export function oneCyclePhases(totalSteps: number, pctStart: number, threePhase: boolean): OneCyclePhase[] {
  const up = pctStart * totalSteps - 1;
  if (threePhase) {
    return [
      { endStep: up, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
      { endStep: 2 * pctStart * totalSteps - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
      { endStep: totalSteps - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
    ];
  }
  return [
    { endStep: up, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
    { endStep: totalSteps - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
  ];
}

/** Anneals from `start` (pct 0) to `end` (pct 1): cos `end + (start − end)/2·(cos(π·pct) + 1)`, or linear. */
export function anneal(strategy: AnnealStrategy, start: number, end: number, pct: number): number {
  if (strategy === 'cos') return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
  return (end - start) * pct + start;
}

/** The phase that step `e` falls in and the fraction `pct` of it done (> 1 one step beyond the end). */
export function oneCyclePosition(e: number, phases: readonly OneCyclePhase[]): { phase: OneCyclePhase; pct: number } {
  let startStep = 0.0;
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i];
    if (e <= phase.endStep || i === phases.length - 1) {
      if (phase.endStep === startStep) {
        throw new SimdoptError(`OneCycleLR: step ${e} falls in a phase of length 0 (pctStart·totalSteps); PyTorch divides by zero here`, 'pctStart');
      }
      return { phase, pct: (e - startStep) / (phase.endStep - startStep) };
    }
    startStep = phase.endStep;
  }
  throw new Error('unreachable');
}

function groupNumber(g: ScheduledGroup, i: number, key: string): number {
  const v = g[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`paramGroups[${i}].${key}`, 'a finite number (OneCycleLR stores it in the constructor)', v);
  return v;
}

/**
 * The 1cycle policy: each group's lr rises from `maxLr/divFactor` to `maxLr` over `pctStart` of
 * the steps, then anneals to `initialLr/finalDivFactor` (with `threePhase`: back to `initialLr`
 * symmetrically, then to the minimum); momentum (or beta1) moves the other way.
 *
 * ```text
 * initialLr = maxLr/divFactor,  minLr = initialLr/finalDivFactor     (stored in each group)
 * two-phase ends (N = totalSteps):   pct·N − 1,  N − 1
 * three-phase ends:                  pct·N − 1,  2·pct·N − 2,  N − 1
 * in a phase from a to b, p = (e − a)/(b − a):
 *   cos:    end + (start − end)/2·(cos(π·p) + 1)      linear: (end − start)·p + start
 * lr: initialLr → maxLr → minLr   (three-phase: initialLr → maxLr → initialLr → minLr)
 * momentum: max → base → max      (three-phase: max → base → max → max)
 * ```
 * Defaults: pctStart 0.3, annealStrategy 'cos', cycleMomentum true, baseMomentum 0.85,
 * maxMomentum 0.95, divFactor 25, finalDivFactor 1e4, threePhase false. The constructor
 * overwrites each group's `initialLr` and stores `maxLr`, `minLr` (and `maxMomentum`,
 * `baseMomentum`) in it. As in PyTorch, one step beyond the schedule is allowed (it extrapolates:
 * with 'linear' the lr becomes negative) and the next one is an error. Not chainable.
 */
export class OneCycleLR extends LRScheduler {
  protected readonly kind = 'OneCycleLR';
  private config: OneCycleLRConfig;
  private phases: OneCyclePhase[];
  private momenta: number[] | null = null;

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    super(optimizer);
    this.config = oneCycleLRConfig(readOptions(options, OPTIONS), '', optimizer);
    const c = this.config;
    this.phases = oneCyclePhases(c.totalSteps, c.pctStart, c.threePhase);
    // Everything is checked: now PyTorch's constructor writes the cycle's boundaries.
    this.start(() => {
      groupsOf(optimizer).forEach((g, i) => {
        g.initialLr = c.maxLr[i] / c.divFactor;
        g.maxLr = c.maxLr[i];
        g.minLr = g.initialLr / c.finalDivFactor;
        if (c.cycleMomentum) {
          writeMomentum(g, c.useBeta1, c.maxMomentum[i]);
          g.maxMomentum = c.maxMomentum[i];
          g.baseMomentum = c.baseMomentum[i];
        }
      });
    });
  }

  protected getLr(): number[] {
    const e = this.epoch;
    const c = this.config;
    if (e > c.totalSteps) {
      throw new SimdoptError(`OneCycleLR: tried to step ${e} times; the specified number of total steps is ${c.totalSteps}`, 'totalSteps');
    }
    const { phase, pct } = oneCyclePosition(e, this.phases);
    const groups = groupsOf(this.optimizer);
    const lrs = groups.map((g, i) => anneal(c.annealStrategy, groupNumber(g, i, phase.startLr), groupNumber(g, i, phase.endLr), pct));
    this.momenta = c.cycleMomentum
      ? groups.map((g, i) => anneal(c.annealStrategy, groupNumber(g, i, phase.startMomentum), groupNumber(g, i, phase.endMomentum), pct))
      : null;
    return lrs;
  }

  protected apply(lrs: number[]): void {
    if (this.momenta) {
      const m = this.momenta;
      groupsOf(this.optimizer).forEach((g, i) => writeMomentum(g, this.config.useBeta1, m[i]));
      this.momenta = null;
    }
    super.apply(lrs);
  }

  protected saveOwn(): Record<string, unknown> {
    const c = this.config;
    return { ...c, maxLr: [...c.maxLr], baseMomentum: [...c.baseMomentum], maxMomentum: [...c.maxMomentum] };
  }

  protected readOwn(s: Record<string, unknown>, where: string): () => void {
    const c = oneCycleLRConfig(s, `${where}.`, this.optimizer);
    const phases = oneCyclePhases(c.totalSteps, c.pctStart, c.threePhase);
    return () => {
      this.config = c;
      this.phases = phases;
    };
  }
}
