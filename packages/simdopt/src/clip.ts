/**
 * Gradient clipping with the semantics of `torch.nn.utils.clip_grad_norm_` and
 * `clip_grad_value_` (Rust kernels: crates/simdopt-core/src/reduce.rs and clip.rs).
 *
 * ```text
 * clipGradNorm(params, maxNorm, { normType: p }):
 *   total = ‖(‖g_1‖_p, …, ‖g_T‖_p)‖_p       one vectorised pass over every gradient (one call)
 *   coef  = min(maxNorm / (total + 1e-6), 1) in float32, as PyTorch's tensor arithmetic
 *   g_t  ← g_t · coef for every t, also when coef = 1 (a second pass); returns total
 * clipGradValue(params, c):  g ← clamp(g, −c, c), NaN stays NaN
 * ```
 * Parameters with `requiresGrad === false` are skipped. Beyond PyTorch, a negative or NaN
 * `maxNorm`/`clipValue` and a non-positive `normType` are errors.
 */
import type { TensorKernel } from './backend/backend.js';
import { fail, SimdoptError } from './errors.js';
import { activeParams, checkOptions, type Params } from './kit.js';
import { gradNormKernel } from './reduce.js';
import { backend } from './runtime.js';
import { checkBoolean } from './validate.js';

const f = Math.fround;

export interface ClipGradNormOptions {
  /** The norm's order p: any p > 0, or Infinity for max |g| (default 2). */
  normType?: number;
  /** Throw a SimdoptError (and leave the gradients alone) when the total norm is NaN or ±∞. */
  errorIfNonfinite?: boolean;
}

/** Argument block: [coef]. g ← g·coef. */
export const gradScaleKernel: TensorKernel = {
  name: 'grad_scale',
  argsLength: 1,
  js(tensors, args) {
    const coef = args[0];
    for (const { grad } of tensors) for (let i = 0; i < grad.length; i++) grad[i] = f(grad[i] * coef);
    return 0;
  },
};

/** Argument block: [c]. g ← clamp(g, −c, c) keeping NaN (as the Rust `Lanes::clamp`). */
export const gradClampKernel: TensorKernel = {
  name: 'grad_clamp',
  argsLength: 1,
  js(tensors, args) {
    const hi = args[0];
    const lo = -hi;
    for (const { grad } of tensors) {
      for (let i = 0; i < grad.length; i++) {
        const up = grad[i] < lo ? lo : grad[i];
        grad[i] = up > hi ? hi : up;
      }
    }
    return 0;
  },
};

/**
 * PyTorch's clipping coefficient in float32: `max_norm / (total + 1e-6)` is
 * `Tensor.__rtruediv__`, i.e. `reciprocal(total + 1e-6)·max_norm`, then `clamp(max=1)` (NaN stays).
 */
export function clipCoef(total: number, maxNorm: number): number {
  const coef = f(f(1 / f(f(total) + f(1e-6))) * f(maxNorm));
  return coef > 1 ? 1 : coef;
}

const normArgs = new Float32Array(gradNormKernel.argsLength);
const scaleArgs = new Float32Array(gradScaleKernel.argsLength);
const clampArgs = new Float32Array(gradClampKernel.argsLength);

/**
 * Scales every gradient so that their joint p-norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_`) and returns the total norm before clipping, as a float32 value.
 */
export function clipGradNorm(params: Params, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const list = activeParams('params', params);
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) fail('maxNorm', 'a number >= 0 (Infinity allowed)', maxNorm);
  const o = checkOptions('options', options, ['normType', 'errorIfNonfinite']);
  const p = o.normType ?? 2;
  if (typeof p !== 'number' || !(p > 0)) fail('options.normType', 'a number > 0, or Infinity', p);
  const errorIfNonfinite = o.errorIfNonfinite ?? false;
  checkBoolean('options.errorIfNonfinite', errorIfNonfinite);
  const b = backend();
  normArgs[0] = p;
  const sum = b.runTensors(gradNormKernel, list, normArgs);
  const total = f(p === Infinity || p === 1 ? sum : p === 2 ? Math.sqrt(sum) : sum ** (1 / p));
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new SimdoptError(
      `params: the total norm of order ${p} of the gradients is ${total}; the gradients were not clipped ` +
        `(set errorIfNonfinite: false to clip anyway)`,
      'params',
    );
  }
  scaleArgs[0] = clipCoef(total, maxNorm);
  b.runTensors(gradScaleKernel, list, scaleArgs);
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue] (PyTorch's `clip_grad_value_`). */
export function clipGradValue(params: Params, clipValue: number): void {
  const list = activeParams('params', params);
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) fail('clipValue', 'a number >= 0 (Infinity allowed)', clipValue);
  clampArgs[0] = clipValue;
  backend().runTensors(gradClampKernel, list, clampArgs);
}
