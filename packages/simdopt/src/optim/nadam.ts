/** NAdam: options schema, kernel (js twin) and class; see the class comment. */
import { power } from './power.js';
import type { OptimizerKernel } from '../backend/backend.js';
import { lerp32 } from './adam.js';
import { Optimizer, type ParamsInput, type StepContext } from './optimizer.js';
import type { NAdamOptions } from './options.js';
import { lr, adamBetas, eps, weightDecay, nonNegative, decoupledWeightDecay, maximize, type Schema } from '../options/schema.js';

export type { NAdamOptions };

/** NAdam's options (src/optim/options.ts is generated from this). */
export const nadamSchema: Schema = {
  name: 'NAdam',
  torch: 'torch.optim.NAdam',
  options: {
    lr: lr(2e-3),
    betas: adamBetas(0.9, 0.999),
    eps: eps(1e-8),
    weightDecay: weightDecay(),
    momentumDecay: nonNegative(4e-3, 'ψ of the momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)).', 'momentum_decay'),
    decoupledWeightDecay,
    maximize,
  },
};

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/nadam.rs, `arg`).
const MAXIMIZE = 1;
const COUPLED = 1 << 1;
const DECOUPLED = 2 << 1;

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const nadamKernel: OptimizerKernel = {
  name: 'nadam',
  argsLength: 10,
  js(p, g, s, a) {
    const flags = a[0];
    const maximize = (flags & MAXIMIZE) !== 0;
    const decay = flags & (3 << 1);
    const wd = a[1];
    const factor = a[2];
    const w1 = a[3];
    const beta2 = a[4];
    const w2 = a[5];
    const bc2 = a[6];
    const eps = a[7];
    const gradCoef = a[8];
    const expAvgCoef = a[9];
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
      const denom = f(f(Math.sqrt(f(vi / bc2))) + eps);
      // Two addcdiv_ calls in PyTorch: the parameter is rounded in between.
      pi = f(pi + f(f(gradCoef * gi) / denom));
      p[i] = f(pi + f(f(expAvgCoef * mi) / denom));
    }
  },
};

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
  protected readonly kind = 'NAdam';
  protected readonly kernel = nadamKernel;
  protected readonly slotNamesAll = ['exp_avg', 'exp_avg_sq'] as const;

  constructor(params: ParamsInput<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(params, options, { schema: nadamSchema });
  }

  protected slotNames(): readonly string[] {
    return ['exp_avg', 'exp_avg_sq'];
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
    const decay = o.weightDecay === 0 ? 0 : o.decoupledWeightDecay ? DECOUPLED : COUPLED;
    a[0] = (o.maximize ? MAXIMIZE : 0) | decay;
    a[1] = o.weightDecay;
    a[2] = 1 - o.lr * o.weightDecay;
    a[3] = 1 - beta1;
    a[4] = beta2;
    a[5] = 1 - beta2;
    a[6] = 1 - power(beta2, step);
    a[7] = o.eps;
    a[8] = (-o.lr * (1 - mu)) / (1 - muProduct);
    a[9] = (-o.lr * muNext) / (1 - muProduct * muNext);
  }
}
