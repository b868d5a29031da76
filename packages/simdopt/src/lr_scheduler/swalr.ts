/**
 * SWALR (`torch.optim.swa_utils.SWALR`): anneals each group's lr to `swaLr` over `annealEpochs`
 * epochs and holds it there, for stochastic weight averaging (Izmailov et al. 2018,
 * arXiv 1803.05407).
 *
 * ```text
 * s = stepCount − 1 (max(1, s) when annealEpochs = 0)
 * a(t) = (1 − cos(π·t))/2 ('cos') or t ('linear'),  t_s = clamp(s/max(1, annealEpochs), 0, 1)
 * lr₀ = (lr − a(t_{s−1})·swaLr)/(1 − a(t_{s−1}))   (swaLr when a = 1)   the lr the anneal started from
 * lr ← swaLr·a(t_s) + lr₀·(1 − a(t_s))
 * ```
 * As PyTorch's recursive form, it reads each group's current lr, so a manual change persists.
 * The constructor writes `swaLr` into every param group (PyTorch's `group['swa_lr']`).
 * Defaults: annealEpochs 10, annealStrategy 'cos'; `swaLr` (a number, or one per group) is required.
 */
import { fail } from '../errors.js';
import { checkInteger } from '../validate.js';
import { groupsOf, LRScheduler, num, readOptions, type AnyOptimizer } from './scheduler.js';

export interface SWALROptions {
  /** The lr to anneal to: one for every group, or one per group. */
  swaLr: number | number[];
  /** Epochs of the anneal (an integer >= 0). */
  annealEpochs?: number;
  annealStrategy?: 'cos' | 'linear';
}

interface SWALRConfig {
  annealEpochs: number;
  annealStrategy: 'cos' | 'linear';
}

function swalrConfig(o: Record<string, unknown>, at: string): SWALRConfig {
  const annealEpochs = o.annealEpochs ?? 10;
  checkInteger(`${at}annealEpochs`, annealEpochs, 0);
  const annealStrategy = o.annealStrategy ?? 'cos';
  if (annealStrategy !== 'cos' && annealStrategy !== 'linear') fail(`${at}annealStrategy`, "'cos' or 'linear'", annealStrategy);
  return { annealEpochs, annealStrategy };
}

export class SWALR extends LRScheduler {
  protected readonly kind = 'SWALR';
  private config: SWALRConfig;

  constructor(optimizer: AnyOptimizer, options: SWALROptions) {
    super(optimizer);
    const o = readOptions(options, ['swaLr', 'annealEpochs', 'annealStrategy']);
    const n = groupsOf(optimizer).length;
    let swaLrs: number[];
    if (Array.isArray(o.swaLr)) {
      if (o.swaLr.length !== n) fail('swaLr', `${n} numbers (one per param group)`, o.swaLr);
      swaLrs = o.swaLr.map((x, i) => num(`swaLr[${i}]`, x, undefined, 'a finite number', () => true));
    } else {
      swaLrs = new Array<number>(n).fill(num('swaLr', o.swaLr, undefined, 'a finite number (required)', () => true));
    }
    this.config = swalrConfig(o, '');
    this.start(() => groupsOf(optimizer).forEach((g, i) => (g.swaLr = swaLrs[i])));
  }

  private anneal(t: number): number {
    return this.config.annealStrategy === 'cos' ? (1 - Math.cos(Math.PI * t)) / 2 : t;
  }

  protected getLr(): number[] {
    const { annealEpochs } = this.config;
    let step = this.stepCount - 1;
    if (annealEpochs === 0) step = Math.max(1, step);
    const prevAlpha = this.anneal(Math.max(0, Math.min(1, (step - 1) / Math.max(1, annealEpochs))));
    const alpha = this.anneal(Math.max(0, Math.min(1, step / Math.max(1, annealEpochs))));
    return groupsOf(this.optimizer).map((g, i) => {
      const swaLr = g.swaLr;
      if (typeof swaLr !== 'number' || !Number.isFinite(swaLr)) fail(`paramGroups[${i}].swaLr`, 'a finite number', swaLr);
      const start = prevAlpha === 1 ? swaLr : (g.lr - prevAlpha * swaLr) / (1 - prevAlpha);
      return swaLr * alpha + start * (1 - alpha);
    });
  }

  protected saveOwn(): Record<string, unknown> {
    return { ...this.config };
  }

  protected readOwn(s: Record<string, unknown>, where: string): () => void {
    const c = swalrConfig(s, `${where}.`);
    return () => (this.config = c);
  }
}
