/** Muon: options schema, kernel (js twin) and class; see the class comment. */
import type { ArrayKernel, TensorTable } from '../backend/backend.js';
import { fail } from '../errors.js';
import { linearForward, linearInputGrad } from '../nn/kernels/gemm.js';
import type { Parameter } from '../parameter.js';
import { backend } from '../runtime.js';
import { LaneSum } from '../stream.js';
import { checkInteger, checkNumber } from '../validate.js';
import { boolean, eps, kernel, lerp32, lr, nonNegative, Optimizer, schema, spec, type ParamsInput, type StepContext } from './house.js';
import type { ParamGroupInput } from './optimizer.js';
import type { MuonOptions } from './options.js';

export type { MuonOptions };
/** How Muon scales lr with the shape of a matrix (`adjustLrFn`). */
export type MuonAdjustLr = MuonOptions['adjustLrFn'];

/** `[a, b, c]`: three finite numbers. */
function checkCoefficients(name: string, v: unknown): void {
  if (!Array.isArray(v) || v.length !== 3) fail(name, 'an array of three finite numbers [a, b, c]', v);
  v.forEach((x, i) => checkNumber(`${name}[${i}]`, x));
}

/** An integer in [0, 100) (PyTorch: `ns_steps < 100`). */
function checkNsSteps(name: string, v: unknown): void {
  checkInteger(name, v);
  if (v >= 100) fail(name, 'an integer in [0, 100)', v);
}

/** null, 'original' or 'match_rms_adamw' (PyTorch's `adjust_lr_fn`). */
function checkAdjustLr(name: string, v: unknown): void {
  if (v !== null && v !== 'original' && v !== 'match_rms_adamw') fail(name, "null, 'original' or 'match_rms_adamw'", v);
}

/** Muon's options (src/optim/options.ts is generated from this). */
export const muonSchema = schema('Muon', 'torch.optim.Muon', {
  lr: lr(1e-3),
  weightDecay: nonNegative(0.1, 'Decoupled weight decay: p ← (1 − lr·weightDecay)·p before the update (with the unadjusted lr).', 'weight_decay'),
  momentum: nonNegative(0.95, 'Momentum factor of the gradient buffer.', 'momentum'),
  nesterov: boolean(true, 'Nesterov momentum: orthogonalise lerp(g, B, momentum) instead of B.', 'nesterov'),
  nsCoefficients: spec('[number, number, number]', checkCoefficients)([3.4445, -4.775, 2.0315], '[a, b, c] of the quintic Newton–Schulz step X ← a·X + (b·A + c·A²)·X.', 'ns_coefficients'),
  eps: { ...eps(1e-7), doc: 'Floor of the Frobenius norm of the update before normalising.' },
  nsSteps: spec('number', checkNsSteps)(5, 'Newton–Schulz iterations, an integer in [0, 100).', 'ns_steps'),
  adjustLrFn: spec("null | 'original' | 'match_rms_adamw'", checkAdjustLr)(null, "How lr scales with the shape: null or 'original' (Keller Jordan's), 'match_rms_adamw' (Moonshot's).", 'adjust_lr_fn'),
});

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
    const [p, g, buf, work] = buffers as readonly Float32Array[];
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
const NO_ELEMENTWISE = kernel('muon', ARGS, () => {
  throw new Error('Muon steps through runStep');
});

/** PyTorch's `_adjust_lr`: the learning rate for an R×C matrix. */
export function muonAdjustedLr(lr: number, fn: MuonAdjustLr, rows: number, cols: number): number {
  const ratio = fn === 'match_rms_adamw' ? 0.2 * Math.sqrt(Math.max(rows, cols)) : Math.sqrt(Math.max(1, rows / cols));
  return lr * ratio;
}

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
 * PyTorch's `use_addmm` (a fused-kernel switch with the same mathematics) is not offered.
 * Defaults: lr 0.001, weightDecay 0.1, momentum 0.95, nesterov true, nsCoefficients
 * [3.4445, -4.775, 2.0315], eps 1e-7, nsSteps 5, adjustLrFn null.
 */
export class Muon extends Optimizer<MuonOptions> {
  protected readonly kernel = NO_ELEMENTWISE;
  protected readonly elementwise = false;
  protected readonly hasStepCounter = false;
  protected readonly slotNamesAll = ['momentum_buffer'] as const;
  /** The argument block, copied out of the backend's scratch (which a workspace allocation may detach). */
  private readonly args = new Float32Array(ARGS);
  private readonly memory = backend();
  private lr = 0;
  private adjust: MuonAdjustLr = null;

  constructor(params: ParamsInput<MuonOptions>, options: Partial<MuonOptions> = {}) {
    super(params, options, { schema: muonSchema });
    try {
      this.paramGroups.forEach((g, gi) => checkMatrices(g.params, `paramGroups[${gi}].params`));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  addParamGroup(group: ParamGroupInput<MuonOptions>): void {
    const params = group?.params;
    if (params !== null && typeof params === 'object' && typeof (params as Iterable<unknown>)[Symbol.iterator] === 'function') {
      checkMatrices([...params].filter((p) => typeof p === 'object' && p !== null && 'shape' in p), 'paramGroup.params');
    }
    super.addParamGroup(group);
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
    const args = this.args;
    args.set(scratch.subarray(0, ARGS));
    for (const p of params) {
      const [rows, cols] = p.shape;
      // The workspace first (kept between steps): growing wasm memory detaches views taken before.
      const ws = this.workspace(muonWorkspace(rows, cols));
      args[ROWS] = rows;
      args[COLS] = cols;
      args[NEG_LR] = -muonAdjustedLr(this.lr, this.adjust, rows, cols);
      this.memory.runArrays(muonKernel, [p.data, p.grad, this.slotView(p, 'momentum_buffer'), ws], args);
    }
  }
}

/** Muon's constructor check: every parameter a matrix. */
function checkMatrices(params: readonly Parameter[], where: string): void {
  params.forEach((p, i) => {
    if (p.shape.length !== 2) fail(`${where}[${i}]`, 'a 2-D Parameter (Muon only supports matrices; use AdamW for the others)', `shape [${p.shape.join(', ')}]`);
  });
}
