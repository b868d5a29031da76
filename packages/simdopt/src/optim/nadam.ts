/** NAdam: options schema, kernel (js twin) and class; see the class comment. */
import { adamBetas, decoupledWeightDecay, eps, kernel, lr, maximize, Moments, nonNegative, Optimizer, power, schema, weightDecay, writeMoments, type ParamsInput, type StepContext } from './house.js';
import type { NAdamOptions } from './options.js';

export type { NAdamOptions };

/** NAdam's options (src/optim/options.ts is generated from this). */
export const nadamSchema = schema('NAdam', 'torch.optim.NAdam', {
  lr: lr(2e-3), betas: adamBetas(0.9, 0.999), eps: eps(1e-8), weightDecay: weightDecay(),
  momentumDecay: nonNegative(4e-3, 'ψ of the momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)).', 'momentum_decay'),
  decoupledWeightDecay, maximize
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/nadam.rs, `arg`): Moments' entries 0 … 5 with the
// decay mode at bit 1, then 1 − β2^t, eps and the two step coefficients.
export const DECAY_SHIFT = 1;

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const nadamKernel = kernel('nadam', 10, (p, g, s, a) => {
  const moments = new Moments(a, DECAY_SHIFT);
  const [, , , , , , bc2, eps, gradCoef, expAvgCoef] = a;
  const [m, v] = s;
  for (let i = 0; i < p.length; i++) {
    const gi = moments.update(p, g, m, v, i);
    const denom = f(f(Math.sqrt(f(v[i] / bc2))) + eps);
    // Two addcdiv_ calls in PyTorch: the parameter is rounded in between.
    const pi = f(p[i] + f(f(gradCoef * gi) / denom));
    p[i] = f(pi + f(f(expAvgCoef * m[i]) / denom));
  }
});

const INITIAL_SCALARS = Object.freeze({ mu_product: 1 });

/**
 * NAdam, Adam with Nesterov momentum (Dozat 2016), with the exact semantics of `torch.optim.NAdam`
 * (torch ≥ 2.0; Rust kernel: crates/simdopt-core/src/optim/nadam.rs).
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p (coupled)  or  p ← p·(1 − lr·wd) (decoupledWeightDecay)
 * μ_t = β1·(1 − ½·0.96^(t·ψ)),  mu_product ← mu_product·μ_t          ψ = momentumDecay
 * m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²;  denom = sqrt(v/(1 − β2^t)) + eps
 * p ← p − lr·(1 − μ_t)/(1 − mu_product) · g/denom
 * p ← p − lr·μ_{t+1}/(1 − mu_product·μ_{t+1}) · m/denom
 * ```
 * `mu_product` is per-parameter state, as in PyTorch (a parameter that skips steps keeps its own
 * product; a changed beta1 or momentumDecay enters only the factors still to come). It is kept in
 * float64 and exported by `stateDict()` as a number; PyTorch keeps it in the default dtype (usually
 * float32), which moves results by ~1e-9.
 * Defaults: lr 0.002, betas [0.9, 0.999], eps 1e-8, weightDecay 0, momentumDecay 0.004,
 * decoupledWeightDecay false, maximize false.
 */
export class NAdam extends Optimizer<NAdamOptions> {
  protected readonly kernel = nadamKernel;
  protected readonly slotNamesAll = ['exp_avg', 'exp_avg_sq'] as const;

  constructor(params: ParamsInput<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(params, options, { schema: nadamSchema });
  }

  protected initialScalars(): Readonly<Record<string, number>> {
    return INITIAL_SCALARS;
  }

  protected writeArgs(a: Float32Array, o: NAdamOptions, ctx: StepContext): void {
    const { step } = ctx;
    const [beta1, beta2] = o.betas;
    const mu = beta1 * (1 - 0.5 * power(0.96, step * o.momentumDecay));
    const muNext = beta1 * (1 - 0.5 * power(0.96, (step + 1) * o.momentumDecay));
    const muProduct = ctx.scalars.mu_product * mu;
    ctx.scalars.mu_product = muProduct;
    writeMoments(a, o, DECAY_SHIFT);
    a[6] = 1 - power(beta2, step);
    a[7] = o.eps;
    a[8] = (-o.lr * (1 - mu)) / (1 - muProduct);
    a[9] = (-o.lr * muNext) / (1 - muProduct * muNext);
  }
}
