/** Adagrad: options schema, kernel (js twin) and class; see the class comment. */
import { coupledFlags, CoupledGrad, eps, kernel, lr, maximize, nonNegative, Optimizer, schema, weightDecay, type ParamsInput, type StepContext } from './house.js';
import type { AdagradOptions } from './options.js';

export type { AdagradOptions };

/** Adagrad's options (src/optim/options.ts is generated from this). */
export const adagradSchema = schema('Adagrad', 'torch.optim.Adagrad', {
  lr: lr(1e-2), lrDecay: nonNegative(0, 'Learning-rate decay: step t uses lr / (1 + (t − 1)·lrDecay).', 'lr_decay'),
  weightDecay: weightDecay(),
  initialAccumulatorValue: nonNegative(0, "Starting value of the accumulator `sum` (read from the constructor's options only).", 'initial_accumulator_value'),
  eps: eps(1e-10), maximize
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/adagrad.rs, `arg`).
/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const adagradKernel = kernel('adagrad', 4, (p, g, s, a) => {
  const grad = new CoupledGrad(a);
  const [, , clr, eps] = a;
  const [sum] = s;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const gi = grad.at(p, g, i);
    const si = f(sum[i] + f(gi * gi));
    sum[i] = si;
    const std = f(f(Math.sqrt(si)) + eps);
    p[i] = f(pi + f(f(-clr * gi) / std));
  }
});

/**
 * Adagrad (Duchi, Hazan & Singer 2011, JMLR 12) with the exact semantics of `torch.optim.Adagrad`
 * (Rust kernel: crates/simdopt-core/src/optim/adagrad.rs).
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p
 * clr = lr / (1 + (t − 1)·lrDecay)        the first step uses the undecayed lr
 * sum ← sum + g²
 * p ← p − clr·g / (sqrt(sum) + eps)
 * ```
 * As in PyTorch, every parameter's `sum` is created (filled with `initialAccumulatorValue`) and
 * its step counter set to 0 when the optimizer is built, not at the first step; the value is the
 * constructor's, so a per-group `initialAccumulatorValue` does not change it. Parameters of a
 * group added later get the same (PyTorch fails to step them).
 * Defaults: lr 0.01, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10, maximize
 * false.
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  protected readonly kernel = adagradKernel;
  protected readonly slotNamesAll = ['sum'] as const;

  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, options, { schema: adagradSchema, stateAtRegistration: true });
  }

  // Not the default (slotNamesAll): the base constructor already creates the state, before
  // this class's fields exist.
  protected slotNames(): readonly string[] {
    return ['sum'];
  }

  protected initSlot(_name: string, _group: AdagradOptions, view: Float32Array): void {
    // PyTorch fills from the constructor argument, whatever the group says.
    view.fill(this.defaults.initialAccumulatorValue);
  }

  protected writeArgs(a: Float32Array, o: AdagradOptions, { step }: StepContext): void {
    a[0] = coupledFlags(o);
    a[1] = o.weightDecay;
    a[2] = o.lr / (1 + (step - 1) * o.lrDecay);
    a[3] = o.eps;
  }
}
