/** Schedule-Free SGD: options schema and class (kernel and modes: schedulefree.ts). */
import { fail } from '../errors.js';
import { lr, schema, spec, type ParamsInput } from './house.js';
import type { ScheduleFreeSGDOptions } from './options.js';
import { ScheduleFree, scheduleFreeTail } from './schedulefree.js';

export type { ScheduleFreeSGDOptions };

/** The reference refuses momentum outside (0, 1): eval() divides by it, train() needs 1 − β > 0. */
const openUnitInterval = spec('number', (name, v) => {
  if (typeof v !== 'number' || !(v > 0 && v < 1)) fail(name, 'a number in (0, 1)', v);
});

/** Schedule-Free SGD's options (src/optim/options.ts is generated from this). */
export const scheduleFreeSGDSchema = schema('ScheduleFreeSGD', 'schedulefree.SGDScheduleFree (facebookresearch/schedule_free)', {
  lr: lr(1), momentum: openUnitInterval(0.9, 'The interpolation β between z and the average.', 'momentum'), ...scheduleFreeTail()
});

/**
 * Schedule-Free SGD (Defazio et al. 2024, "The Road Less Scheduled", arXiv 2405.15682), as
 * facebookresearch/schedule_free `schedulefree/sgd_schedulefree.py` computes it (Rust kernel:
 * crates/simdopt-core/src/optim/schedulefree.rs, without the second moment). Not part of
 * torch.optim.
 *
 * ```text
 * per group and step (k = steps so far):
 *   lr_k = lr·min(1, (k+1)/warmupSteps);  lrMax = max(lrMax, lr_k)     (lrMax starts at −1)
 *   weight = (k+1)^r · lrMax^weightLrPower;  weightSum += weight;  c = weight / weightSum (0 if 0)
 * per element (z starts as a copy of the parameter at its first step), β = momentum:
 *   d = g + wd·y;  y ← lerp(y, z, c);  y ← y + lr_k·(β·(1 − c) − 1)·d;  z ← z − lr_k·d
 * eval():  p ← lerp(p, z, 1 − 1/β)  (y → x);    train():  p ← lerp(p, z, 1 − β)  (x → y)
 * ```
 * Modes and group bookkeeping as ScheduleFreeAdamW; state per parameter: `z`.
 * Defaults: lr 1, momentum 0.9, weightDecay 0, warmupSteps 0, r 0, weightLrPower 2.
 */
export class ScheduleFreeSGD extends ScheduleFree<ScheduleFreeSGDOptions> {
  protected readonly slotNamesAll = ['z'] as const;
  protected readonly adaptive = false;

  constructor(params: ParamsInput<ScheduleFreeSGDOptions>, options: Partial<ScheduleFreeSGDOptions> = {}) {
    super(params, options, scheduleFreeSGDSchema);
  }

  protected beta(o: ScheduleFreeSGDOptions): number {
    return o.momentum;
  }
}
