/**
 * Muon (Jordan et al. 2024, https://kellerjordan.github.io/posts/muon/; Liu et al. 2025, arXiv
 * 2502.16982) with the semantics of `torch.optim.Muon` (PyTorch 2.9; Rust kernel:
 * crates/simdopt-core/src/optim/muon.rs). For 2-D parameters only, as in PyTorch: pair it with
 * AdamW (or another optimizer) for biases, norms and embeddings.
 *
 * ```text
 * B ← lerp(B, g, 1 − momentum);  U = nesterov ? lerp(g, B, momentum) : B
 * X = U / max(‖U‖_F, eps), transposed when rows > cols
 * nsSteps times:  A = X·Xᵀ;  X ← a·X + (b·A + c·A·A)·X          ([a, b, c] = nsCoefficients)
 * p ← (1 − lr·weightDecay)·p − lr′·X (transposed back)
 * lr′ = lr·√max(1, rows/cols) (adjustLrFn null or 'original'),  lr·0.2·√max(rows, cols) ('match_rms_adamw')
 * ```
 * The Newton–Schulz iteration runs in float32 on the library's GEMM (the same one nn.Linear
 * uses), bit-identical on every backend. PyTorch runs it in bfloat16 (8-bit mantissa): the same
 * polynomial, with each intermediate matrix rounded to bfloat16, so PyTorch's orthogonalised
 * update differs from this one by the accumulated bfloat16 rounding (simulated: about 2.5 % per
 * element, median, up to 4 % of the largest element) — this one is the more exact.
 * In either precision the iteration does not converge to the exact polar factor: PyTorch's
 * docstring puts its singular values roughly in [0.5, 1.5]. State: `momentum_buffer` (no step
 * counter, as PyTorch).
 * Defaults: lr 1e-3, weightDecay 0.1, momentum 0.95, nesterov true, nsCoefficients
 * [3.4445, −4.775, 2.0315], eps 1e-7, nsSteps 5, adjustLrFn null. PyTorch's `use_addmm` (a
 * fused-kernel switch with the same mathematics) is not offered.
 */
import type { ArrayKernel, Backend, OptimizerKernel, TensorTable } from '../backend/backend.js';
import { fail } from '../errors.js';
import { linearForward, linearInputGrad } from '../nn/kernels/gemm.js';
import type { Parameter } from '../parameter.js';
import { backend } from '../runtime.js';
import { LaneSum } from '../stream.js';
import { checkBoolean, checkInteger, checkNonNegative, checkNumber } from '../validate.js';
import { lerp32 } from './adam.js';
import { Optimizer, type ParamGroupInput, type BaseOptions, type ParamsInput, type StepContext } from './optimizer.js';

export type MuonAdjustLr = null | 'original' | 'match_rms_adamw';

export interface MuonOptions extends BaseOptions {
  lr: number;
  /** Decoupled: p ← (1 − lr·weightDecay)·p before the update (with the unadjusted lr). */
  weightDecay: number;
  momentum: number;
  nesterov: boolean;
  /** [a, b, c] of the quintic Newton–Schulz step X ← a·X + (b·A + c·A²)·X. */
  nsCoefficients: [number, number, number];
  /** Floor of ‖U‖_F before normalising. */
  eps: number;
  /** Newton–Schulz iterations, 0 … 99. */
  nsSteps: number;
  /** How lr scales with the shape: null or 'original' (Keller Jordan's), 'match_rms_adamw' (Moonshot's). */
  adjustLrFn: MuonAdjustLr;
}

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/muon.rs, `arg`).
const NESTEROV = 1;
const ARGS = 12;
const [FLAGS, ROWS, COLS, ONE_MINUS_MOMENTUM, MOMENTUM, NS_A, NS_B, NS_C, EPS, NS_STEPS, DECAY, NEG_LR] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** f32 of workspace for an R×C parameter (muon.rs `workspace_len`). */
export function muonWorkspace(rows: number, cols: number): number {
  const m = Math.min(rows, cols);
  const n = Math.max(rows, cols);
  return 2 * m * n + 2 * m * m + 8 * n;
}

/** One 2-D parameter per call. Buffers: [param, grad, momentum_buffer, workspace]. */
export const muonKernel: ArrayKernel = {
  name: 'muon',
  argsLength: ARGS,
  writes: [true, false, true, true],
  js(buffers, a) {
    const p = buffers[0] as Float32Array;
    const g = buffers[1] as Float32Array;
    const buf = buffers[2] as Float32Array;
    const work = buffers[3] as Float32Array;
    const rows = a[ROWS];
    const cols = a[COLS];
    const m = Math.min(rows, cols);
    const n = Math.max(rows, cols);
    if (m === 0) return 0;
    const tall = rows > cols;
    const x = work.subarray(0, m * n);
    const y = work.subarray(m * n, 2 * m * n);
    const gram = work.subarray(2 * m * n, 2 * m * n + m * m);
    const gram2 = work.subarray(2 * m * n + m * m, 2 * m * n + 2 * m * m);
    const nesterov = (a[FLAGS] & NESTEROV) !== 0;
    const [w, mu] = [a[ONE_MINUS_MOMENTUM], a[MOMENTUM]];
    const sum = new LaneSum(m * n);
    for (let i = 0; i < m * n; i++) {
      const b = lerp32(buf[i], g[i], w);
      buf[i] = b;
      const u = nesterov ? lerp32(g[i], b, mu) : b;
      y[i] = u;
      sum.add(f(u * u));
    }
    const norm = Math.max(f(Math.sqrt(sum.result())), a[EPS]);
    if (tall) {
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) x[j * rows + i] = f(y[i * cols + j] / norm);
    } else {
      for (let i = 0; i < m * n; i++) x[i] = f(y[i] / norm);
    }
    const [ca, cb, cc] = [a[NS_A], a[NS_B], a[NS_C]];
    for (let s = 0; s < a[NS_STEPS]; s++) {
      linearForward(x, x, null, gram, m, n, m);
      linearForward(gram, gram, null, gram2, m, m, m);
      for (let i = 0; i < m * m; i++) gram[i] = f(f(cb * gram[i]) + f(cc * gram2[i]));
      linearInputGrad(gram, x, y, m, n, m);
      for (let i = 0; i < m * n; i++) x[i] = f(f(ca * x[i]) + y[i]);
    }
    const [decay, negLr] = [a[DECAY], a[NEG_LR]];
    if (tall) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const at = i * cols + j;
          p[at] = f(f(p[at] * decay) + f(x[j * rows + i] * negLr));
        }
      }
    } else {
      for (let i = 0; i < m * n; i++) p[i] = f(f(p[i] * decay) + f(x[i] * negLr));
    }
    return 0;
  },
};

/** The base class's element-wise kernel slot; never run (Muon overrides `runStep`). */
const NO_ELEMENTWISE: OptimizerKernel = {
  name: 'muon',
  argsLength: ARGS,
  js() {
    throw new Error('Muon steps through runStep');
  },
};

/** PyTorch's `_adjust_lr`: the learning rate for an R×C matrix. */
export function muonAdjustedLr(lr: number, fn: MuonAdjustLr, rows: number, cols: number): number {
  const ratio = fn === 'match_rms_adamw' ? 0.2 * Math.sqrt(Math.max(rows, cols)) : Math.sqrt(Math.max(1, rows / cols));
  return lr * ratio;
}

export class Muon extends Optimizer<MuonOptions> {
  protected readonly kind = 'Muon';
  protected readonly kernel = NO_ELEMENTWISE;
  protected readonly elementwise = false;
  protected readonly hasStepCounter = false;
  protected readonly slotNamesAll = ['momentum_buffer'] as const;
  private readonly memory: Backend;
  private lr = 0;
  private adjust: MuonAdjustLr = null;

  constructor(params: ParamsInput<MuonOptions>, options: Partial<MuonOptions> = {}) {
    super(params, {
      lr: 1e-3,
      weightDecay: 0.1,
      momentum: 0.95,
      nesterov: true,
      nsCoefficients: [3.4445, -4.775, 2.0315],
      eps: 1e-7,
      nsSteps: 5,
      adjustLrFn: null,
      skipNonFinite: false,
      ...options,
    });
    this.memory = backend();
    this.paramGroups.forEach((g, gi) => checkMatrices(g.params, `paramGroups[${gi}].params`));
  }

  addParamGroup(group: ParamGroupInput<MuonOptions>): void {
    const params = group?.params;
    if (params !== null && typeof params === 'object' && typeof (params as Iterable<unknown>)[Symbol.iterator] === 'function') {
      checkMatrices([...params].filter((p) => typeof p === 'object' && p !== null && 'shape' in p), 'paramGroup.params');
    }
    super.addParamGroup(group);
  }

  protected checkOptions(o: MuonOptions, at: string): void {
    // PyTorch checks lr, momentum and weight_decay >= 0 and adjust_lr_fn; the rest are checked
    // here too so that a bad value fails before any state changes.
    checkNonNegative(`${at}lr`, o.lr);
    checkNonNegative(`${at}momentum`, o.momentum);
    checkNonNegative(`${at}weightDecay`, o.weightDecay);
    checkBoolean(`${at}nesterov`, o.nesterov);
    const c = o.nsCoefficients;
    if (!Array.isArray(c) || c.length !== 3) fail(`${at}nsCoefficients`, 'an array of three finite numbers [a, b, c]', c);
    c.forEach((v, i) => checkNumber(`${at}nsCoefficients[${i}]`, v));
    checkNonNegative(`${at}eps`, o.eps);
    checkInteger(`${at}nsSteps`, o.nsSteps);
    if (o.nsSteps >= 100) fail(`${at}nsSteps`, 'an integer in [0, 100)', o.nsSteps);
    if (o.adjustLrFn !== null && o.adjustLrFn !== 'original' && o.adjustLrFn !== 'match_rms_adamw') {
      fail(`${at}adjustLrFn`, "null, 'original' or 'match_rms_adamw'", o.adjustLrFn);
    }
  }

  protected slotNames(_o: MuonOptions): readonly string[] {
    return this.slotNamesAll;
  }

  protected writeArgs(a: Float32Array, o: MuonOptions, _ctx: StepContext): void {
    a[FLAGS] = o.nesterov ? NESTEROV : 0;
    a[ONE_MINUS_MOMENTUM] = 1 - o.momentum;
    a[MOMENTUM] = o.momentum;
    [a[NS_A], a[NS_B], a[NS_C]] = o.nsCoefficients;
    a[EPS] = o.eps;
    a[NS_STEPS] = o.nsSteps;
    a[DECAY] = 1 - o.lr * o.weightDecay;
    this.lr = o.lr;
    this.adjust = o.adjustLrFn;
  }

  protected runStep(_table: TensorTable, scratch: Float32Array, params: readonly Parameter[]): void {
    // A copy: `scratch` is the backend's argument scratch, which the allocation below may detach.
    const args = scratch.slice(0, ARGS);
    const size = Math.max(...params.map((p) => muonWorkspace(p.shape[0], p.shape[1])));
    // Allocated before any view is taken: growing wasm memory detaches views.
    const work = this.memory.alloc(Math.max(size, 1));
    try {
      for (const p of params) {
        const [rows, cols] = p.shape;
        args[ROWS] = rows;
        args[COLS] = cols;
        args[NEG_LR] = -muonAdjustedLr(this.lr, this.adjust, rows, cols);
        const ws = this.memory.f32(work, 0, muonWorkspace(rows, cols));
        this.memory.runArrays(muonKernel, [p.data, p.grad, this.slotView(p, 'momentum_buffer'), ws], args);
      }
    } finally {
      this.memory.free(work);
    }
  }
}

/** Muon's constructor check: every parameter a matrix. */
function checkMatrices(params: readonly Parameter[], where: string): void {
  params.forEach((p, i) => {
    if (p.shape.length !== 2) fail(`${where}[${i}]`, 'a 2-D Parameter (Muon only supports matrices; use AdamW for the others)', `shape [${p.shape.join(', ')}]`);
  });
}
