/** ADOPT: options schema, kernel (js twin) and class; see the class comment. */
import { fail } from '../errors.js';
import { adamBetas, boolean, eps, hasFlag, kernel, lerp32, lr, maximize, Optimizer, schema, weightDecay, type ParamsInput, type StepContext } from './house.js';
import type { ADOPTOptions } from './options.js';

export type { ADOPTOptions };

/** The clip bound of a step (the reference's step count before its increment: 1, 2, …). */
export type ClipLambda = (step: number) => number;

/**
 * ADOPT's group options (src/optim/options.ts is generated from this). `clipLambda` is not one:
 * it is a function and belongs to the optimizer (see the class comment).
 */
export const adoptSchema = schema('ADOPT', 'adopt.ADOPT (iShohei220/adopt)', {
  lr: lr(1e-3), betas: adamBetas(0.9, 0.9999), eps: eps(1e-6), weightDecay: weightDecay(),
  decouple: boolean(false, 'Weight decay on the parameter (`p ← p − lr·wd·p`) instead of the gradient.', 'decouple'), maximize
});

/** What the constructor takes: the group options and the optimizer-wide `clipLambda`. */
export type ADOPTConstructorOptions = Partial<ADOPTOptions> & { clipLambda?: ClipLambda | null };

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/adopt.rs, `arg`).
const MAXIMIZE = 1;
const CLIP = 2;
const FIRST = 4;
const COUPLED = 1 << 3;
const DECOUPLED = 2 << 3;

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const adoptKernel = kernel('adopt', 9, (p, g, s, a) => {
  const [flags, wd, alpha, w1, beta2, w2, lr, eps, c] = a;
  const maximize = hasFlag(flags, MAXIMIZE);
  const first = hasFlag(flags, FIRST);
  const clip = hasFlag(flags, CLIP);
  const decay = flags & (3 << 3);
  const [m, v] = s;
  if (first) {
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -g[i] : g[i];
      if (decay === COUPLED) gi = f(gi + f(wd * p[i]));
      v[i] = f(v[i] + f(gi * gi));
    }
    return;
  }
  const negLr = -lr;
  for (let i = 0; i < p.length; i++) {
    let pi = p[i];
    let gi = maximize ? -g[i] : g[i];
    if (decay === COUPLED) gi = f(gi + f(wd * pi));
    else if (decay === DECOUPLED) pi = f(pi + f(alpha * pi));
    const root = f(Math.sqrt(v[i]));
    let n = f(gi / (root < eps ? eps : root));
    // torch.clamp keeps NaN (a comparison with NaN is false).
    if (clip) n = n < -c ? -c : n > c ? c : n;
    const mi = lerp32(m[i], n, w1);
    m[i] = mi;
    p[i] = f(pi + f(negLr * mi));
    v[i] = f(f(v[i] * beta2) + f(f(w2 * gi) * gi));
  }
});

const defaultClip: ClipLambda = (step) => step ** 0.25;

/**
 * ADOPT (Taniguchi et al. 2024, "ADOPT: Modified Adam Can Converge with Any β2 with the Optimal
 * Rate", arXiv 2411.02853), as iShohei220/adopt `src/adopt/adopt.py` computes it (Rust kernel:
 * crates/simdopt-core/src/optim/adopt.rs). Not part of torch.optim.
 *
 * ```text
 * g ← −g if maximize;  g ← g + wd·p unless decouple
 * first step: v ← g²  (nothing else moves)
 * later:      p ← p + (−lr·wd)·p if decouple
 *             n = clamp(g / max(√v, eps), −c, c),  c = clipLambda(step)  (step before this one)
 *             m ← lerp(m, n, 1 − β1);  p ← p − lr·m;  v ← β2·v + (1 − β2)·g²
 * ```
 `clipLambda` (default `step => step ** 0.25`, null: no clipping) belongs to the optimizer, not
 * to a param group (the reference keeps it on `self`): it is taken from the constructor's options
 * before the schema sees them, a group that sets it is refused as an unknown key, and
 * `stateDict()` does not carry it (a function has no data form) — `loadStateDict` keeps the
 * optimizer's own.
 * Defaults: lr 0.001, betas [0.9, 0.9999], eps 0.000001, weightDecay 0, decouple false,
 * maximize false.
 */
export class ADOPT extends Optimizer<ADOPTOptions> {
  protected readonly kernel = adoptKernel;
  protected readonly slotNamesAll = ['exp_avg', 'exp_avg_sq'] as const;
  /** The clip bound per step, or null for none; optimizer-wide, not in state dicts. */
  clipLambda: ClipLambda | null;

  constructor(params: ParamsInput<ADOPTOptions>, options: ADOPTConstructorOptions = {}) {
    // A non-object goes to the base unchanged, which refuses it by name.
    const isObject = options !== null && typeof options === 'object' && !Array.isArray(options);
    const { clipLambda = defaultClip, ...rest } = isObject ? options : {};
    if (clipLambda !== null && typeof clipLambda !== 'function') fail('clipLambda', 'a function (step) => number, or null', clipLambda);
    super(params, isObject ? rest : options, { schema: adoptSchema });
    this.clipLambda = clipLambda;
  }

  protected writeArgs(a: Float32Array, o: ADOPTOptions, { step }: StepContext): void {
    const [beta1, beta2] = o.betas;
    const decay = o.weightDecay === 0 ? 0 : o.decouple ? DECOUPLED : COUPLED;
    const first = step === 1;
    let clip = 0;
    if (!first && this.clipLambda !== null) {
      clip = this.clipLambda(step - 1);
      if (typeof clip !== 'number' || Number.isNaN(clip)) fail('clipLambda', `a number from clipLambda(${step - 1})`, clip);
    }
    a[0] = (o.maximize ? MAXIMIZE : 0) | (this.clipLambda !== null ? CLIP : 0) | (first ? FIRST : 0) | decay;
    a[1] = o.weightDecay;
    a[2] = -o.lr * o.weightDecay;
    a[3] = 1 - beta1;
    a[4] = beta2;
    a[5] = 1 - beta2;
    a[6] = o.lr;
    a[7] = o.eps;
    a[8] = clip;
  }
}
