/** Adadelta: options schema, kernel (js twin) and class; see the class comment. */
import { coupledFlags, CoupledGrad, eps, kernel, lr, maximize, Optimizer, schema, unitInterval, weightDecay, type ParamsInput, type StepContext } from './house.js';
import type { AdadeltaOptions } from './options.js';

export type { AdadeltaOptions };

/** Adadelta's options (src/optim/options.ts is generated from this). */
export const adadeltaSchema = schema('Adadelta', 'torch.optim.Adadelta', {
  lr: lr(1.0), rho: unitInterval(0.9, 'Decay of both running averages, in [0, 1].', 'rho'), eps: eps(1e-6),
  weightDecay: weightDecay(), maximize
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/adadelta.rs, `arg`).
/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const adadeltaKernel = kernel('adadelta', 6, (p, g, s, a) => {
  const grad = new CoupledGrad(a);
  const [, , rho, oneMinusRho, eps, lr] = a;
  const [v, u] = s;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const gi = grad.at(p, g, i);
    const vi = f(f(v[i] * rho) + f(f(oneMinusRho * gi) * gi));
    v[i] = vi;
    const std = f(Math.sqrt(f(vi + eps)));
    const delta = f(f(f(Math.sqrt(f(u[i] + eps))) / std) * gi);
    u[i] = f(f(u[i] * rho) + f(f(oneMinusRho * delta) * delta));
    p[i] = f(pi + f(-lr * delta));
  }
});

/**
 * Adadelta (Zeiler 2012, arXiv 1212.5701) with the exact semantics of `torch.optim.Adadelta`
 * (Rust kernel: crates/simdopt-core/src/optim/adadelta.rs).
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p
 * v ← ρ·v + (1 − ρ)·g²
 * Δ = sqrt(u + eps) / sqrt(v + eps) · g      eps inside both roots; u from the previous step
 * u ← ρ·u + (1 − ρ)·Δ²
 * p ← p − lr·Δ
 * ```
 * Unlike the paper, PyTorch multiplies by lr (default 1.0). The first steps are tiny (about
 * 3e-3·lr with the defaults).
 * Defaults: lr 1, rho 0.9, eps 0.000001, weightDecay 0, maximize false.
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  protected readonly kernel = adadeltaKernel;
  protected readonly slotNamesAll = ['square_avg', 'acc_delta'] as const;

  constructor(params: ParamsInput<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super(params, options, { schema: adadeltaSchema });
  }

  protected writeArgs(a: Float32Array, o: AdadeltaOptions, _ctx: StepContext): void {
    a[0] = coupledFlags(o);
    a[1] = o.weightDecay;
    a[2] = o.rho;
    a[3] = 1 - o.rho;
    a[4] = o.eps;
    a[5] = o.lr;
  }
}
