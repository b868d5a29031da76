/**
 * Whole-vector arithmetic over flat f32 vectors (the js twin of crates/simdopt-core/src/vector.rs),
 * used by L-BFGS for its dot products and axpys over all parameters at once. Buffers
 * `[x, y, out]`, argument block `[op, a]`:
 *
 * ```text
 * DOT Σ x·y;  AXPY out ← y + a·x;  SCALE out ← a·x;  ABS_MAX max|a·x|;  ABS_SUM Σ|x|
 * ```
 * Sums run in the four-lane order of stream.ts, so every backend returns the same bits.
 */
import type { ArrayKernel, Backend } from './backend/backend.js';
import { LaneSum } from './stream.js';

const f = Math.fround;

export const DOT = 0;
export const AXPY = 1;
export const SCALE = 2;
export const ABS_MAX = 3;
export const ABS_SUM = 4;

export const vectorKernel: ArrayKernel = {
  name: 'vector',
  argsLength: 2,
  writes: [false, false, true],
  js(buffers, args) {
    const [x, y, out] = buffers as readonly Float32Array[];
    const a = args[1];
    const n = x.length;
    switch (args[0]) {
      case DOT: {
        const sum = new LaneSum(n);
        for (let i = 0; i < n; i++) sum.add(f(x[i] * y[i]));
        return sum.result();
      }
      case AXPY:
        for (let i = 0; i < n; i++) out[i] = f(y[i] + f(a * x[i]));
        return 0;
      case SCALE:
        for (let i = 0; i < n; i++) out[i] = f(a * x[i]);
        return 0;
      case ABS_MAX: {
        // The order of a maximum does not matter (NaN wins, +0 above −0).
        let m = -Infinity;
        for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(f(a * x[i])));
        return m;
      }
      default: {
        const sum = new LaneSum(n);
        for (let i = 0; i < n; i++) sum.add(Math.abs(x[i]));
        return sum.result();
      }
    }
  },
};

/** Typed calls of the vector kernel on one backend (one scratch argument block). */
export class VectorOps {
  private readonly args = new Float32Array(2);

  constructor(private readonly backend: Backend) {}

  private run(op: number, a: number, x: Float32Array, y: Float32Array | null, out: Float32Array | null): number {
    this.args[0] = op;
    this.args[1] = a;
    return this.backend.runArrays(vectorKernel, [x, y, out], this.args);
  }

  /** Σ x·y (f32 products, the stream order's sum in f64). */
  dot(x: Float32Array, y: Float32Array): number {
    return this.run(DOT, 0, x, y, null);
  }

  /** y ← y + a·x in place. */
  axpy(y: Float32Array, a: number, x: Float32Array): void {
    this.run(AXPY, a, x, y, y);
  }

  /** out ← a·x (out may be x). */
  scale(out: Float32Array, a: number, x: Float32Array): void {
    this.run(SCALE, a, x, null, out);
  }

  /** max |a·x|. */
  absMax(x: Float32Array, a = 1): number {
    return this.run(ABS_MAX, a, x, null, null);
  }

  /** Σ |x|. */
  absSum(x: Float32Array): number {
    return this.run(ABS_SUM, 0, x, null, null);
  }
}
