/**
 * Momentum cycling shared by CyclicLR and OneCycleLR: PyTorch writes the cycled value to the
 * group's `momentum` on optimizers whose defaults have one (SGD, RMSprop) and to `betas[0]` on
 * those with `betas` (Adam and its relatives).
 */
import { fail } from '../errors.js';
import { groupsOf, perGroup, type AnyOptimizer, type ScheduledGroup } from './scheduler.js';

/** Whether `optimizer` cycles `betas[0]` (true) or `momentum` (false); throws when it has neither. */
export function usesBeta1(optimizer: AnyOptimizer): boolean {
  const defaults = optimizer.defaults as unknown as Record<string, unknown>;
  if (!('momentum' in defaults) && !('betas' in defaults)) {
    fail('cycleMomentum', 'false: the optimizer must support momentum or beta1 with `cycleMomentum` enabled', true);
  }
  const beta1 = 'betas' in defaults;
  if (beta1) {
    groupsOf(optimizer).forEach((g, i) => {
      if (!Array.isArray(g.betas)) fail(`paramGroups[${i}].betas`, 'an array [beta1, beta2]', g.betas);
    });
  }
  return beta1;
}

/** Per-group momentum boundaries: in [0, 1) for beta1, ≥ 0 for momentum. */
export function momentumBounds(name: string, v: unknown, fallback: number, groups: number, beta1: boolean): number[] {
  return beta1
    ? perGroup(name, v, fallback, groups, 'a number in [0, 1) (it becomes beta1)', (x) => x >= 0 && x < 1)
    : perGroup(name, v, fallback, groups, 'a finite number >= 0', (x) => x >= 0);
}

/** Writes `m` as the group's momentum, or as beta1 keeping the other betas (a new array, as PyTorch makes a new tuple). */
export function writeMomentum(group: ScheduledGroup, beta1: boolean, m: number): void {
  if (beta1) group.betas = [m, ...(group.betas as number[]).slice(1)];
  else group.momentum = m;
}
