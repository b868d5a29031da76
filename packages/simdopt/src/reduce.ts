/**
 * Norm reductions over gradients, the first pass of `clipGradNorm`: the js twin of
 * crates/simdopt-core/src/reduce.rs. Over every tensor the kernel returns
 *
 * ```text
 * p = ∞: max |g|      p = 1: Σ|g|      p = 2: Σg²      else: Σ|g|^p  (|g|^p = exp(p·log|g|))
 * ```
 * summed per tensor in the four-lane order of stream.ts and across tensors in f64; the caller
 * takes the p-th root (the norm of the per-tensor norms is the norm of the concatenation).
 */
import type { TensorKernel } from './backend/backend.js';
import { powAbs } from './math.js';
import { LaneSum } from './stream.js';

const f = Math.fround;

/** Σ|x|^p (max |x| for p = ∞, −∞ when empty) of one array. */
export function normSum(x: Float32Array, p: number): number {
  const n = x.length;
  if (p === Infinity) {
    // A maximum does not depend on the order (NaN wins, +0 above −0), so a plain loop matches.
    let m = -Infinity;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(x[i]));
    return m;
  }
  const sum = new LaneSum(n);
  if (p === 1) for (let i = 0; i < n; i++) sum.add(Math.abs(x[i]));
  else if (p === 2) for (let i = 0; i < n; i++) sum.add(f(x[i] * x[i]));
  else for (let i = 0; i < n; i++) sum.add(powAbs(x[i], p));
  return sum.result();
}

/** Argument block: [norm type p]. */
export const gradNormKernel: TensorKernel = {
  name: 'grad_norm',
  argsLength: 1,
  js(tensors, args) {
    const p = args[0];
    let total = 0;
    for (const t of tensors) {
      const s = normSum(t.grad, p);
      total = p === Infinity ? Math.max(total, s) : total + s;
    }
    return total;
  },
};

/**
 * Whether every gradient is finite (crates/simdopt-core/src/reduce.rs `FiniteKernel`): the wasm
 * builds sum g·0 over every element, 0 when all are finite and NaN otherwise; the twin returns
 * the same two values. No argument block.
 */
export const gradFiniteKernel: TensorKernel = {
  name: 'grad_finite',
  argsLength: 0,
  js(tensors) {
    for (const { grad } of tensors) {
      for (let i = 0; i < grad.length; i++) if (!Number.isFinite(grad[i])) return NaN;
    }
    return 0;
  },
};
