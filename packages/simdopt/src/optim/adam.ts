/** Adam: options schema, kernel (js twin) and class; see the class comment. */
import { power } from './power.js';
import type { OptimizerKernel } from '../backend/backend.js';
import { Optimizer, type ParamsInput, type StepContext } from './optimizer.js';
import type { AdamOptions } from './options.js';
import { lr, adamBetas, eps, weightDecay, boolean, maximize, type Schema } from '../options/schema.js';

export type { AdamOptions };

/** Adam's options (src/optim/options.ts is generated from this). */
export const adamSchema: Schema = {
  name: 'Adam',
  torch: 'torch.optim.Adam',
  options: {
    lr: lr(1e-3),
    betas: adamBetas(0.9, 0.999),
    eps: eps(1e-8),
    weightDecay: weightDecay(),
    amsgrad: boolean(false, 'Use the maximum of past second moments (AMSGrad).', 'amsgrad'),
    maximize,
    decoupledWeightDecay: boolean(false, 'True makes Adam identical to AdamW.', 'decoupled_weight_decay'),
  },
};

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/adam.rs, `arg`).
const MAXIMIZE = 1;
const AMSGRAD = 2;
const COUPLED = 1 << 2;
const DECOUPLED = 2 << 2;

/** lerp(a, b, w) as ATen computes it (float32 operations). */
export function lerp32(a: number, b: number, w: number): number {
  return Math.abs(w) < 0.5 ? f(a + f(w * f(b - a))) : f(b - f(f(b - a) * f(1 - w)));
}

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const adamKernel: OptimizerKernel = {
  name: 'adam',
  argsLength: 9,
  js(p, g, s, a) {
    const flags = a[0];
    const maximize = (flags & MAXIMIZE) !== 0;
    const amsgrad = (flags & AMSGRAD) !== 0;
    const decay = flags & (3 << 2);
    const wd = a[1];
    const factor = a[2];
    const w1 = a[3];
    const beta2 = a[4];
    const w2 = a[5];
    const negStepSize = -a[6];
    const bc2Sqrt = a[7];
    const eps = a[8];
    const m = s[0];
    const v = s[1];
    const vmax = s[2];
    for (let i = 0; i < p.length; i++) {
      let pi = p[i];
      let gi = maximize ? -g[i] : g[i];
      if (decay === COUPLED) gi = f(gi + f(wd * pi));
      else if (decay === DECOUPLED) pi = f(pi * factor);
      const mi = lerp32(m[i], gi, w1);
      const vi = f(f(v[i] * beta2) + f(f(w2 * gi) * gi));
      m[i] = mi;
      v[i] = vi;
      let second = vi;
      if (amsgrad) second = vmax[i] = Math.max(vmax[i], vi);
      const denom = f(f(f(Math.sqrt(second)) / bc2Sqrt) + eps);
      p[i] = f(pi + f(f(negStepSize * mi) / denom));
    }
  },
};

/**
 * Adam (Kingma & Ba 2015) and its AMSGrad variant, with the exact semantics of
 * `torch.optim.Adam` (Rust kernel: crates/simdopt-core/src/optim/adam.rs).
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p (coupled)  or  p ← p·(1 − lr·wd) (decoupledWeightDecay)
 * m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²;  v_max ← max(v_max, v) (amsgrad)
 * p ← p − lr/(1 − β1^t) · m / (sqrt(v or v_max)/sqrt(1 − β2^t) + eps)
 * ```
 * The bias corrections are computed here in float64 once per step, as PyTorch does in Python.
 * Defaults: lr 0.001, betas [0.9, 0.999], eps 1e-8, weightDecay 0, amsgrad false, maximize false,
 * decoupledWeightDecay false.
 */
export class Adam extends Optimizer<AdamOptions> {
  protected readonly kind: string = 'Adam';
  protected readonly kernel = adamKernel;
  protected readonly slotNamesAll = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] as const;

  /** The schema (AdamW replaces it: same options, other defaults). */
  protected static readonly schema: Schema = adamSchema;

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, { schema: (new.target as typeof Adam).schema });
  }

  protected slotNames(o: AdamOptions): readonly string[] {
    return o.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }

  protected writeArgs(a: Float32Array, o: AdamOptions, { step }: StepContext): void {
    const [beta1, beta2] = o.betas;
    const decay = o.decoupledWeightDecay ? DECOUPLED : o.weightDecay !== 0 ? COUPLED : 0;
    a[0] = (o.maximize ? MAXIMIZE : 0) | (o.amsgrad ? AMSGRAD : 0) | decay;
    a[1] = o.weightDecay;
    a[2] = 1 - o.lr * o.weightDecay;
    a[3] = 1 - beta1;
    a[4] = beta2;
    a[5] = 1 - beta2;
    a[6] = o.lr / (1 - power(beta1, step));
    a[7] = Math.sqrt(1 - power(beta2, step));
    a[8] = o.eps;
  }
}
