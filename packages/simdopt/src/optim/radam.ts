/** RAdam: options schema, kernel (js twin) and class; see the class comment. */
import { adamBetas, decoupledWeightDecay, eps, hasFlag, kernel, lr, maximize, Moments, Optimizer, power, schema, weightDecay, writeMoments, type ParamsInput, type StepContext } from './house.js';
import type { RAdamOptions } from './options.js';

export type { RAdamOptions };

/** RAdam's options (src/optim/options.ts is generated from this). */
export const radamSchema = schema('RAdam', 'torch.optim.RAdam', {
  lr: lr(1e-3), betas: adamBetas(0.9, 0.999), eps: eps(1e-8), weightDecay: weightDecay(), decoupledWeightDecay,
  maximize
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/radam.rs, `arg`): Moments' entries 0 … 5 with the
// decay mode at bit 2, rectify at bit 1, then 1 − β1^t, lr, sqrt(1 − β2^t), eps, r_t.
export const RECTIFY = 2;
export const DECAY_SHIFT = 2;

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const radamKernel = kernel('radam', 11, (p, g, s, a) => {
  const moments = new Moments(a, DECAY_SHIFT);
  const [flags, , , , , , bc1, lr, bc2Sqrt, eps, rect] = a;
  const rectify = hasFlag(flags, RECTIFY);
  const [m, v] = s;
  for (let i = 0; i < p.length; i++) {
    moments.update(p, g, m, v, i);
    const step = f(f(m[i] / bc1) * lr);
    if (rectify) {
      // (bias_correction2 ** 0.5) / tensor is reciprocal(tensor)·scalar in PyTorch.
      const adaptive = f(f(1 / f(f(Math.sqrt(v[i])) + eps)) * bc2Sqrt);
      p[i] = f(p[i] - f(f(step * adaptive) * rect));
    } else {
      p[i] = f(p[i] - step);
    }
  }
});

/**
 * RAdam, Adam with a rectified adaptive learning rate (Liu et al. 2020, arXiv 1908.03265), with
 * the exact semantics of `torch.optim.RAdam` (Rust kernel: crates/simdopt-core/src/optim/radam.rs).
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p (coupled)  or  p ← p·(1 − lr·wd) (decoupledWeightDecay)
 * m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²;  m̂ = m/(1 − β1^t)
 * ρ∞ = 2/(1 − β2) − 1;  ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)
 * ρ_t > 5: r = sqrt((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t)),  p ← p − lr·m̂·sqrt(1 − β2^t)/(sqrt(v) + eps)·r
 * else:    p ← p − lr·m̂                       (unrectified: not normalised by the gradient scale)
 * ```
 * With β2 = 0.999 the first rectified step is t = 6; with β2 ≤ 2/3 it never rectifies.
 * Defaults: lr 0.001, betas [0.9, 0.999], eps 1e-8, weightDecay 0, decoupledWeightDecay false,
 * maximize false.
 */
export class RAdam extends Optimizer<RAdamOptions> {
  protected readonly kernel = radamKernel;
  protected readonly slotNamesAll = ['exp_avg', 'exp_avg_sq'] as const;

  constructor(params: ParamsInput<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super(params, options, { schema: radamSchema });
  }

  protected writeArgs(a: Float32Array, o: RAdamOptions, { step }: StepContext): void {
    const [beta1, beta2] = o.betas;
    const bc2 = 1 - power(beta2, step);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * power(beta2, step)) / bc2;
    const rectify = rhoT > 5;
    a[0] = writeMoments(a, o, DECAY_SHIFT) | (rectify ? RECTIFY : 0);
    a[6] = 1 - power(beta1, step);
    a[7] = o.lr;
    a[8] = Math.sqrt(bc2);
    a[9] = o.eps;
    a[10] = rectify ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
  }
}
