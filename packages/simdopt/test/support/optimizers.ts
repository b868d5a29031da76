/** Small optimizers for the scheduler tests: SGD/Adam with one or more param groups, and one without momentum or betas. */
import { Adam, Optimizer, Parameter, SGD, type BaseOptions, type ParamsInput } from 'simdopt';
import { sgdKernel } from '../../src/optim/sgd.js';
import type { StepContext } from '../../src/optim/optimizer.js';

/** SGD with one group per lr (momentum 0.9 unless given). */
export function sgd(lrs: number[] = [0.1], momentum = 0.9): SGD {
  return new SGD(
    lrs.map((lr) => ({ params: [Parameter.zeros(2)], lr })),
    { momentum },
  );
}

/** Adam with one group per lr. */
export function adam(lrs: number[] = [0.1]): Adam {
  return new Adam(lrs.map((lr) => ({ params: [Parameter.zeros(2)], lr })));
}

/**
 * Plain gradient descent whose defaults have neither `momentum` nor `betas` (like PyTorch's
 * Adagrad or Adadelta), to test the schedulers' refusal to cycle momentum on it. It reuses SGD's
 * kernel with momentum off.
 */
export class PlainGD extends Optimizer<BaseOptions> {
  protected readonly kind = 'PlainGD';
  protected readonly kernel = sgdKernel;
  protected readonly hasStepCounter = false;
  protected readonly slotNamesAll = [] as const;

  constructor(params: ParamsInput<BaseOptions>, options: Partial<BaseOptions> = {}) {
    super(params, { lr: 1e-3, skipNonFinite: false, ...options });
  }

  protected checkOptions(): void {}

  protected slotNames(): readonly string[] {
    return [];
  }

  protected writeArgs(a: Float32Array, o: BaseOptions, _ctx: StepContext): void {
    a.fill(0);
    a[3] = 1;
    a[4] = o.lr;
  }
}

export function plain(lrs: number[] = [0.1]): PlainGD {
  return new PlainGD(lrs.map((lr) => ({ params: [Parameter.zeros(2)], lr })));
}

/** The groups' lr values. */
export function lrsOf(opt: Optimizer<never> | SGD | Adam | PlainGD): number[] {
  return (opt.paramGroups as unknown as { lr: number }[]).map((g) => g.lr);
}
