/** LAMB: options schema, kernel (js twin) and class; see the class comment. */
import { SegmentSum } from '../stream.js';
import { adamBetas, coupledFlags, eps, hasFlag, kernel, lr, maximize, nonNegative, Optimizer, power, schema, type ParamsInput, type StepContext } from './house.js';
import { MAXIMIZE, WEIGHT_DECAY } from './coupled.js';
import type { LAMBOptions } from './options.js';

export type { LAMBOptions };

/** LAMB's options (src/optim/options.ts is generated from this), in optax.lamb's order. */
export const lambSchema = schema('LAMB', 'optax.lamb', {
  lr: lr(1e-3), betas: adamBetas(0.9, 0.999), eps: eps(1e-6),
  epsRoot: nonNegative(0, 'Added to ν̂ inside the square root.', 'eps_root'),
  weightDecay: nonNegative(0, 'Added to the update (`u + wd·p`) before the trust ratio.', 'weight_decay'), maximize
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/lamb.rs, `arg`): coupledFlags' bits, wd, then the moments'.

/**
 * The kernel; the js twin rounds every operation to float32 as the wasm builds do. Slots: `mu`,
 * `nu`, then the scratch `update` (pass 1 writes u there, pass 2 reads it back).
 */
export const lambKernel = kernel('lamb', 11, (p, g, s, a) => {
  const maximize = hasFlag(a[0], MAXIMIZE);
  const decay = hasFlag(a[0], WEIGHT_DECAY);
  const wd = a[1];
  const beta1 = a[2];
  const w1 = a[3];
  const beta2 = a[4];
  const w2 = a[5];
  const bc1 = a[6];
  const bc2 = a[7];
  const epsRoot = a[8];
  const eps = a[9];
  const negLr = -a[10];
  const [mu, nu, update] = s;
  const n = p.length;
  // Per segment of SEGMENT elements, folded in order (two_pass.rs `measure_segments`).
  const pp = new SegmentSum(n);
  const uu = new SegmentSum(n);
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    const gi = maximize ? -g[i] : g[i];
    const m = f(f(w1 * gi) + f(beta1 * mu[i]));
    const v = f(f(w2 * f(gi * gi)) + f(beta2 * nu[i]));
    mu[i] = m;
    nu[i] = v;
    const d = f(f(m / bc1) / f(f(Math.sqrt(f(f(v / bc2) + epsRoot))) + eps));
    const u = decay ? f(d + f(wd * pi)) : d;
    update[i] = u;
    pp.add(f(pi * pi));
    uu.add(f(u * u));
  }
  const ratio = trustRatio(pp.result(), uu.result());
  for (let i = 0; i < n; i++) p[i] = f(p[i] + f(f(update[i] * ratio) * negLr));
});

const LAMB_SLOTS = ['mu', 'nu', 'update'] as const;

/** ‖p‖ / ‖u‖ from the sums of squares, norms in float32; 1 when either norm is 0 (lamb.rs `trust_ratio`). */
function trustRatio(pp: number, uu: number): number {
  const paramNorm = f(Math.sqrt(f(pp)));
  const updateNorm = f(Math.sqrt(f(uu)));
  return paramNorm === 0 || updateNorm === 0 ? 1 : f(paramNorm / updateNorm);
}

/**
 * LAMB (You et al. 2020, "Large Batch Optimization for Deep Learning: Training BERT in 76
 * minutes", arXiv 1904.00962) as `optax.lamb` composes it: scale_by_adam → add_decayed_weights →
 * scale_by_trust_ratio → scale_by_learning_rate (Rust kernel: crates/simdopt-core/src/optim/lamb.rs).
 *
 * ```text
 * g ← −g if maximize
 * μ ← (1 − β1)·g + β1·μ;   ν ← (1 − β2)·g² + β2·ν
 * u = (μ/(1 − β1^t)) / (√(ν/(1 − β2^t) + epsRoot) + eps) + wd·p
 * r = ‖p‖ / ‖u‖ per parameter tensor (1 when either norm is 0)
 * p ← p − lr·r·u
 * ```
 * The norms are reduced inside the step (two passes over each tensor: moments, u and the sums,
 * then the move from the stored u), in a fixed summation order, so every backend gives the same
 * bits. State: `step` (optax's `count`), `mu`, `nu`. Besides the state, each parameter holds a
 * scratch slot `update` (u between the two passes: 4 bytes per element, not in state dicts).
 * Defaults: lr 0.001, betas [0.9, 0.999], eps 0.000001, epsRoot 0, weightDecay 0, maximize false.
 */
export class LAMB extends Optimizer<LAMBOptions> {
  protected readonly kernel = lambKernel;
  protected readonly slotNamesAll = ['mu', 'nu'] as const;

  // The state slots, then the kernel's scratch (not state: outside slotNamesAll, so state dicts
  // neither hold nor accept it). A method, not a field, as the base constructor may read it.
  protected slotNames(): readonly string[] {
    return LAMB_SLOTS;
  }

  constructor(params: ParamsInput<LAMBOptions>, options: Partial<LAMBOptions> = {}) {
    super(params, options, { schema: lambSchema });
  }

  protected writeArgs(a: Float32Array, o: LAMBOptions, { step }: StepContext): void {
    const [beta1, beta2] = o.betas;
    a[0] = coupledFlags(o);
    a[1] = o.weightDecay;
    a[2] = beta1;
    a[3] = 1 - beta1;
    a[4] = beta2;
    a[5] = 1 - beta2;
    a[6] = 1 - power(beta1, step);
    a[7] = 1 - power(beta2, step);
    a[8] = o.epsRoot;
    a[9] = o.eps;
    a[10] = o.lr;
  }
}
