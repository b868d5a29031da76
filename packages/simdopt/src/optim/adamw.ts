/**
 * AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay `p ← p·(1 − lr·wd)` applied
 * before the Adam update, as `torch.optim.AdamW` (a subclass of Adam with
 * `decoupled_weight_decay=True`). Default weightDecay 1e-2.
 */
import type { ParamsInput } from './optimizer.js';
import { Adam, type AdamOptions } from './adam.js';

export type AdamWOptions = AdamOptions;

export class AdamW extends Adam {
  protected readonly kind: string = 'AdamW';

  constructor(params: ParamsInput<AdamWOptions>, options: Partial<Omit<AdamWOptions, 'decoupledWeightDecay'>> = {}) {
    super(params, { weightDecay: 1e-2, ...options, decoupledWeightDecay: true });
  }
}
