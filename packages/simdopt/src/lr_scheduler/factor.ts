/**
 * Warm-up factors that end at `totalIters`: LinearLR and ConstantLR
 * (`torch.optim.lr_scheduler.LinearLR`, `ConstantLR`).
 */
import { ConfigScheduler, int, num, type AnyOptimizer } from './scheduler.js';

export interface LinearLROptions {
  /** Factor at epoch 0, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor from `totalIters` on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Epochs of the linear change (a positive integer). Default 5. */
  totalIters?: number;
}

export type LinearLRConfig = Required<LinearLROptions>;

function linearLRConfig(o: Record<string, unknown>, at: string): LinearLRConfig {
  return {
    // PyTorch's checks: start in (0, 1], end in [0, 1].
    startFactor: num(`${at}startFactor`, o.startFactor, 1.0 / 3, 'a number in (0, 1]', (x) => x > 0 && x <= 1),
    endFactor: num(`${at}endFactor`, o.endFactor, 1.0, 'a number in [0, 1]', (x) => x >= 0 && x <= 1),
    totalIters: int(`${at}totalIters`, o.totalIters, 5, 1),
  };
}

/** LinearLR's chainable factor at epoch `e` (epoch 0: startFactor; after totalIters: 1). */
export function linearLRFactor(e: number, c: LinearLRConfig): number {
  const { startFactor: s, endFactor: f, totalIters: t } = c;
  if (e === 0) return s;
  if (e > t) return 1;
  return 1.0 + (f - s) / (t * s + (e - 1) * (f - s));
}

/** LinearLR's closed form: `base·(start + (end − start)·min(T, e)/T)`. */
export function linearLRAt(e: number, base: number, c: LinearLRConfig): number {
  const { startFactor: s, endFactor: f, totalIters: t } = c;
  return base * (s + ((f - s) * Math.min(t, e)) / t);
}

/**
 * Multiplies each group's lr by a factor that changes linearly from `startFactor` (epoch 0) to
 * `endFactor` (epoch `totalIters` and later): a linear warm-up or decay.
 *
 * ```text
 * epoch 0 (the constructor's step):  lr ← lr·start
 * chainable, 1 ≤ e ≤ T:  lr ← lr·(1 + (end − start)/(T·start + (e − 1)·(end − start)));  later unchanged
 * closed form:           lr_e = base·(start + (end − start)·min(T, e)/T)
 * ```
 * Defaults: startFactor = 1/3, endFactor = 1, totalIters (T) = 5.
 */
export class LinearLR extends ConfigScheduler<LinearLRConfig> {
  protected readonly kind = 'LinearLR';

  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    super(optimizer, options, ['startFactor', 'endFactor', 'totalIters'], linearLRConfig);
    this.start();
  }

  protected getLr(): number[] {
    if (this.epoch !== 0 && (this.isInitial || this.epoch > this.config.totalIters)) return this.groupLrs();
    const f = linearLRFactor(this.epoch, this.config);
    return this.groupLrs().map((lr) => lr * f);
  }

  protected closedForm(): number[] {
    return this.baseLrs.map((base) => linearLRAt(this.epoch, base, this.config));
  }
}

export interface ConstantLROptions {
  /** Factor until `totalIters`, in (0, 1]. Default 1/3. */
  factor?: number;
  /** Epoch at which the lr is restored (a positive integer). Default 5. */
  totalIters?: number;
}

export type ConstantLRConfig = Required<ConstantLROptions>;

function constantLRConfig(o: Record<string, unknown>, at: string): ConstantLRConfig {
  return {
    // PyTorch accepts factor 0 and then divides by it at totalIters; 0 is rejected here.
    factor: num(`${at}factor`, o.factor, 1.0 / 3, 'a number in (0, 1]', (x) => x > 0 && x <= 1),
    totalIters: int(`${at}totalIters`, o.totalIters, 5, 1),
  };
}

/** ConstantLR's chainable factor at epoch `e`: factor at 0, 1/factor at exactly totalIters, else 1. */
export function constantLRFactor(e: number, c: ConstantLRConfig): number {
  if (e === 0) return c.factor;
  if (e !== c.totalIters) return 1;
  return 1.0 / c.factor;
}

/** ConstantLR's closed form: `base·factor` before totalIters, `base·(factor + (1 − factor))` from it on. */
export function constantLRAt(e: number, base: number, c: ConstantLRConfig): number {
  return base * (c.factor + (e >= c.totalIters ? 1 - c.factor : 0));
}

/**
 * Multiplies each group's lr by `factor` until epoch `totalIters`, where it divides it back out.
 *
 * ```text
 * epoch 0 (the constructor's step):  lr ← lr·factor
 * chainable:  lr ← lr·(1/factor) at exactly e = totalIters, otherwise unchanged
 * closed form: lr_e = base·factor for e < totalIters, base from then on
 * ```
 * Defaults: factor = 1/3, totalIters = 5. The restore multiplies by `1/factor` at exactly
 * `totalIters`, so a manual lr change in between carries over, as in PyTorch.
 */
export class ConstantLR extends ConfigScheduler<ConstantLRConfig> {
  protected readonly kind = 'ConstantLR';

  constructor(optimizer: AnyOptimizer, options: ConstantLROptions = {}) {
    super(optimizer, options, ['factor', 'totalIters'], constantLRConfig);
    this.start();
  }

  protected getLr(): number[] {
    const f = constantLRFactor(this.epoch, this.config);
    return this.groupLrs().map((lr) => lr * f);
  }

  protected closedForm(): number[] {
    return this.baseLrs.map((base) => constantLRAt(this.epoch, base, this.config));
  }
}
