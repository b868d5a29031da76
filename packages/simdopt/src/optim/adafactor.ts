/** Adafactor: options schema, kernel (js twin) and class; see the class comment. */
import type { ArrayKernel, TensorTable } from '../backend/backend.js';
import { slotStride } from '../backend/backend.js';
import { fail } from '../errors.js';
import type { Parameter } from '../parameter.js';
import { backend } from '../runtime.js';
import { LaneSum } from '../stream.js';
import { checkNonNegative, checkNumber } from '../validate.js';
import { kernel, lerp32, lr, maximize, nonNegative, Optimizer, schema, spec, type ParamsInput, type StepContext } from './house.js';
import type { AdafactorOptions } from './options.js';

export type { AdafactorOptions };

/** `[eps1, eps2]`: eps1 a number >= 0 or null (float32's epsilon), eps2 a number >= 0. */
function checkEpsPair(name: string, v: unknown): void {
  if (!Array.isArray(v) || v.length !== 2) fail(name, 'an array [eps1 (a number >= 0, or null), eps2 (a number >= 0)]', v);
  if (v[0] !== null) checkNonNegative(`${name}[0]`, v[0]);
  checkNonNegative(`${name}[1]`, v[1]);
}

/** A finite number <= 0. */
function checkNonPositive(name: string, v: unknown): void {
  checkNumber(name, v);
  if (v > 0) fail(name, 'a finite number <= 0', v);
}

/** A finite number >= 1. */
function checkAtLeastOne(name: string, v: unknown): void {
  checkNumber(name, v);
  if (v < 1) fail(name, 'a finite number >= 1', v);
}

/** Adafactor's options (src/optim/options.ts is generated from this); PyTorch's checks. */
export const adafactorSchema = schema('Adafactor', 'torch.optim.Adafactor', {
  lr: lr(1e-2),
  beta2Decay: spec('number', checkNonPositive)(-0.8, 'τ <= 0: the second-moment weight of step t is t^τ (β̂2_t = 1 − t^τ).', 'beta2_decay'),
  eps: spec('[number | null, number]', checkEpsPair)([null, 1e-3], '[eps1, eps2], where eps1 (null: float32 epsilon) floors the variance and eps2 the parameter RMS.', 'eps'),
  d: spec('number', checkAtLeastOne)(1, 'Clipping threshold of the update RMS (>= 1).', 'd'),
  weightDecay: nonNegative(0, 'Decoupled weight decay: p ← (1 − lr·weightDecay)·p (with lr, not ρ).', 'weight_decay'),
  maximize,
});

const f = Math.fround;
/** torch.finfo(torch.float32).eps */
const FLOAT32_EPS = 2 ** -23;

// Argument block (crates/simdopt-core/src/optim/adafactor.rs, `arg`).
const MAXIMIZE = 1;
const WEIGHT_DECAY = 2;
const FACTORED = 4;
const ARGS = 11;
const [FLAGS, BATCH, ROWS, COLS, WEIGHT, RHO, EPS1, EPS1_SQ, EPS2, D, DECAY] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** Python's `max(a, b)`: b only when b > a. */
const pyMax = (a: number, b: number): number => (b > a ? b : a);
/** `x.norm(2).item()`: the float32 root of the sum of squares. */
const norm32 = (sum: number): number => f(Math.sqrt(sum));
/** `vector_norm(·)² / len` in float32. */
function meanOfNorm(sum: number, len: number): number {
  const n = norm32(sum);
  return f(f(n * n) / len);
}

/**
 * The kernel over one parameter. Buffers: [param, grad, state, workspace]; the js twin rounds
 * every operation to float32 and sums in the order of stream.ts, as the wasm builds do.
 */
export const adafactorKernel: ArrayKernel = {
  name: 'adafactor',
  argsLength: ARGS,
  writes: [true, false, true, true],
  js(buffers, a) {
    const [p, g, state] = buffers as readonly Float32Array[];
    const [batch, rows, cols] = [a[BATCH], a[ROWS], a[COLS]];
    const n = batch * rows * cols;
    if (n === 0) return 0;
    const flags = a[FLAGS];
    const sign = (flags & MAXIMIZE) !== 0 ? -1 : 1;
    const decay = (flags & WEIGHT_DECAY) !== 0;
    const [weight, eps1, eps1Sq, factor] = [a[WEIGHT], a[EPS1], a[EPS1_SQ], a[DECAY]];
    const sqrtN = Math.sqrt(n);
    const alphaOf = (sumP2: number) => pyMax(a[EPS2], norm32(sumP2) / sqrtN) * a[RHO];
    const scaleOf = (alpha: number, sumU2: number) => f(-alpha / pyMax(1, norm32(sumU2) / (sqrtN * a[D])));
    const apply = (i: number, u: number, scale: number) => {
      const q = decay ? f(p[i] * factor) : p[i];
      p[i] = f(q + f(u * scale));
    };
    if ((flags & FACTORED) === 0) {
      const sp = new LaneSum(n);
      for (let i = 0; i < n; i++) sp.add(f(p[i] * p[i]));
      const alpha = alphaOf(sp.result());
      const su = new LaneSum(n);
      for (let i = 0; i < n; i++) {
        const gi = g[i] * sign;
        const v = lerp32(state[i], f(gi * gi), weight);
        state[i] = v;
        const u = f(f(1 / f(Math.sqrt(Math.max(v, eps1Sq)))) * gi);
        su.add(f(u * u));
      }
      const scale = scaleOf(alpha, su.result());
      for (let i = 0; i < n; i++) {
        const gi = g[i] * sign;
        apply(i, f(f(1 / f(Math.sqrt(Math.max(state[i], eps1Sq)))) * gi), scale);
      }
      return 0;
    }
    const colAt = slotStride(batch * rows);
    const work = buffers[3] as Float32Array;
    let sumP2 = 0;
    for (let b = 0; b < batch; b++) {
      work.fill(0, 0, cols);
      for (let i = 0; i < rows; i++) {
        const row = (b * rows + i) * cols;
        const sp = new LaneSum(cols);
        const sg = new LaneSum(cols);
        for (let j = 0; j < cols; j++) sp.add(f(p[row + j] * p[row + j]));
        for (let j = 0; j < cols; j++) {
          const sq = f(g[row + j] * g[row + j]);
          work[j] = f(work[j] + sq);
          sg.add(sq);
        }
        sumP2 += sp.result();
        const r = b * rows + i;
        state[r] = lerp32(state[r], meanOfNorm(sg.result(), cols), weight);
      }
      for (let j = 0; j < cols; j++) {
        const c = colAt + b * cols + j;
        state[c] = lerp32(state[c], meanOfNorm(work[j], rows), weight);
      }
    }
    const alpha = alphaOf(sumP2);
    const pass = (scale: number | null): number => {
      let sumU2 = 0;
      for (let b = 0; b < batch; b++) {
        const sr = new LaneSum(rows);
        for (let i = 0; i < rows; i++) sr.add(state[b * rows + i]);
        const mean = Math.max(f(sr.result() / rows), eps1);
        for (let i = 0; i < rows; i++) {
          const r = state[b * rows + i];
          const row = (b * rows + i) * cols;
          const su = new LaneSum(cols);
          for (let j = 0; j < cols; j++) {
            const gi = g[row + j] * sign;
            const v = f(f(r * state[colAt + b * cols + j]) / mean);
            const u = f(f(1 / f(Math.sqrt(Math.max(v, eps1Sq)))) * gi);
            if (scale === null) su.add(f(u * u));
            else apply(row + j, u, scale);
          }
          sumU2 += su.result();
        }
      }
      return sumU2;
    };
    pass(scaleOf(alpha, pass(null)));
    return 0;
  },
};

/** The base class's element-wise kernel slot; never run (Adafactor overrides `runStep`). */
const NO_ELEMENTWISE = kernel('adafactor', ARGS, () => {
  throw new Error('Adafactor steps through runStep');
});

/** Leading-dimension batch B, rows R and columns C of a parameter's shape (a vector: 1, 1, n). */
function factors(p: Parameter): [number, number, number] {
  const s = p.shape;
  if (s.length < 2) return [1, 1, p.size];
  return [s.slice(0, -2).reduce((x, y) => x * y, 1), s[s.length - 2], s[s.length - 1]];
}

/**
 * Adafactor (Shazeer & Stern 2018, arXiv 1804.04235) with the exact semantics of
 * `torch.optim.Adafactor` (PyTorch 2.5; Rust kernel: crates/simdopt-core/src/optim/adafactor.rs).
 *
 * ```text
 * g ← −g if maximize;  w = t^beta2Decay;  ρ = min(lr, 1/√t);  α = max(eps2, ‖p‖/√n)·ρ
 * p ← (1 − lr·weightDecay)·p                          (decoupled, with lr, not ρ)
 * ≥2-D [.., R, C]: r ← lerp(r, mean_j g², w);  c ← lerp(c, mean_i g², w)   (per matrix)
 *                  V = r·cᵀ / max(mean(r), eps1)
 * 1-D:             V ← lerp(V, g², w)
 * U = g / sqrt(max(V, eps1²));  p ← p − α/max(1, RMS(U)/d) · U
 * ```
 * eps1 = null means float32's machine epsilon (2⁻²³). As in PyTorch, `lr` caps the relative
 * step ρ and scales the weight decay; there is no first moment. State: `step` and `row_var`
 * (B·R) and `col_var` (B·C) for a parameter of two or more dimensions (the leading dimensions B
 * are a batch of matrices), `variance` (n) for a vector — flat Float32Arrays where PyTorch keeps
 * shapes [.., R, 1] and [.., 1, C] (`stateDict({ format: 'torch' })` nests them so).
 * `eps` is `[eps1, eps2]`, checked as PyTorch does (eps1 a number >= 0 or null, eps2 >= 0).
 * Defaults: lr 0.01, beta2Decay -0.8, eps [null, 0.001], d 1, weightDecay 0, maximize false.
 */
export class Adafactor extends Optimizer<AdafactorOptions> {
  protected readonly kernel = NO_ELEMENTWISE;
  protected readonly elementwise = false;
  protected readonly slotNamesAll = ['row_var', 'col_var', 'variance'] as const;
  /** The argument block, copied out of the backend's scratch (which a workspace allocation may detach). */
  private readonly args = new Float32Array(ARGS);
  private readonly memory = backend();

  constructor(params: ParamsInput<AdafactorOptions>, options: Partial<AdafactorOptions> = {}) {
    super(params, options, { schema: adafactorSchema });
  }

  /** PyTorch's shapes: row_var [.., R, 1] and col_var [.., 1, C] for a matrix (or batch of them), variance for a vector. */
  protected slotShape(name: string, p: Parameter): readonly number[] | null {
    const s = p.shape;
    if (s.length < 2) return name === 'variance' ? s : null;
    if (name === 'row_var') return [...s.slice(0, -1), 1];
    if (name === 'col_var') return [...s.slice(0, -2), 1, s[s.length - 1]];
    return null;
  }

  protected writeArgs(a: Float32Array, o: AdafactorOptions, ctx: StepContext): void {
    const t = ctx.step;
    const eps1 = o.eps[0] ?? FLOAT32_EPS;
    a[FLAGS] = (o.maximize ? MAXIMIZE : 0) | (o.weightDecay !== 0 ? WEIGHT_DECAY : 0);
    a[WEIGHT] = t ** o.beta2Decay;
    a[RHO] = Math.min(o.lr, 1 / t ** 0.5);
    a[EPS1] = eps1;
    a[EPS1_SQ] = eps1 * eps1;
    a[EPS2] = o.eps[1];
    a[D] = o.d;
    a[DECAY] = 1 - o.lr * o.weightDecay;
  }

  protected runStep(_table: TensorTable, scratch: Float32Array, params: readonly Parameter[]): void {
    const args = this.args;
    args.set(scratch.subarray(0, ARGS));
    const flags = args[FLAGS];
    for (const p of params) {
      const [b, r, c] = factors(p);
      const factored = p.shape.length >= 2;
      // The workspace first: growing wasm memory detaches views taken before.
      const ws = factored ? this.workspace(c) : null;
      args[FLAGS] = flags | (factored ? FACTORED : 0);
      args[BATCH] = b;
      args[ROWS] = r;
      args[COLS] = c;
      let state: Float32Array;
      if (factored) {
        // row_var and col_var are adjacent in the block: the kernel takes them as one array.
        const rowVar = this.slotView(p, 'row_var')!;
        state = new Float32Array(rowVar.buffer, rowVar.byteOffset, slotStride(b * r) + b * c);
      } else {
        state = this.slotView(p, 'variance')!;
      }
      this.memory.runArrays(adafactorKernel, [p.data, p.grad, state, ws], args);
    }
  }
}
