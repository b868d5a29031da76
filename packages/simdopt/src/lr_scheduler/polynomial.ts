/**
 * PolynomialLR (`torch.optim.lr_scheduler.PolynomialLR`).
 */
import { ConfigScheduler, int, num, type AnyOptimizer } from './scheduler.js';

export interface PolynomialLROptions {
  /** Epochs until the lr reaches 0 (a positive integer). Default 5. */
  totalIters?: number;
  /** Power of the polynomial (≥ 0). Default 1 (linear). */
  power?: number;
}

export type PolynomialLRConfig = Required<PolynomialLROptions>;

function polynomialLRConfig(o: Record<string, unknown>, at: string): PolynomialLRConfig {
  return {
    totalIters: int(`${at}totalIters`, o.totalIters, 5, 1),
    power: num(`${at}power`, o.power, 1, 'a finite number >= 0', (x) => x >= 0),
  };
}

/** PolynomialLR's chainable factor at epoch `e`: `((1 − e/T)/(1 − (e−1)/T))^power` for 1 ≤ e ≤ T, else 1. */
export function polynomialLRFactor(e: number, c: PolynomialLRConfig): number {
  if (e > c.totalIters) return 1;
  return ((1.0 - e / c.totalIters) / (1.0 - (e - 1) / c.totalIters)) ** c.power;
}

/** PolynomialLR's closed form: `base·(1 − min(T, e)/T)^power`. */
export function polynomialLRAt(e: number, base: number, c: PolynomialLRConfig): number {
  return base * (1.0 - Math.min(c.totalIters, e) / c.totalIters) ** c.power;
}

/**
 * Decays each group's lr polynomially to exactly 0 at `totalIters`, then leaves it there.
 *
 * ```text
 * chainable, 1 ≤ e ≤ T:  lr ← lr·((1 − e/T)/(1 − (e−1)/T))^power;  later unchanged
 * closed form:           lr_e = base·(1 − min(T, e)/T)^power
 * ```
 * Defaults: totalIters (T) = 5, power = 1.
 */
export class PolynomialLR extends ConfigScheduler<PolynomialLRConfig> {
  protected readonly kind = 'PolynomialLR';

  constructor(optimizer: AnyOptimizer, options: PolynomialLROptions = {}) {
    super(optimizer, options, ['totalIters', 'power'], polynomialLRConfig);
    this.start();
  }

  protected getLr(): number[] {
    if (this.isInitial || this.epoch > this.config.totalIters) return this.groupLrs();
    const f = polynomialLRFactor(this.epoch, this.config);
    return this.groupLrs().map((lr) => lr * f);
  }

  protected closedForm(): number[] {
    return this.baseLrs.map((base) => polynomialLRAt(this.epoch, base, this.config));
  }
}
