/**
 * Losses with `torch.nn.functional` semantics, value and gradient in one pass (Rust kernels:
 * crates/simdopt-core/src/loss.rs). With d = input − target:
 *
 * ```text
 * mseLoss              d²                                      grad 2d
 * l1Loss               |d|                                     grad sign(d)  (0 at 0)
 * huberLoss{δ=1}       ½d² if |d| < δ, else δ(|d| − ½δ)        grad d, else δ·sign(d)
 * smoothL1Loss{β=1}    ½d²/β if |d| < β, else |d| − ½β         grad d/β, else sign(d)   (β = 0: L1)
 * bceWithLogitsLoss    max(x, 0) − x·y + log(1 + e^−|x|)       grad σ(x) − y            (stable form)
 * crossEntropyLoss     logsumexp(x_i) − Σ_j t_ij·x_ij over rows of logits, t = (1 − ε)·onehot(y_i) + ε/C
 *                      grad softmax(x_i) − t_i
 * ```
 * `reduction`: 'mean' (÷ element count; cross-entropy: ÷ rows) and 'sum' return a number, 'none'
 * a Float32Array of per-element (per-row) losses. `grad` receives d(loss)/d(input) in the same
 * pass: for 'mean' divided by the count, for 'none' each element's own derivative. Exponentials
 * and logarithms are the shared float32 polynomials of math.ts, so every backend gives the same bits.
 */
import type { ArrayKernel, KitArray } from './backend/backend.js';
import { fail } from './errors.js';
import { checkDisjoint, checkF32, checkOptions } from './kit.js';
import { expf, log1pNonneg, logf } from './math.js';
import { backend } from './runtime.js';
import { LaneSum } from './stream.js';
import { checkInteger, checkPositive, checkNonNegative, checkRange } from './validate.js';

const f = Math.fround;

export type Reduction = 'mean' | 'sum' | 'none';
/** What a loss returns for a reduction: a number, or per-element losses for 'none'. */
export type LossValue<R extends Reduction> = R extends 'none' ? Float32Array : number;

export interface LossOptions<R extends Reduction = Reduction> {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: R;
  /** Receives d(loss)/d(input); the input's length, sharing no memory with input or target. */
  grad?: Float32Array;
}

export interface HuberLossOptions<R extends Reduction = Reduction> extends LossOptions<R> {
  /** δ > 0 (default 1). */
  delta?: number;
}

export interface SmoothL1LossOptions<R extends Reduction = Reduction> extends LossOptions<R> {
  /** β ≥ 0 (default 1); 0 is the L1 loss. */
  beta?: number;
}

export interface CrossEntropyLossOptions<R extends Reduction = Reduction> extends LossOptions<R> {
  /** C, the number of classes: logits has targets.length × C elements (row-major). */
  numClasses: number;
  /** ε ∈ [0, 1] (default 0). */
  labelSmoothing?: number;
}

// Kinds of the Rust PointwiseLossKernel.
const MSE = 0;
const L1 = 1;
const HUBER = 2;
const SMOOTH_L1 = 3;
const BCE_WITH_LOGITS = 4;

/** sign(x) ∈ {−1, 0, +1} keeping ±0 and NaN (as `Lanes::sign`). */
function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/**
 * Argument block: [kind, δ or β, grad scale]. Buffers: [input, target, grad?, out?]. The js twin
 * keeps one loop per kind so that each stays monomorphic.
 */
export const pointwiseLossKernel: ArrayKernel = {
  name: 'pointwise_loss',
  argsLength: 3,
  writes: [false, false, true, true],
  js(buffers, args) {
    const [x, y, grad, out] = buffers as (Float32Array | null)[];
    const kind = args[0];
    const param = args[1];
    const s = args[2];
    const n = x!.length;
    const sum = new LaneSum(n);
    const put = (i: number, loss: number, d: number): void => {
      if (grad) grad[i] = f(d * s);
      if (out) out[i] = loss;
      sum.add(loss);
    };
    const half = f(0.5 * param);
    if (kind === MSE) {
      for (let i = 0; i < n; i++) {
        const d = f(x![i] - y![i]);
        put(i, f(d * d), f(d * 2));
      }
    } else if (kind === L1) {
      for (let i = 0; i < n; i++) {
        const d = f(x![i] - y![i]);
        put(i, Math.abs(d), sign(d));
      }
    } else if (kind === HUBER) {
      for (let i = 0; i < n; i++) {
        const d = f(x![i] - y![i]);
        const a = Math.abs(d);
        if (a < param) put(i, f(f(0.5 * a) * a), d);
        else put(i, f(param * f(a - half)), f(param * sign(d)));
      }
    } else if (kind === SMOOTH_L1) {
      for (let i = 0; i < n; i++) {
        const d = f(x![i] - y![i]);
        const a = Math.abs(d);
        if (a < param) put(i, f(f(f(0.5 * a) * a) / param), f(d / param));
        else put(i, f(a - half), sign(d));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const xi = x![i];
        const e = expf(-Math.abs(xi));
        const loss = f(f(Math.max(xi, 0) - f(xi * y![i])) + log1pNonneg(e));
        const sigmoid = xi >= 0 ? f(1 / f(1 + e)) : f(e / f(1 + e));
        put(i, loss, f(sigmoid - y![i]));
      }
    }
    return sum.result();
  },
};

/**
 * Argument block: [C, ε, grad scale]. Buffers: [logits, targets (Int32Array), grad?, out?].
 * Per row, three passes as in loss.rs: the maximum m; S = Σ e^{x−m} (keeping e^{x−m} in the
 * gradient row); the gradient e/S − ε/C and Σ(x − m); then the target entry.
 */
export const crossEntropyKernel: ArrayKernel = {
  name: 'cross_entropy',
  argsLength: 3,
  writes: [false, false, true, true],
  js(buffers, args) {
    const x = buffers[0] as Float32Array;
    const targets = buffers[1] as Int32Array;
    const grad = buffers[2] as Float32Array | null;
    const out = buffers[3] as Float32Array | null;
    const c = args[0];
    const eps = args[1];
    const scale = args[2];
    const smooth = f(eps / c);
    const oneMinusEps = f(1 - eps);
    let total = 0;
    for (let r = 0; r < targets.length; r++) {
      const o = r * c;
      const y = targets[r];
      let m = -Infinity;
      for (let j = 0; j < c; j++) m = Math.max(m, x[o + j]);
      const sumExp = new LaneSum(c);
      for (let j = 0; j < c; j++) {
        const e = expf(f(x[o + j] - m));
        if (grad) grad[o + j] = e;
        sumExp.add(e);
      }
      const s = f(sumExp.result());
      const zy = f(x[o + y] - m);
      let loss = f(logf(s) - f(oneMinusEps * zy));
      if (eps > 0 || grad) {
        const sumZ = new LaneSum(c);
        for (let j = 0; j < c; j++) {
          if (grad) grad[o + j] = f(f(f(grad[o + j] / s) - smooth) * scale);
          sumZ.add(f(x[o + j] - m));
        }
        if (eps > 0) loss = f(loss - f(smooth * f(sumZ.result())));
      }
      if (grad) grad[o + y] = f(f(f(expf(zy) / s) - f(smooth + oneMinusEps)) * scale);
      if (out) out[r] = loss;
      total += loss;
    }
    return total;
  },
};

const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

function checkReduction(name: string, v: unknown): Reduction {
  if (v === undefined) return 'mean';
  if (!REDUCTIONS.includes(v as Reduction)) fail(name, "'mean', 'sum' or 'none'", v);
  return v as Reduction;
}

/** Runs a loss kernel on checked arrays and applies the reduction. */
function reduce<R extends Reduction>(
  kernel: ArrayKernel,
  inputs: [KitArray, KitArray],
  grad: Float32Array | undefined,
  count: number,
  reduction: Reduction,
  args: Float32Array,
): LossValue<R> {
  const out = reduction === 'none' ? new Float32Array(count) : null;
  const sum = backend().runArrays(kernel, [...inputs, grad ?? null, out], args);
  return (out ?? (reduction === 'mean' ? sum / count : sum)) as LossValue<R>;
}

const pointwiseArgs = new Float32Array(pointwiseLossKernel.argsLength);

function pointwise<R extends Reduction>(
  kind: number,
  paramName: string | null,
  paramDefault: number,
  input: Float32Array,
  target: Float32Array,
  options: (LossOptions<R> & { delta?: number; beta?: number }) | undefined,
): LossValue<R> {
  checkF32('input', input);
  checkF32('target', target, input.length, 'as input');
  const o = checkOptions('options', options, paramName ? ['reduction', 'grad', paramName] : ['reduction', 'grad']);
  const reduction = checkReduction('options.reduction', o.reduction);
  const param = paramName ? (o[paramName] ?? paramDefault) : 0;
  if (kind === HUBER) checkPositive('options.delta', param);
  if (kind === SMOOTH_L1) checkNonNegative('options.beta', param);
  const grad = o.grad as Float32Array | undefined;
  if (grad !== undefined) {
    checkF32('options.grad', grad, input.length, 'as input');
    checkDisjoint('options.grad', grad, [['input', input], ['target', target]]);
  }
  pointwiseArgs[0] = kind;
  pointwiseArgs[1] = param as number;
  pointwiseArgs[2] = reduction === 'mean' ? 1 / input.length : 1;
  return reduce<R>(pointwiseLossKernel, [input, target], grad, input.length, reduction, pointwiseArgs);
}

/** Mean squared error: (input − target)²; grad 2(input − target) (÷ n for 'mean'). */
export function mseLoss<R extends Reduction = 'mean'>(input: Float32Array, target: Float32Array, options?: LossOptions<R>): LossValue<R> {
  return pointwise(MSE, null, 0, input, target, options);
}

/** Mean absolute error: |input − target|; grad sign(input − target) (÷ n for 'mean'). */
export function l1Loss<R extends Reduction = 'mean'>(input: Float32Array, target: Float32Array, options?: LossOptions<R>): LossValue<R> {
  return pointwise(L1, null, 0, input, target, options);
}

/** Huber loss with threshold δ (`delta`, default 1): quadratic below δ, linear above. */
export function huberLoss<R extends Reduction = 'mean'>(
  input: Float32Array,
  target: Float32Array,
  options?: HuberLossOptions<R>,
): LossValue<R> {
  return pointwise(HUBER, 'delta', 1, input, target, options);
}

/** Smooth L1 loss with threshold β (`beta`, default 1; 0 is the L1 loss). */
export function smoothL1Loss<R extends Reduction = 'mean'>(
  input: Float32Array,
  target: Float32Array,
  options?: SmoothL1LossOptions<R>,
): LossValue<R> {
  return pointwise(SMOOTH_L1, 'beta', 1, input, target, options);
}

/** Binary cross-entropy on logits (stable form), targets in [0, 1]; grad σ(input) − target. */
export function bceWithLogitsLoss<R extends Reduction = 'mean'>(
  input: Float32Array,
  target: Float32Array,
  options?: LossOptions<R>,
): LossValue<R> {
  return pointwise(BCE_WITH_LOGITS, null, 0, input, target, options);
}

const ceArgs = new Float32Array(crossEntropyKernel.argsLength);

/**
 * Cross-entropy of row-major logits [N × numClasses] against class indices (N = targets.length),
 * with optional label smoothing; 'mean' divides by N. A target outside [0, numClasses) is an error.
 */
export function crossEntropyLoss<R extends Reduction = 'mean'>(
  logits: Float32Array,
  targets: Int32Array,
  options: CrossEntropyLossOptions<R>,
): LossValue<R> {
  checkF32('logits', logits);
  if (!(targets instanceof Int32Array)) fail('targets', 'an Int32Array of class indices', targets);
  if (options === undefined) fail('options', 'an options object with numClasses', options);
  const o = checkOptions('options', options, ['numClasses', 'labelSmoothing', 'reduction', 'grad']);
  checkInteger('options.numClasses', o.numClasses, 1);
  const c = o.numClasses;
  if (c >= 2 ** 24) fail('options.numClasses', 'an integer in [1, 2^24)', c);
  const eps = o.labelSmoothing ?? 0;
  checkRange('options.labelSmoothing', eps, 0, 1, true);
  const reduction = checkReduction('options.reduction', o.reduction);
  const rows = targets.length;
  checkF32('logits', logits, rows * c, `targets.length × numClasses = ${rows} × ${c}`);
  for (let r = 0; r < rows; r++) {
    const y = targets[r];
    if (y < 0 || y >= c) fail(`targets[${r}]`, `a class index in [0, ${c})`, y);
  }
  const grad = o.grad as Float32Array | undefined;
  if (grad !== undefined) {
    checkF32('options.grad', grad, logits.length, 'as logits');
    checkDisjoint('options.grad', grad, [['logits', logits], ['targets', targets]]);
  }
  ceArgs[0] = c;
  ceArgs[1] = eps;
  ceArgs[2] = reduction === 'mean' ? 1 / rows : 1;
  return reduce<R>(crossEntropyKernel, [logits, targets], grad, rows, reduction, ceArgs);
}
