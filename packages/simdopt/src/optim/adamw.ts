/** AdamW: Adam's schema with weightDecay 1e-2, and the class. */
import type { ParamsInput } from './optimizer.js';
import { Adam, adamSchema } from './adam.js';
import { withDefaults, type Schema } from '../options/schema.js';
import type { AdamWOptions } from './options.js';

export type { AdamWOptions };

export const adamwSchema = withDefaults(adamSchema, 'AdamW', 'torch.optim.AdamW', { weightDecay: 1e-2, decoupledWeightDecay: true });

/**
 * AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay `p ← p·(1 − lr·wd)` applied
 * before the Adam update, as `torch.optim.AdamW` (a subclass of Adam with
 * `decoupled_weight_decay=True`, which AdamW always sets).
 * Defaults: lr 0.001, betas [0.9, 0.999], eps 1e-8, weightDecay 0.01, amsgrad false, maximize
 * false, decoupledWeightDecay true (always).
 */
export class AdamW extends Adam {
  protected static readonly schema: Schema = adamwSchema;

  constructor(params: ParamsInput<AdamWOptions>, options: Partial<Omit<AdamWOptions, 'decoupledWeightDecay'>> = {}) {
    super(params, { ...options, decoupledWeightDecay: true });
  }
}
