/** RAdam: options schema, kernel (js twin) and class; see the class comment. */
import { power } from './power.js';
import type { OptimizerKernel } from '../backend/backend.js';
import { lerp32 } from './adam.js';
import { Optimizer, type ParamsInput, type StepContext } from './optimizer.js';
import type { RAdamOptions } from './options.js';
import { lr, adamBetas, eps, weightDecay, decoupledWeightDecay, maximize, type Schema } from '../options/schema.js';

export type { RAdamOptions };

/** RAdam's options (src/optim/options.ts is generated from this). */
export const radamSchema: Schema = {
  name: 'RAdam',
  torch: 'torch.optim.RAdam',
  options: {
    lr: lr(1e-3),
    betas: adamBetas(0.9, 0.999),
    eps: eps(1e-8),
    weightDecay: weightDecay(),
    decoupledWeightDecay,
    maximize,
  },
};

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/radam.rs, `arg`).
const MAXIMIZE = 1;
const RECTIFY = 2;
const COUPLED = 1 << 2;
const DECOUPLED = 2 << 2;

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const radamKernel: OptimizerKernel = {
  name: 'radam',
  argsLength: 11,
  js(p, g, s, a) {
    const flags = a[0];
    const maximize = (flags & MAXIMIZE) !== 0;
    const rectify = (flags & RECTIFY) !== 0;
    const decay = flags & (3 << 2);
    const wd = a[1];
    const factor = a[2];
    const w1 = a[3];
    const beta2 = a[4];
    const w2 = a[5];
    const bc1 = a[6];
    const lr = a[7];
    const bc2Sqrt = a[8];
    const eps = a[9];
    const rect = a[10];
    const m = s[0];
    const v = s[1];
    for (let i = 0; i < p.length; i++) {
      let pi = p[i];
      let gi = maximize ? -g[i] : g[i];
      if (decay === COUPLED) gi = f(gi + f(wd * pi));
      else if (decay === DECOUPLED) pi = f(pi * factor);
      const mi = lerp32(m[i], gi, w1);
      const vi = f(f(v[i] * beta2) + f(f(w2 * gi) * gi));
      m[i] = mi;
      v[i] = vi;
      const step = f(f(mi / bc1) * lr);
      if (rectify) {
        // (bias_correction2 ** 0.5) / tensor is reciprocal(tensor)·scalar in PyTorch.
        const adaptive = f(f(1 / f(f(Math.sqrt(vi)) + eps)) * bc2Sqrt);
        p[i] = f(pi - f(f(step * adaptive) * rect));
      } else {
        p[i] = f(pi - step);
      }
    }
  },
};

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
  protected readonly kind = 'RAdam';
  protected readonly kernel = radamKernel;
  protected readonly slotNamesAll = ['exp_avg', 'exp_avg_sq'] as const;

  constructor(params: ParamsInput<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super(params, options, { schema: radamSchema });
  }

  protected slotNames(): readonly string[] {
    return ['exp_avg', 'exp_avg_sq'];
  }

  protected writeArgs(a: Float32Array, o: RAdamOptions, { step }: StepContext): void {
    const [beta1, beta2] = o.betas;
    const bc2 = 1 - power(beta2, step);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * power(beta2, step)) / bc2;
    const rectify = rhoT > 5;
    const decay = o.weightDecay === 0 ? 0 : o.decoupledWeightDecay ? DECOUPLED : COUPLED;
    a[0] = (o.maximize ? MAXIMIZE : 0) | (rectify ? RECTIFY : 0) | decay;
    a[1] = o.weightDecay;
    a[2] = 1 - o.lr * o.weightDecay;
    a[3] = 1 - beta1;
    a[4] = beta2;
    a[5] = 1 - beta2;
    a[6] = 1 - power(beta1, step);
    a[7] = o.lr;
    a[8] = Math.sqrt(bc2);
    a[9] = o.eps;
    a[10] = rectify ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
  }
}
