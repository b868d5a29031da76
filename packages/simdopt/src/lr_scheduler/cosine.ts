/**
 * Cosine annealing (Loshchilov & Hutter 2017, "SGDR", arXiv 1608.03983): CosineAnnealingLR and
 * CosineAnnealingWarmRestarts (`torch.optim.lr_scheduler.CosineAnnealingLR`, `…WarmRestarts`).
 */
import { ConfigScheduler, int, LRScheduler, num, readOptions, type AnyOptimizer } from './scheduler.js';

export interface CosineAnnealingLROptions {
  /** Half-period in epochs (a positive integer): the lr reaches etaMin at tMax. */
  tMax: number;
  /** Minimum lr (≥ 0). Default 0. */
  etaMin?: number;
}

export type CosineAnnealingLRConfig = Required<CosineAnnealingLROptions>;

function cosineAnnealingLRConfig(o: Record<string, unknown>, at: string): CosineAnnealingLRConfig {
  return {
    tMax: int(`${at}tMax`, o.tMax, undefined, 1),
    etaMin: num(`${at}etaMin`, o.etaMin, 0, 'a finite number >= 0', (x) => x >= 0),
  };
}

/**
 * CosineAnnealingLR's chainable step from `lr` (the lr at epoch e − 1) to epoch `e` ≥ 1, in
 * PyTorch's operand order. At e ≡ T + 1 (mod 2T) the ratio's denominator is 0 and PyTorch adds
 * the closed form's increment instead.
 */
export function cosineAnnealingNext(e: number, lr: number, base: number, c: CosineAnnealingLRConfig): number {
  const { tMax: t, etaMin } = c;
  if ((e - 1 - t) % (2 * t) === 0) return lr + ((base - etaMin) * (1 - Math.cos(Math.PI / t))) / 2;
  return ((1 + Math.cos((Math.PI * e) / t)) / (1 + Math.cos((Math.PI * (e - 1)) / t))) * (lr - etaMin) + etaMin;
}

/** CosineAnnealingLR's closed form: `etaMin + (base − etaMin)·(1 + cos(π·e/T))/2`. */
export function cosineAnnealingAt(e: number, base: number, c: CosineAnnealingLRConfig): number {
  return c.etaMin + ((base - c.etaMin) * (1 + Math.cos((Math.PI * e) / c.tMax))) / 2;
}

/**
 * Anneals each group's lr from its base to `etaMin` along a half cosine over `tMax` epochs,
 * without restarts: past `tMax` it rises again (period 2·tMax), as PyTorch's does.
 *
 * ```text
 * closed form:  lr_e = η_min + (base − η_min)·(1 + cos(π·e/T))/2
 * chainable:    lr ← η_min + (lr − η_min)·(1 + cos(π·e/T))/(1 + cos(π·(e−1)/T))
 *               (at e ≡ T+1 mod 2T:  lr ← lr + (base − η_min)·(1 − cos(π/T))/2)
 * ```
 * Defaults: etaMin = 0. `etaMin` is one number for all groups (PyTorch takes no list here).
 * The steps use the recurrence, as PyTorch does, so they compose with other schedulers.
 */
export class CosineAnnealingLR extends ConfigScheduler<CosineAnnealingLRConfig> {
  protected readonly kind = 'CosineAnnealingLR';

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    super(optimizer, options, ['tMax', 'etaMin'], cosineAnnealingLRConfig);
    this.start();
  }

  protected getLr(): number[] {
    if (this.isInitial) return this.groupLrs();
    // PyTorch's branch for a first step from a restored epoch > 0: the closed form.
    if (this.stepCount === 1 && this.epoch > 0) return this.closedForm();
    return this.groupLrs().map((lr, i) => cosineAnnealingNext(this.epoch, lr, this.baseLrs[i], this.config));
  }

  protected closedForm(): number[] {
    return this.baseLrs.map((base) => cosineAnnealingAt(this.epoch, base, this.config));
  }
}

export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs until the first restart (a positive integer). */
  t0: number;
  /** Factor by which the period grows after each restart (an integer ≥ 1). Default 1. */
  tMult?: number;
  /** Minimum lr (≥ 0). Default 0. */
  etaMin?: number;
}

export type CosineAnnealingWarmRestartsConfig = Required<CosineAnnealingWarmRestartsOptions>;

function warmRestartsConfig(o: Record<string, unknown>, at: string): CosineAnnealingWarmRestartsConfig {
  return {
    t0: int(`${at}t0`, o.t0, undefined, 1),
    tMult: int(`${at}tMult`, o.tMult, 1, 1),
    etaMin: num(`${at}etaMin`, o.etaMin, 0, 'a finite number >= 0', (x) => x >= 0),
  };
}

/** Position in the SGDR cycle at a (possibly fractional) `epoch`: `tCur` since the last restart, period `tI`. */
export function warmRestartsPosition(epoch: number, c: CosineAnnealingWarmRestartsConfig): { tCur: number; tI: number } {
  const { t0, tMult } = c;
  if (epoch < t0) return { tCur: epoch, tI: t0 };
  if (tMult === 1) return { tCur: epoch % t0, tI: t0 };
  // PyTorch: n = int(log(epoch/T_0·(T_mult − 1) + 1, T_mult)).
  const n = Math.trunc(Math.log((epoch / t0) * (tMult - 1) + 1) / Math.log(tMult));
  return { tCur: epoch - (t0 * (tMult ** n - 1)) / (tMult - 1), tI: t0 * tMult ** n };
}

/** The SGDR lr at position `tCur` of a period `tI`: `etaMin + (base − etaMin)·(1 + cos(π·tCur/tI))/2`. */
export function warmRestartsAt(tCur: number, tI: number, base: number, etaMin: number): number {
  return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
}

/**
 * SGDR: cosine annealing from each group's base lr to `etaMin` over a period that restarts at
 * the base lr after `t0`, `t0·tMult`, `t0·tMult²`, … epochs.
 *
 * ```text
 * lr = η_min + (base − η_min)·(1 + cos(π·T_cur/T_i))/2
 * T_cur counts steps since the last restart; when it reaches T_i: T_cur ← T_cur − T_i, T_i ← T_i·T_mult
 * ```
 * Defaults: tMult = 1, etaMin = 0. Not chainable: every value comes from the base lr, so
 * restarts are exact. `step(epoch)` also accepts a fractional epoch (e.g. `epoch + i/iters`
 * within an epoch) and recomputes the position from it, as PyTorch's does.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  protected readonly kind = 'CosineAnnealingWarmRestarts';
  private config: CosineAnnealingWarmRestartsConfig;
  private tCur: number;
  private tI: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer);
    this.config = warmRestartsConfig(readOptions(options, ['t0', 'tMult', 'etaMin']), '');
    this.tI = this.config.t0;
    this.tCur = -1;
    this.start();
  }

  /** One step, or (with `epoch`, ≥ 0, possibly fractional) a jump to that epoch. */
  step(epoch?: number): void {
    if (epoch !== undefined) num('epoch', epoch, undefined, 'a finite number >= 0', (x) => x >= 0);
    let at: number;
    let tCur: number;
    let tI: number;
    if (epoch === undefined && this.epoch >= 0) {
      at = this.epoch + 1;
      tCur = this.tCur + 1;
      tI = this.tI;
      if (tCur >= tI) {
        tCur = tCur % tI;
        tI = tI * this.config.tMult;
      }
    } else {
      // The constructor's step (epoch −1 → 0) goes through here with epoch 0.
      at = epoch ?? 0;
      ({ tCur, tI } = warmRestartsPosition(at, this.config));
      // PyTorch leaves T_i alone for T_mult = 1 (it always equals T_0 then).
    }
    this.countStep();
    this.tCur = tCur;
    this.tI = tI;
    this.epoch = Math.floor(at);
    this.apply(this.getLr());
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base) => warmRestartsAt(this.tCur, this.tI, base, this.config.etaMin));
  }

  protected saveOwn(): Record<string, unknown> {
    return { ...this.config, tCur: this.tCur, tI: this.tI };
  }

  protected readOwn(s: Record<string, unknown>, where: string): () => void {
    const c = warmRestartsConfig(s, `${where}.`);
    const tCur = num(`${where}.tCur`, s.tCur, undefined, 'a finite number >= -1', (x) => x >= -1);
    const tI = int(`${where}.tI`, s.tI, undefined, 1);
    return () => {
      this.config = c;
      this.tCur = tCur;
      this.tI = tI;
    };
  }
}
