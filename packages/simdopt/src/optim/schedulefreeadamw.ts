/** Schedule-Free AdamW: options schema and class (kernel and modes: schedulefree.ts). */
import { adamBetas, eps, lr, schema, type ParamsInput } from './house.js';
import type { ScheduleFreeAdamWOptions } from './options.js';
import { ScheduleFree, scheduleFreeTail } from './schedulefree.js';

export type { ScheduleFreeAdamWOptions };

/** Schedule-Free AdamW's options (src/optim/options.ts is generated from this). */
export const scheduleFreeAdamWSchema = schema('ScheduleFreeAdamW', 'schedulefree.AdamWScheduleFree (facebookresearch/schedule_free)', {
  lr: lr(0.0025), betas: adamBetas(0.9, 0.999), eps: eps(1e-8), ...scheduleFreeTail()
});

/**
 * Schedule-Free AdamW (Defazio et al. 2024, "The Road Less Scheduled", arXiv 2405.15682), as
 * facebookresearch/schedule_free `schedulefree/adamw_schedulefree.py` computes it (Rust kernel:
 * crates/simdopt-core/src/optim/schedulefree.rs). Not part of torch.optim.
 *
 * ```text
 * per group and step (k = steps so far):
 *   lr_k = lr·min(1, (k+1)/warmupSteps);  lrMax = max(lrMax, lr_k)     (lrMax starts at −1)
 *   weight = (k+1)^r · lrMax^weightLrPower;  weightSum += weight;  c = weight / weightSum (0 if 0)
 * per element (z starts as a copy of the parameter at its first step):
 *   v ← β2·v + (1 − β2)·g²;  d = g / (√(v/(1 − β2^(k+1))) + eps);  d ← d + wd·y
 *   y ← lerp(y, z, c);  y ← y + lr_k·(β1·(1 − c) − 1)·d;  z ← z − lr_k·d
 * eval():  p ← lerp(p, z, 1 − 1/β1)  (y → x);    train():  p ← lerp(p, z, 1 − β1)  (x → y)
 * ```
 * As in the reference the optimizer starts in eval mode: call `train()` before the first `step()`
 * (a step outside train mode throws) and `eval()` before evaluating or saving the model. Each
 * param group keeps its bookkeeping (`k`, `trainMode`, `weightSum`, `lrMax`, `scheduledLr`), as
 * the reference's `param_groups` do; state per parameter: `z`, `exp_avg_sq`.
 * Defaults: lr 0.0025, betas [0.9, 0.999], eps 1e-8, weightDecay 0, warmupSteps 0, r 0,
 * weightLrPower 2.
 */
export class ScheduleFreeAdamW extends ScheduleFree<ScheduleFreeAdamWOptions> {
  protected readonly slotNamesAll = ['z', 'exp_avg_sq'] as const;
  protected readonly adaptive = true;

  constructor(params: ParamsInput<ScheduleFreeAdamWOptions>, options: Partial<ScheduleFreeAdamWOptions> = {}) {
    super(params, options, scheduleFreeAdamWSchema);
  }

  protected beta(o: ScheduleFreeAdamWOptions): number {
    return o.betas[0];
  }
}
