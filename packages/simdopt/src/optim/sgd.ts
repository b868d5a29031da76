/** SGD: options schema, kernel (js twin) and class; see the class comment. */
import { fail } from '../errors.js';
import { boolean, finite, hasFlag, kernel, lr, maximize, nonNegative, Optimizer, schema, weightDecay, type ParamsInput, type StepContext } from './house.js';
import type { SGDOptions } from './options.js';

export type { SGDOptions };

/** SGD's options (src/optim/options.ts is generated from this). */
export const sgdSchema = schema('SGD', 'torch.optim.SGD', {
  lr: lr(1e-3), momentum: nonNegative(0, 'Momentum factor μ (0: no momentum buffer).', 'momentum'),
  dampening: finite(0, 'Dampening of the momentum buffer update.', 'dampening'), weightDecay: weightDecay(),
  nesterov: boolean(false, 'Nesterov momentum (needs momentum > 0 and dampening 0).', 'nesterov'), maximize
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/sgd.rs, `arg`).
const MAXIMIZE = 1;
const NESTEROV = 2;
const MOMENTUM = 4;
const FIRST_STEP = 8;
const WEIGHT_DECAY = 16;

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const sgdKernel = kernel('sgd', 5, (p, g, s, a) => {
  const [flags, wd, mu, oneMinusDampening, lr] = a;
  const [buf] = s;
  const maximize = hasFlag(flags, MAXIMIZE);
  const nesterov = hasFlag(flags, NESTEROV);
  const momentum = hasFlag(flags, MOMENTUM);
  const first = hasFlag(flags, FIRST_STEP);
  const decay = hasFlag(flags, WEIGHT_DECAY);
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    let gi = maximize ? -g[i] : g[i];
    if (decay) gi = f(gi + f(wd * pi));
    let d = gi;
    if (momentum) {
      const b = first ? gi : f(f(buf[i] * mu) + f(oneMinusDampening * gi));
      buf[i] = b;
      d = nesterov ? f(gi + f(mu * b)) : b;
    }
    p[i] = f(pi + f(-lr * d));
  }
});

/**
 * Stochastic gradient descent with momentum, dampening and Nesterov momentum, with the exact
 * semantics of `torch.optim.SGD` (Rust kernel: crates/simdopt-core/src/optim/sgd.rs).
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p
 * b ← g (first step: a copy, no dampening);  later b ← μ·b + (1 − dampening)·g
 * d = g + μ·b (nesterov) | b (momentum) | g
 * p ← p − lr·d
 * ```
 * Plain (full-batch) gradient descent is SGD with momentum 0 stepped on full-batch gradients.
 * Defaults: lr 0.001, momentum 0, dampening 0, weightDecay 0, nesterov false, maximize false.
 */
export class SGD extends Optimizer<SGDOptions> {
  protected readonly kernel = sgdKernel;
  protected readonly hasStepCounter = false;
  protected readonly slotNamesAll = ['momentum_buffer'] as const;

  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, options, { schema: sgdSchema });
  }

  protected checkOptions(o: SGDOptions, at: string): void {
    // The rule across options; each option alone is checked by the schema.
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      fail(`${at}nesterov`, 'momentum > 0 and dampening = 0 with Nesterov momentum', `momentum ${o.momentum}, dampening ${o.dampening}`);
    }
  }

  protected slotNames(o: SGDOptions): readonly string[] {
    return o.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  protected writeArgs(a: Float32Array, o: SGDOptions, ctx: StepContext): void {
    a[0] =
      (o.maximize ? MAXIMIZE : 0) |
      (o.nesterov ? NESTEROV : 0) |
      (o.momentum !== 0 ? MOMENTUM : 0) |
      (ctx.fresh.has('momentum_buffer') ? FIRST_STEP : 0) |
      (o.weightDecay !== 0 ? WEIGHT_DECAY : 0);
    a[1] = o.weightDecay;
    a[2] = o.momentum;
    a[3] = 1 - o.dampening;
    a[4] = o.lr;
  }
}
