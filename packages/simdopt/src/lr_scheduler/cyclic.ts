/**
 * CyclicLR (Smith 2017, "Cyclical Learning Rates for Training Neural Networks", arXiv
 * 1506.01186; `torch.optim.lr_scheduler.CyclicLR`).
 */
import { fail } from '../errors.js';
import { usesBeta1, momentumBounds, writeMomentum } from './momentum.js';
import { bool, choice, groupsOf, LRScheduler, num, perGroup, readOptions, type AnyOptimizer } from './scheduler.js';

export type CyclicLRMode = 'triangular' | 'triangular2' | 'exp_range';

export interface CyclicLROptions {
  /** Lower lr boundary (≥ 0), or one per param group. Overwrites the groups' lr in the constructor. */
  baseLr: number | number[];
  /** Upper lr boundary (≥ 0), or one per param group. */
  maxLr: number | number[];
  /** Iterations of the rising half of a cycle (> 0). Default 2000. */
  stepSizeUp?: number;
  /** Iterations of the falling half (≥ 0). Default: stepSizeUp. */
  stepSizeDown?: number;
  /** Amplitude policy; ignored when `scaleFn` is given. Default 'triangular'. */
  mode?: CyclicLRMode;
  /** Base of 'exp_range' (> 0): the amplitude is scaled by gamma^iteration. Default 1. */
  gamma?: number;
  /** A custom amplitude scale in [0, 1] (replaces `mode`; not saved in the state dict). */
  scaleFn?: (x: number) => number;
  /** Whether `scaleFn` gets the cycle number or the iteration. Default 'cycle'. */
  scaleMode?: 'cycle' | 'iterations';
  /** Cycle momentum (or beta1) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the lr peak, or one per group. Default 0.8. */
  baseMomentum?: number | number[];
  /** Momentum at the cycle start, or one per group. Default 0.9. */
  maxMomentum?: number | number[];
}

export interface CyclicLRConfig {
  baseLr: number[];
  maxLr: number[];
  stepSizeUp: number;
  stepSizeDown: number;
  mode: CyclicLRMode;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  /** Derived from the optimizer: beta1 is cycled instead of momentum. */
  useBeta1: boolean;
  baseMomentum: number[];
  maxMomentum: number[];
}

const OPTIONS = [
  'baseLr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma', 'scaleFn', 'scaleMode',
  'cycleMomentum', 'baseMomentum', 'maxMomentum',
] as const;

function cyclicLRConfig(o: Record<string, unknown>, at: string, optimizer: AnyOptimizer, custom: boolean): CyclicLRConfig {
  const groups = groupsOf(optimizer).length;
  const lr = (x: number) => x >= 0;
  const stepSizeUp = num(`${at}stepSizeUp`, o.stepSizeUp, 2000, 'a finite number > 0', (x) => x > 0);
  const cycleMomentum = bool(`${at}cycleMomentum`, o.cycleMomentum, true);
  const useBeta1 = cycleMomentum && usesBeta1(optimizer);
  const mode = choice(`${at}mode`, o.mode, 'triangular', ['triangular', 'triangular2', 'exp_range']);
  const scaleMode = choice(`${at}scaleMode`, o.scaleMode, 'cycle', ['cycle', 'iterations']);
  return {
    baseLr: perGroup(`${at}baseLr`, o.baseLr, undefined, groups, 'a finite number >= 0', lr),
    maxLr: perGroup(`${at}maxLr`, o.maxLr, undefined, groups, 'a finite number >= 0', lr),
    stepSizeUp,
    stepSizeDown: num(`${at}stepSizeDown`, o.stepSizeDown, stepSizeUp, 'a finite number >= 0', (x) => x >= 0),
    mode,
    gamma: num(`${at}gamma`, o.gamma, 1.0, 'a finite number > 0', (x) => x > 0),
    // Without a custom scaleFn the mode decides (PyTorch's _init_scale_fn).
    scaleMode: custom ? scaleMode : mode === 'exp_range' ? 'iterations' : 'cycle',
    cycleMomentum,
    useBeta1,
    baseMomentum: cycleMomentum ? momentumBounds(`${at}baseMomentum`, o.baseMomentum, 0.8, groups, useBeta1) : [],
    maxMomentum: cycleMomentum ? momentumBounds(`${at}maxMomentum`, o.maxMomentum, 0.9, groups, useBeta1) : [],
  };
}

/**
 * The triangle at iteration `e`: the cycle number (from 1) and the height `s` ∈ [0, 1]
 * (0 at the start of a cycle, 1 at its peak after stepSizeUp iterations).
 */
export function cyclicPosition(e: number, stepSizeUp: number, stepSizeDown: number): { cycle: number; height: number } {
  const totalSize = stepSizeUp + stepSizeDown;
  const stepRatio = stepSizeUp / totalSize;
  const cycle = Math.floor(1 + e / totalSize);
  const x = 1.0 + e / totalSize - cycle;
  const height = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
  return { cycle, height };
}

/** The built-in amplitude scales. */
export function cyclicScale(mode: CyclicLRMode, gamma: number, x: number): number {
  if (mode === 'triangular') return 1.0;
  if (mode === 'triangular2') return 1 / 2.0 ** (x - 1);
  return gamma ** x;
}

/**
 * Cycles each group's lr between `baseLr` and `maxLr` (and momentum the other way between
 * `maxMomentum` and `baseMomentum`), one step per batch.
 *
 * ```text
 * S = up + down, cycle = ⌊1 + e/S⌋, x = 1 + e/S − cycle
 * s = x/(up/S) if x ≤ up/S, else (x − 1)/(up/S − 1)
 * lr = base_lr + (max_lr − base_lr)·s·f,   momentum = max_m − (max_m − base_m)·s·f
 * f = 1 (triangular), 1/2^(cycle−1) (triangular2), γ^e (exp_range, on the iteration e)
 * ```
 * Defaults: stepSizeUp = 2000, stepSizeDown = stepSizeUp, mode 'triangular', gamma = 1,
 * scaleMode 'cycle', cycleMomentum = true, baseMomentum = 0.8, maxMomentum = 0.9.
 * The constructor overwrites the groups' lr with baseLr (and momentum or beta1 with maxMomentum);
 * with cycleMomentum an optimizer without momentum or betas is an error. Not chainable.
 */
export class CyclicLR extends LRScheduler {
  protected readonly kind = 'CyclicLR';
  private config: CyclicLRConfig;
  private readonly scaleFn: ((x: number) => number) | undefined;
  private momenta: number[] | null = null;

  constructor(optimizer: AnyOptimizer, options: CyclicLROptions) {
    super(optimizer);
    const o = readOptions(options, OPTIONS);
    if (o.scaleFn !== undefined && typeof o.scaleFn !== 'function') fail('scaleFn', 'a function', o.scaleFn);
    this.scaleFn = o.scaleFn as ((x: number) => number) | undefined;
    this.config = cyclicLRConfig(o, '', optimizer, this.scaleFn !== undefined);
    // Everything is checked: now PyTorch's constructor writes the start of the cycle. The
    // initial step then runs on base lrs taken from initialLr (the groups' lr unless an earlier
    // scheduler stored one); PyTorch sets base_lrs to baseLr only afterwards.
    this.start(() => {
      const c = this.config;
      groupsOf(optimizer).forEach((g, i) => {
        g.lr = c.baseLr[i];
        if (c.cycleMomentum) {
          writeMomentum(g, c.useBeta1, c.maxMomentum[i]);
          g.maxMomentum = c.maxMomentum[i];
          g.baseMomentum = c.baseMomentum[i];
        }
      });
    });
    this.baseLrs = [...this.config.baseLr];
  }

  protected getLr(): number[] {
    const c = this.config;
    const e = this.epoch;
    const { cycle, height } = cyclicPosition(e, c.stepSizeUp, c.stepSizeDown);
    const scale = this.scale(c.scaleMode === 'cycle' ? cycle : e);
    const lrs = this.baseLrs.map((base, i) => base + (c.maxLr[i] - base) * height * scale);
    this.momenta = c.cycleMomentum ? c.maxMomentum.map((max, i) => max - (max - c.baseMomentum[i]) * height * scale) : null;
    return lrs;
  }

  protected apply(lrs: number[]): void {
    if (this.momenta) {
      const m = this.momenta;
      groupsOf(this.optimizer).forEach((g, i) => {
        if (i < m.length) writeMomentum(g, this.config.useBeta1, m[i]);
      });
      this.momenta = null;
    }
    super.apply(lrs);
  }

  private scale(x: number): number {
    if (!this.scaleFn) return cyclicScale(this.config.mode, this.config.gamma, x);
    const f = this.scaleFn(x);
    if (typeof f !== 'number' || !Number.isFinite(f)) fail('scaleFn', `a function returning a finite number (at ${x})`, f);
    return f;
  }

  protected saveOwn(): Record<string, unknown> {
    const c = this.config;
    return {
      ...c,
      baseLr: [...c.baseLr],
      maxLr: [...c.maxLr],
      baseMomentum: [...c.baseMomentum],
      maxMomentum: [...c.maxMomentum],
    };
  }

  protected readOwn(s: Record<string, unknown>, where: string): () => void {
    const c = cyclicLRConfig(s, `${where}.`, this.optimizer, this.scaleFn !== undefined);
    return () => (this.config = c);
  }
}
