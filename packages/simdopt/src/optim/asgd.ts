/** ASGD: options schema, kernel (js twin) and class; see the class comment. */
import { coupledFlags, finite, hasFlag, kernel, lr, maximize, nonNegative, Optimizer, schema, weightDecay, type ParamsInput, type StepContext } from './house.js';
import { MAXIMIZE, WEIGHT_DECAY } from './coupled.js';
import type { ASGDOptions } from './options.js';

export type { ASGDOptions };

/** ASGD's options (src/optim/options.ts is generated from this). */
export const asgdSchema = schema('ASGD', 'torch.optim.ASGD', {
  lr: lr(1e-2),
  lambd: nonNegative(1e-4, 'λ, the decay term of η.', 'lambd'),
  alpha: finite(0.75, 'α, the power of the η schedule.', 'alpha'),
  t0: finite(1e6, 'The step after which averaging starts (μ < 1).', 't0'),
  weightDecay: weightDecay(),
  maximize,
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/asgd.rs, `arg`): coupledFlags' bits 0 and 1, then copy.
const COPY_AX = 4;

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const asgdKernel = kernel('asgd', 5, (p, g, s, a) => {
  const flags = a[0];
  const maximize = hasFlag(flags, MAXIMIZE);
  const decay = hasFlag(flags, WEIGHT_DECAY);
  const copy = hasFlag(flags, COPY_AX);
  const wd = a[1];
  const factor = a[2];
  const negEta = a[3];
  const mu = a[4];
  const [ax] = s;
  for (let i = 0; i < p.length; i++) {
    let pi = p[i];
    let gi = maximize ? -g[i] : g[i];
    if (decay) gi = f(gi + f(wd * pi));
    pi = f(pi * factor);
    pi = f(pi + f(negEta * gi));
    p[i] = pi;
    ax[i] = copy ? pi : f(ax[i] + f(f(pi - ax[i]) * mu));
  }
});

/** Until its first step a parameter has no state; `writeArgs` starts η from the group's lr then. */
const INITIAL_SCALARS = Object.freeze({ eta: 0, mu: 1 });

/**
 * ASGD, averaged stochastic gradient descent (Polyak & Juditsky 1992), with the exact semantics
 * of `torch.optim.ASGD` (torch 1.13 and 2.x agree; Rust kernel: crates/simdopt-core/src/optim/asgd.rs).
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p
 * p ← p·(1 − λ·η);  p ← p − η·g
 * ax ← p if μ = 1, else ax + (p − ax)·μ
 * then, with t the parameter's step count:  η ← lr/(1 + λ·lr·t)^α,  μ ← 1/max(1, t − t0)
 * ```
 * `eta` and `mu` are per-parameter state, as in PyTorch: η starts at the group's lr and μ at 1
 * when the parameter's state is created (its first step), and both are rounded to float32 as
 * PyTorch keeps them in 0-dim float32 tensors. `ax` is the running average (the averaged model
 * PyTorch never copies back into the parameters either).
 * Defaults: lr 0.01, lambd 0.0001, alpha 0.75, t0 1000000, weightDecay 0, maximize false.
 */
export class ASGD extends Optimizer<ASGDOptions> {
  protected readonly kernel = asgdKernel;
  protected readonly slotNamesAll = ['ax'] as const;

  constructor(params: ParamsInput<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    super(params, options, { schema: asgdSchema });
  }

  protected initialScalars(): Readonly<Record<string, number>> {
    return INITIAL_SCALARS;
  }

  protected writeArgs(a: Float32Array, o: ASGDOptions, ctx: StepContext): void {
    const { step, scalars } = ctx;
    // PyTorch creates eta = lr and mu = 1 with the state, at the parameter's first step.
    const eta = step === 1 ? f(o.lr) : scalars.eta;
    const mu = step === 1 ? 1 : scalars.mu;
    a[0] = coupledFlags(o) | (mu === 1 ? COPY_AX : 0);
    a[1] = o.weightDecay;
    a[2] = 1 - o.lambd * eta;
    a[3] = -eta;
    a[4] = mu;
    scalars.eta = f(o.lr / Math.pow(1 + o.lambd * o.lr * step, o.alpha));
    scalars.mu = f(1 / Math.max(1, step - o.t0));
  }
}
