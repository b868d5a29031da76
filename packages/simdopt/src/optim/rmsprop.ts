/** RMSprop: options schema, kernel (js twin) and class; see the class comment. */
import { boolean, coupledFlags, CoupledGrad, eps, kernel, lerp32, lr, maximize, nonNegative, Optimizer, schema, weightDecay, type ParamsInput, type StepContext } from './house.js';
import type { RMSpropOptions } from './options.js';

export type { RMSpropOptions };

/** RMSprop's options (src/optim/options.ts is generated from this). */
export const rmspropSchema = schema('RMSprop', 'torch.optim.RMSprop', {
  lr: lr(1e-2), alpha: nonNegative(0.99, 'Smoothing constant of the squared-gradient average.', 'alpha'),
  eps: eps(1e-8), weightDecay: weightDecay(),
  momentum: nonNegative(0, 'Momentum factor (0: no momentum buffer).', 'momentum'),
  centered: boolean(false, "Normalise by an estimate of the gradient's variance instead of its second moment.", 'centered'),
  maximize
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/rmsprop.rs, `arg`).
const MOMENTUM = 4;
const CENTERED = 8;

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const rmspropKernel = kernel('rmsprop', 7, (p, g, s, a) => {
  const grad = new CoupledGrad(a);
  const momentum = (a[0] & MOMENTUM) !== 0;
  const centered = (a[0] & CENTERED) !== 0;
  const [, , alpha, oneMinusAlpha, eps, mu, lr] = a;
  const negLr = -lr;
  const [v, buf] = s;
  const gAvg = s[momentum ? 2 : 1];
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const gi = grad.at(p, g, i);
    const vi = f(f(v[i] * alpha) + f(f(oneMinusAlpha * gi) * gi));
    v[i] = vi;
    let root: number;
    if (centered) {
      const ga = lerp32(gAvg[i], gi, oneMinusAlpha);
      gAvg[i] = ga;
      root = f(Math.sqrt(f(vi - f(ga * ga))));
    } else {
      root = f(Math.sqrt(vi));
    }
    const avg = f(root + eps);
    if (momentum) {
      const b = f(f(buf[i] * mu) + f(gi / avg));
      buf[i] = b;
      p[i] = f(pi + f(negLr * b));
    } else {
      p[i] = f(pi + f(f(negLr * gi) / avg));
    }
  }
});

/**
 * RMSprop (Hinton 2012; centered variant Graves 2013, arXiv 1308.0850) with the exact semantics
 * of `torch.optim.RMSprop` (Rust kernel: crates/simdopt-core/src/optim/rmsprop.rs).
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p
 * v ← α·v + (1 − α)·g²
 * centered: ḡ ← lerp(ḡ, g, 1 − α), avg = sqrt(v − ḡ²) + eps;  else avg = sqrt(v) + eps
 * momentum > 0: b ← μ·b + g/avg, p ← p − lr·b;  else p ← p − lr·g/avg
 * ```
 * eps is added outside the square root (TensorFlow puts it inside); there is no bias correction,
 * so the first steps are large (about 10·lr with α = 0.99). The centered variance is not clamped.
 * Defaults: lr 0.01, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false, maximize
 * false.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  protected readonly kernel = rmspropKernel;
  protected readonly slotNamesAll = ['square_avg', 'momentum_buffer', 'grad_avg'] as const;

  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, options, { schema: rmspropSchema });
  }

  protected slotNames(o: RMSpropOptions): readonly string[] {
    if (o.momentum > 0) return o.centered ? ['square_avg', 'momentum_buffer', 'grad_avg'] : ['square_avg', 'momentum_buffer'];
    return o.centered ? ['square_avg', 'grad_avg'] : ['square_avg'];
  }

  protected writeArgs(a: Float32Array, o: RMSpropOptions, _ctx: StepContext): void {
    a[0] = coupledFlags(o) | (o.momentum > 0 ? MOMENTUM : 0) | (o.centered ? CENTERED : 0);
    a[1] = o.weightDecay;
    a[2] = o.alpha;
    a[3] = 1 - o.alpha;
    a[4] = o.eps;
    a[5] = o.momentum;
    a[6] = o.lr;
  }
}
