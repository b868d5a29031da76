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

/**
 * The correctly rounded sum (Shewchuk's exact partials, as Python's math.fsum), so the norm does
 * not depend on a summation order.
 */
export function fsum(values: Iterable<number>): number {
  const partials: number[] = [];
  for (let x of values) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Round half to even across the remaining partials, as fsum does.
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** ‖(‖g_1‖_p, …, ‖g_T‖_p)‖_p, i.e. the p-norm of the concatenation: (Σ|g|^p)^(1/p), summed exactly. */
function totalNorm(grads: number[][], p: number): number {
  const all = grads.flat();
  if (p === Infinity) return all.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  if (p === 1) return fsum(all.map(Math.abs));
  if (p === 2) return Math.sqrt(fsum(all.map((x) => x * x)));
  return fsum(all.map((x) => Math.abs(x) ** p)) ** (1 / p);
}

export function clipGradNorm(grads: number[][], maxNorm: number, normType: number | 'inf'): ClipResult {
  const p = normType === 'inf' ? Infinity : normType;
  const total = totalNorm(grads, p);
  const clipCoef = Math.min(maxNorm / (total + 1e-6), 1.0);
  return { totalNorm: total, clipCoef, expected: grads.map((g) => g.map((x) => x * clipCoef)) };
}

export function clipGradValue(grads: number[][], clipValue: number): ClipResult {
  return { expected: grads.map((g) => g.map((x) => Math.min(Math.max(x, -clipValue), clipValue))) };
}
