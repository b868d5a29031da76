/**
 * The float64 reference of clip_grad_norm_ / clip_grad_value_ (docs/SEMANTICS.md "Gradient
 * clipping"): the total norm is the p-norm of the per-tensor p-norms (max |g| for p = ∞), the
 * coefficient max_norm / (total + 1e-6) clamped to 1 multiplies every gradient.
 */

export interface ClipResult {
  totalNorm?: number;
  clipCoef?: number;
  expected: number[][];
}

function pNorm(values: number[], p: number): number {
  if (p === Infinity) return values.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  if (p === 1) return values.reduce((s, x) => s + Math.abs(x), 0);
  if (p === 2) return Math.sqrt(values.reduce((s, x) => s + x * x, 0));
  return values.reduce((s, x) => s + Math.abs(x) ** p, 0) ** (1 / p);
}

export function clipGradNorm(grads: number[][], maxNorm: number, normType: number | 'inf'): ClipResult {
  const p = normType === 'inf' ? Infinity : normType;
  const totalNorm = pNorm(grads.map((g) => pNorm(g, p)), p);
  const clipCoef = Math.min(maxNorm / (totalNorm + 1e-6), 1.0);
  return { totalNorm, clipCoef, expected: grads.map((g) => g.map((x) => x * clipCoef)) };
}

export function clipGradValue(grads: number[][], clipValue: number): ClipResult {
  return { expected: grads.map((g) => g.map((x) => Math.min(Math.max(x, -clipValue), clipValue))) };
}
