/**
 * ExponentialLR (`torch.optim.lr_scheduler.ExponentialLR`).
 */
import { ConfigScheduler, num, type AnyOptimizer } from './scheduler.js';

export interface ExponentialLROptions {
  /** Multiplicative factor per epoch (> 0; above 1 grows the lr). Required, as in PyTorch. */
  gamma: number;
}

export type ExponentialLRConfig = Required<ExponentialLROptions>;

function exponentialLRConfig(o: Record<string, unknown>, at: string): ExponentialLRConfig {
  return { gamma: num(`${at}gamma`, o.gamma, undefined, 'a finite number > 0', (x) => x > 0) };
}

/** ExponentialLR's closed form: `base·γ^e`. */
export function exponentialLRAt(e: number, base: number, c: ExponentialLRConfig): number {
  return base * c.gamma ** e;
}

/**
 * Decays each group's lr by `gamma` every epoch.
 *
 * ```text
 * chainable, epoch e ≥ 1:  lr ← lr·γ
 * closed form:             lr_e = base·γ^e
 * ```
 * `gamma` has no default (required, as in PyTorch).
 */
export class ExponentialLR extends ConfigScheduler<ExponentialLRConfig> {
  protected readonly kind = 'ExponentialLR';

  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    super(optimizer, options, ['gamma'], exponentialLRConfig);
    this.start();
  }

  protected getLr(): number[] {
    // The constructor's step leaves the lr alone (so that resuming does not decay twice).
    if (this.isInitial) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.config.gamma);
  }

  protected closedForm(): number[] {
    return this.baseLrs.map((base) => exponentialLRAt(this.epoch, base, this.config));
  }
}
