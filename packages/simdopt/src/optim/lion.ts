/** Lion: options schema, kernel (js twin) and class; see the class comment. */
import { betas, coupledFlags, kernel, lr, maximize, Optimizer, schema, weightDecay, type ParamsInput, type StepContext } from './house.js';
import type { LionOptions } from './options.js';

export type { LionOptions };

/** Lion's options (src/optim/options.ts is generated from this). */
export const lionSchema = schema('Lion', 'Lion (Chen et al. 2023, arXiv 2302.06675; lucidrains/lion-pytorch)', {
  lr: lr(1e-4),
  betas: betas([0.9, 0.99], 'β1 interpolates the update direction, β2 the momentum that is kept.', 'betas'),
  weightDecay: weightDecay(), maximize
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/lion.rs, `arg`): flags as coupled.ts (maximize
// bit 0, weight decay bit 1), but the decay is decoupled: entry 1 holds the factor 1 − lr·wd.

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const lionKernel = kernel('lion', 7, (p, g, s, a) => {
  const maximize = (a[0] & 1) !== 0;
  const decay = (a[0] & 2) !== 0;
  const [, factor, beta1, w1, beta2, w2, lr] = a;
  const [m] = s;
  for (let i = 0; i < p.length; i++) {
    const pi = decay ? f(p[i] * factor) : p[i];
    const gi = maximize ? -g[i] : g[i];
    const mi = m[i];
    const c = f(f(beta1 * mi) + f(w1 * gi));
    m[i] = f(f(beta2 * mi) + f(w2 * gi));
    // Math.sign keeps ±0 and NaN, as the kernel's Lanes::sign.
    p[i] = f(pi + f(-lr * Math.sign(c)));
  }
});

/**
 * Lion, "EvoLved Sign Momentum" (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", arXiv 2302.06675). Not part of torch.optim; simdopt follows the paper's Program 1
 * with PyTorch's conventions (Rust kernel: crates/simdopt-core/src/optim/lion.rs).
 *
 * ```text
 * g ← −g if maximize;  p ← p·(1 − lr·wd)      decoupled weight decay
 * c = β1·m + (1 − β1)·g
 * p ← p − lr·sign(c)                          sign(0) = 0
 * m ← β2·m + (1 − β2)·g
 * ```
 * Every coordinate moves by exactly lr (or 0), so Lion wants an lr 3–10× smaller than AdamW's and
 * a weightDecay 3–10× larger.
 * Defaults: lr 0.0001, betas [0.9, 0.99], weightDecay 0, maximize false.
 */
export class Lion extends Optimizer<LionOptions> {
  protected readonly kernel = lionKernel;
  protected readonly slotNamesAll = ['exp_avg'] as const;

  constructor(params: ParamsInput<LionOptions>, options: Partial<LionOptions> = {}) {
    super(params, options, { schema: lionSchema });
  }

  protected writeArgs(a: Float32Array, o: LionOptions, _ctx: StepContext): void {
    const [beta1, beta2] = o.betas;
    a[0] = coupledFlags(o);
    a[1] = 1 - o.lr * o.weightDecay;
    a[2] = beta1;
    a[3] = 1 - beta1;
    a[4] = beta2;
    a[5] = 1 - beta2;
    a[6] = o.lr;
  }
}
