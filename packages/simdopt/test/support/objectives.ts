/**
 * The deterministic objectives of the L-BFGS vectors (scripts/torch_vectors/lbfgs.py), evaluated
 * in float64 from the float32 parameters, as closures for `LBFGS.step`:
 * quadratic ½xᵀAx − bᵀx (gradient Ax − b) and chained Rosenbrock Σ 100(x_{i+1} − x_i²)² + (1 − x_i)².
 */
import type { Parameter } from 'simdopt';

export type Objective = { kind: 'quadratic'; A: number[][]; b: number[] } | { kind: 'rosenbrock' };

/** Loss and gradient of `obj` at `x`. */
export function evaluate(obj: Objective, x: ArrayLike<number>): { loss: number; grad: Float64Array } {
  const n = x.length;
  const grad = new Float64Array(n);
  let loss = 0;
  if (obj.kind === 'quadratic') {
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += obj.A[i][j] * x[j];
      loss += 0.5 * x[i] * ax - obj.b[i] * x[i];
      grad[i] = ax - obj.b[i];
    }
  } else {
    for (let i = 0; i + 1 < n; i++) {
      const a = x[i + 1] - x[i] * x[i];
      const b = 1 - x[i];
      loss += 100 * a * a + b * b;
      grad[i] += -400 * x[i] * a - 2 * b;
      grad[i + 1] += 200 * a;
    }
  }
  return { loss, grad };
}

/** A closure over `params` (concatenated in order) that writes `.grad` and returns the loss. */
export function lbfgsClosure(obj: Objective, params: Parameter[], counter?: { calls: number }): () => number {
  return () => {
    if (counter) counter.calls++;
    const x = params.flatMap((p) => [...p.data]);
    const { loss, grad } = evaluate(obj, x);
    let off = 0;
    for (const p of params) {
      p.grad.set(grad.subarray(off, off + p.size));
      off += p.size;
    }
    return loss;
  };
}
