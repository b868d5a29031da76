/** Adamax: options schema, kernel (js twin) and class; see the class comment. */
import { adamBetas, coupledFlags, CoupledGrad, eps, kernel, lerp32, lr, maximize, Optimizer, power, schema, weightDecay, type ParamsInput, type StepContext } from './house.js';
import type { AdamaxOptions } from './options.js';

export type { AdamaxOptions };

/** Adamax's options (src/optim/options.ts is generated from this). */
export const adamaxSchema = schema('Adamax', 'torch.optim.Adamax', {
  lr: lr(2e-3), betas: adamBetas(0.9, 0.999), eps: eps(1e-8), weightDecay: weightDecay(), maximize
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/adamax.rs, `arg`).
/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const adamaxKernel = kernel('adamax', 6, (p, g, s, a) => {
  const grad = new CoupledGrad(a);
  const [, , w1, beta2, eps, clr] = a;
  const [m, u] = s;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const gi = grad.at(p, g, i);
    const mi = lerp32(m[i], gi, w1);
    m[i] = mi;
    // Math.max propagates NaN and orders −0 below +0, as wasm's f32.max.
    const ui = Math.max(f(u[i] * beta2), f(Math.abs(gi) + eps));
    u[i] = ui;
    p[i] = f(pi + f(f(-clr * mi) / ui));
  }
});

/**
 * Adamax, Adam's infinity-norm variant (Kingma & Ba 2015, arXiv 1412.6980, §7.1), with the exact
 * semantics of `torch.optim.Adamax` (Rust kernel: crates/simdopt-core/src/optim/adamax.rs).
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p
 * m ← lerp(m, g, 1 − β1)
 * u ← max(β2·u, |g| + eps)                 eps inside the max
 * p ← p − lr/(1 − β1^t) · m / u            only the first moment is bias-corrected
 * ```
 * Defaults: lr 0.002, betas [0.9, 0.999], eps 1e-8, weightDecay 0, maximize false.
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  protected readonly kernel = adamaxKernel;
  protected readonly slotNamesAll = ['exp_avg', 'exp_inf'] as const;

  constructor(params: ParamsInput<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(params, options, { schema: adamaxSchema });
  }

  protected writeArgs(a: Float32Array, o: AdamaxOptions, { step }: StepContext): void {
    const [beta1, beta2] = o.betas;
    a[0] = coupledFlags(o);
    a[1] = o.weightDecay;
    a[2] = 1 - beta1;
    a[3] = beta2;
    a[4] = o.eps;
    a[5] = o.lr / (1 - power(beta1, step));
  }
}
