/**
 * Step decays: StepLR and MultiStepLR (`torch.optim.lr_scheduler.StepLR`, `MultiStepLR`).
 */
import { fail } from '../errors.js';
import { ConfigScheduler, int, num, type AnyOptimizer } from './scheduler.js';

export interface StepLROptions {
  /** Period of the decay in epochs (a positive integer). */
  stepSize: number;
  /** Multiplicative factor of the decay (> 0). Default 0.1. */
  gamma?: number;
}

export type StepLRConfig = Required<StepLROptions>;

function stepLRConfig(o: Record<string, unknown>, at: string): StepLRConfig {
  return {
    stepSize: int(`${at}stepSize`, o.stepSize, undefined, 1),
    gamma: num(`${at}gamma`, o.gamma, 0.1, 'a finite number > 0', (x) => x > 0),
  };
}

/** StepLR's chainable factor at epoch `e`: γ when `e` is a positive multiple of stepSize, else 1. */
export function stepLRFactor(e: number, c: StepLRConfig): number {
  return e === 0 || e % c.stepSize !== 0 ? 1 : c.gamma;
}

/** StepLR's closed form: `base·γ^⌊e/stepSize⌋`. */
export function stepLRAt(e: number, base: number, c: StepLRConfig): number {
  return base * c.gamma ** Math.floor(e / c.stepSize);
}

/**
 * Decays each group's lr by `gamma` every `stepSize` epochs.
 *
 * ```text
 * chainable, epoch e ≥ 1:  lr ← lr·γ  if e % stepSize == 0, else unchanged
 * closed form:             lr_e = base·γ^⌊e/stepSize⌋
 * ```
 * Defaults: gamma = 0.1. Because the step multiplies the group's *current* lr, it composes with
 * other schedulers and with manual lr changes, as in PyTorch.
 */
export class StepLR extends ConfigScheduler<StepLRConfig> {
  protected readonly kind = 'StepLR';

  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    super(optimizer, options, ['stepSize', 'gamma'], stepLRConfig);
    this.start();
  }

  protected getLr(): number[] {
    const f = stepLRFactor(this.epoch, this.config);
    return this.groupLrs().map((lr) => lr * f);
  }

  protected closedForm(): number[] {
    return this.baseLrs.map((base) => stepLRAt(this.epoch, base, this.config));
  }
}

export interface MultiStepLROptions {
  /** Epochs at which to decay: non-negative integers in non-decreasing order; a repeated milestone decays once per repetition. */
  milestones: number[];
  /** Multiplicative factor of the decay (> 0). Default 0.1. */
  gamma?: number;
}

export type MultiStepLRConfig = Required<MultiStepLROptions>;

function multiStepLRConfig(o: Record<string, unknown>, at: string): MultiStepLRConfig {
  const m = o.milestones;
  if (!Array.isArray(m)) fail(`${at}milestones`, 'an array of non-negative integers in non-decreasing order', m);
  m.forEach((x, i) => {
    int(`${at}milestones[${i}]`, x, undefined, 0);
    if (i > 0 && x < m[i - 1]) fail(`${at}milestones`, `non-decreasing milestones (milestones[${i}] < milestones[${i - 1}])`, m);
  });
  return {
    milestones: [...(m as number[])],
    gamma: num(`${at}gamma`, o.gamma, 0.1, 'a finite number > 0', (x) => x > 0),
  };
}

/** MultiStepLR's chainable factor at epoch `e`: γ^(number of milestones equal to e). */
export function multiStepLRFactor(e: number, c: MultiStepLRConfig): number {
  const count = c.milestones.filter((m) => m === e).length;
  return count === 0 ? 1 : c.gamma ** count;
}

/** MultiStepLR's closed form: `base·γ^(number of milestones ≤ e)`. */
export function multiStepLRAt(e: number, base: number, c: MultiStepLRConfig): number {
  return base * c.gamma ** c.milestones.filter((m) => m <= e).length;
}

/**
 * Decays each group's lr by `gamma` at each milestone epoch.
 *
 * ```text
 * chainable, epoch e:  lr ← lr·γ^c  where c = how often e appears in milestones
 * closed form:         lr_e = base·γ^(number of milestones ≤ e)
 * ```
 * Defaults: gamma = 0.1. A milestone listed twice decays twice at once (PyTorch counts them).
 */
export class MultiStepLR extends ConfigScheduler<MultiStepLRConfig> {
  protected readonly kind = 'MultiStepLR';

  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    super(optimizer, options, ['milestones', 'gamma'], multiStepLRConfig);
    this.start();
  }

  protected getLr(): number[] {
    const f = multiStepLRFactor(this.epoch, this.config);
    return this.groupLrs().map((lr) => lr * f);
  }

  protected closedForm(): number[] {
    return this.baseLrs.map((base) => multiStepLRAt(this.epoch, base, this.config));
  }

  protected saveOwn(): Record<string, unknown> {
    return { milestones: [...this.config.milestones], gamma: this.config.gamma };
  }
}
