/** Adam: options schema, kernel (js twin) and class; see the class comment. */
import { adamBetas, boolean, eps, kernel, lerp32, lr, maximize, Moments, Optimizer, power, schema, weightDecay, writeMoments, type ParamsInput, type Schema, type StepContext } from './house.js';
import type { AdamOptions } from './options.js';

export type { AdamOptions };

/** Adam's options (src/optim/options.ts is generated from this). */
export const adamSchema = schema('Adam', 'torch.optim.Adam', {
  lr: lr(1e-3), betas: adamBetas(0.9, 0.999), eps: eps(1e-8), weightDecay: weightDecay(),
  amsgrad: boolean(false, 'Use the maximum of past second moments (AMSGrad).', 'amsgrad'), maximize,
  decoupledWeightDecay: boolean(false, 'True makes Adam identical to AdamW.', 'decoupled_weight_decay')
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/adam.rs, `arg`): Moments' entries 0 … 5 with the
// decay mode at bit 2, amsgrad at bit 1, then lr/(1 − β1^t), sqrt(1 − β2^t), eps.
export const AMSGRAD = 2;
export const DECAY_SHIFT = 2;

export { lerp32 };

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const adamKernel = kernel('adam', 9, (p, g, s, a) => {
  const moments = new Moments(a, DECAY_SHIFT);
  const amsgrad = (a[0] & AMSGRAD) !== 0;
  const negStepSize = -a[6];
  const bc2Sqrt = a[7];
  const eps = a[8];
  const [m, v, vmax] = s;
  for (let i = 0; i < p.length; i++) {
    moments.update(p, g, m, v, i);
    const second = amsgrad ? (vmax[i] = Math.max(vmax[i], v[i])) : v[i];
    const denom = f(f(f(Math.sqrt(second)) / bc2Sqrt) + eps);
    p[i] = f(p[i] + f(f(negStepSize * m[i]) / denom));
  }
});

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
  protected readonly kernel = adamKernel;
  protected readonly slotNamesAll = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] as const;

  /** The schema (AdamW replaces it: same options, other defaults). */
  protected static readonly schema: Schema = adamSchema;

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, { schema: (new.target).schema });
  }

  protected slotNames(o: AdamOptions): readonly string[] {
    return o.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }

  protected writeArgs(a: Float32Array, o: AdamOptions, { step }: StepContext): void {
    a[0] = writeMoments(a, o, DECAY_SHIFT) | (o.amsgrad ? AMSGRAD : 0);
    a[6] = o.lr / (1 - power(o.betas[0], step));
    a[7] = Math.sqrt(1 - power(o.betas[1], step));
    a[8] = o.eps;
  }
}
