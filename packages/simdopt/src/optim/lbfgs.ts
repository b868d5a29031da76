/** L-BFGS: options schema and class (steps through `step(closure)`); see the class comment. */
import type { Backend, Handle, OptimizerKernel } from '../backend/backend.js';
import { fail, SimdoptError } from '../errors.js';
import { checkParameter } from '../parameter.js';
import { reclaimable, reclaimer, release, type Reclaimable } from '../reclaim.js';
import { backend, checkBackend, isActive } from '../runtime.js';
import { checkInteger } from '../validate.js';
import { VectorOps } from '../vector.js';
import { lr, nonNegative, schema, spec } from './house.js';
import { Optimizer, STATE_DICT_VERSION, type OptimizerState, type ParamGroup, type ParamGroupInput, type ParamsInput, type StepOptions } from './optimizer.js';
import type { LBFGSOptions } from './options.js';
import { flatPayload, normalizeStateDict, toTorchStateDict, type TorchOptimizerState } from './state_interop.js';

export type { LBFGSOptions };

const integer = spec('number', (n, v) => checkInteger(n, v, 1));

/** LBFGS's options (src/optim/options.ts is generated from this). */
export const lbfgsSchema = schema('LBFGS', 'torch.optim.LBFGS', {
  lr: lr(1),
  maxIter: integer(20, 'Iterations per `step` call (an integer >= 1).', 'max_iter'),
  maxEval: spec('number | null', (n, v) => {
    if (v !== null && !(typeof v === 'number' && Number.isInteger(v) && v >= 1)) fail(n, 'null or an integer >= 1', v);
  })(null, 'Closure evaluations per `step` call (an integer >= 1); null: ⌊maxIter·5/4⌋, which the constructor writes, as PyTorch.', 'max_eval'),
  toleranceGrad: nonNegative(1e-7, 'Stop when max|g| falls to this.', 'tolerance_grad'),
  toleranceChange: nonNegative(1e-9, 'Stop when the step, the loss change or the directional derivative falls below this.', 'tolerance_change'),
  historySize: integer(100, 'Curvature pairs kept (an integer >= 1).', 'history_size'),
  lineSearchFn: spec("null | 'strong_wolfe'", (n, v) => {
    if (v !== null && v !== 'strong_wolfe') fail(n, "null or 'strong_wolfe'", v);
  })(null, "null: fixed steps of lr; 'strong_wolfe': the strong-Wolfe line search.", 'line_search_fn'),
});

/** The closure of `LBFGS.step`: writes `.grad` for the current `.data`, returns the loss. */
export type LossClosure = () => number;

/**
 * The base class steps through a kernel per group; L-BFGS steps through `step(closure)` and the
 * vector kernel instead, so this entry is never run.
 */
const NO_KERNEL: OptimizerKernel = {
  name: 'lbfgs',
  argsLength: 0,
  js() {
    throw new SimdoptError('LBFGS steps with step(closure)', 'closure');
  },
};

/** Thrown inside a step with skipNonFinite when an evaluation is not finite. */
class NonFinite extends Error {}

/** The optimizer's state, PyTorch's names (buffers as handles of n f32). */
interface LbfgsState {
  funcEvals: number;
  nIter: number;
  d: Handle | null;
  t: number | null;
  oldDirs: Handle[];
  oldStps: Handle[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Handle | null;
  prevLoss: number | null;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LS = 25;

/**
 * L-BFGS (Liu & Nocedal 1989, "On the limited memory BFGS method for large scale optimization"),
 * with the exact algorithm of `torch.optim.LBFGS` (torch 1.13 and 2.x agree), itself after minFunc:
 * the two-loop recursion over the last `historySize` curvature pairs, an initial step
 * `min(1, 1/‖g‖₁)·lr` on the first iteration, and either fixed steps of `lr` or the strong-Wolfe
 * line search (`lineSearchFn: 'strong_wolfe'`, cubic interpolation, c1 = 1e-4, c2 = 0.9, at most
 * 25 evaluations).
 *
 * ```text
 * step(closure): loss₀ = closure(); g = flat gradient; stop if max|g| ≤ toleranceGrad
 * repeat up to maxIter times:
 *   first iteration ever: d = −g, H = 1                       else:
 *   y = g − g_prev, s = t·d; if y·s > 1e-10 keep (y, s, ρ = 1/(y·s)) (dropping the oldest), H = y·s/y·y
 *   q = −g; for i newest…oldest: α_i = ρ_i·s_i·q, q ← q − α_i·y_i
 *   d = H·q; for i oldest…newest: β_i = ρ_i·y_i·d, d ← d + (α_i − β_i)·s_i
 *   t = min(1, 1/Σ|g|)·lr on the very first iteration, else lr; stop if g·d > −toleranceChange
 *   p ← p + t·d (t from the line search when one is used); re-evaluate g and the loss
 *   stop when maxIter or maxEval is reached, max|g| ≤ toleranceGrad, max|t·d| ≤ toleranceChange
 *   or |loss − loss_prev| < toleranceChange
 * returns loss₀
 * ```
 * The closure zeroes and writes every parameter's `.grad` for the current `.data` and returns the
 * loss. All parameters form one flat vector (one param group only, as in PyTorch; a parameter
 * with `requiresGrad === false` counts with a zero gradient, like PyTorch's `grad is None`, so it
 * never moves). The vectors (direction, gradients, history) live in backend memory and every dot
 * product and axpy is one pass of the vector kernel (crates/simdopt-core/src/vector.rs); the
 * scalars of the recursion and the line search are float64 TypeScript (PyTorch rounds them to
 * float32 0-dim tensors: a difference far below the float32 drift of the vectors themselves).
 *
 * With `skipNonFinite`, a non-finite loss or gradient at any evaluation stops the step and puts
 * the parameters and the optimizer state back as they were before it; `step` then returns the
 * first loss and `lastStepSkipped` is true. A closure that throws (or returns no number) has the
 * same effect before its error propagates; `.grad` holds whatever the last closure call wrote.
 * Defaults: lr 1, maxIter 20, maxEval null, toleranceGrad 1e-7, toleranceChange 1e-9, historySize 100,
 * lineSearchFn null (maxEval null becomes ⌊maxIter·5/4⌋ in the constructor, as PyTorch's None).
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  protected readonly kernel = NO_KERNEL;
  protected readonly hasStepCounter = false;
  protected readonly slotNamesAll = [] as const;

  private readonly be: Backend;
  private readonly ops: VectorOps;
  private st: LbfgsState = emptyState();
  /** Free buffers of n f32, and every buffer this optimizer holds (freed by dispose or, if forgotten, by the GC). */
  private readonly spare: Handle[] = [];
  private readonly owned: Reclaimable;
  private numel = -1;
  private skipped = false;
  private gone = false;

  constructor(params: ParamsInput<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    // max_iter * 5 // 4 when max_eval is None (null or absent here), as PyTorch's constructor
    // (anything but an options object goes on to the base, which names it).
    const given = options !== null && typeof options === 'object' ? { ...options, maxEval: options.maxEval ?? Math.floor(((options.maxIter ?? 20) * 5) / 4) } : options;
    super(params, given, { schema: lbfgsSchema });
    if (this.paramGroups.length !== 1) fail('params', "one param group (LBFGS doesn't support per-parameter options)", `${this.paramGroups.length} groups`);
    this.be = backend();
    this.ops = new VectorOps(this.be);
    this.owned = reclaimable(this.be);
    reclaimer?.register(this, this.owned, this);
  }

  protected writeArgs(): void {}

  /** Whether the last `step` was stopped by `skipNonFinite` (nothing changed). */
  get lastStepSkipped(): boolean {
    return this.skipped;
  }

  addParamGroup(group: ParamGroupInput<LBFGSOptions>): void {
    // Its options first (an unknown key named with a hint, as for every optimizer), then the refusal.
    if (group !== null && typeof group === 'object') this.checkGroup({ ...this.defaults, ...group } as ParamGroup<LBFGSOptions>, 'paramGroup.');
    fail('paramGroup', "no second param group (LBFGS doesn't support per-parameter options)", group);
  }

  /**
   * Up to `maxIter` L-BFGS iterations from the loss and gradients `closure` computes; returns the
   * first loss (before any change). See the class documentation.
   */
  step(closure: LossClosure): number;
  /**
   * @deprecated L-BFGS needs a closure: without one this throws a SimdoptError naming `closure`.
   * (This signature keeps LBFGS an `Optimizer` for schedulers, checkpoints and generic code.)
   */
  step(options?: StepOptions): boolean;
  override step(closure?: LossClosure | StepOptions): number | boolean {
    this.usable();
    if (typeof closure !== 'function') fail('closure', 'a function that writes .grad and returns the loss', closure);
    const group = this.paramGroups[0];
    this.checkGroup(group, 'paramGroups[0].');
    group.params.forEach((p, i) => checkParameter(`paramGroups[0].params[${i}]`, p));
    const n = this.flatSize();
    const before = { ...this.st, oldDirs: [...this.st.oldDirs], oldStps: [...this.st.oldStps], ro: [...this.st.ro] };
    const touched = new Set<Handle>(handlesOf(before));
    const take = (): Handle => {
      const h = this.take(n);
      touched.add(h);
      return h;
    };
    // A buffer of this step that nothing refers to any more goes back at once (memory stays at a
    // few vectors per step); the state's buffers from before the step wait for the end.
    const release = (h: Handle | null): void => {
      if (h === null || !touched.has(h) || handlesOf(before).includes(h)) return;
      touched.delete(h);
      this.give(h);
    };
    const guard = group.skipNonFinite;
    // The parameters at the start: a stopped step (skipNonFinite, or a closure that throws) puts them back.
    const x0 = take();
    this.gatherParams(x0);
    this.skipped = false;
    let first = NaN;
    try {
      first = this.call(closure);
      if (guard && !Number.isFinite(first)) throw new NonFinite();
      this.runIterations(closure, group, this.st, take, release, first, guard);
    } catch (e) {
      this.setParams(x0);
      this.st = before;
      this.skipped = e instanceof NonFinite;
      if (!this.skipped) {
        this.releaseAll(touched);
        throw e;
      }
    }
    this.releaseAll(touched);
    return first;
  }

  /** Gives back every buffer of a step that the (new or restored) state does not hold. */
  private releaseAll(touched: Set<Handle>): void {
    const keep = new Set(handlesOf(this.st));
    for (const h of touched) if (!keep.has(h)) this.give(h);
  }

  /** PyTorch's loop, on `st` (mutated; buffers referenced by the state before the step are never written). */
  private runIterations(
    closure: LossClosure,
    group: LBFGSOptions,
    st: LbfgsState,
    take: () => Handle,
    release: (h: Handle | null) => void,
    firstLoss: number,
    guard: boolean,
  ): void {
    const { lr, maxIter, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const maxEval = group.maxEval ?? Math.floor((maxIter * 5) / 4);
    const v = (h: Handle) => this.view(h);
    const ops = this.ops;
    let loss = firstLoss;
    let currentEvals = 1;
    st.funcEvals += 1;
    let flatGrad = take();
    this.gatherGrads(flatGrad, guard);
    if (ops.absMax(v(flatGrad)) <= toleranceGrad) return;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      st.nIter += 1;
      let d: Handle;
      if (st.nIter === 1) {
        d = take();
        ops.scale(v(d), -1, v(flatGrad));
        st.oldDirs = [];
        st.oldStps = [];
        st.ro = [];
        st.hDiag = 1;
      } else {
        const y = take();
        ops.scale(v(y), 1, v(flatGrad));
        ops.axpy(v(y), -1, v(st.prevFlatGrad!));
        const s = take();
        ops.scale(v(s), st.t!, v(st.d!));
        const ys = ops.dot(v(y), v(s));
        if (ys > 1e-10) {
          if (st.oldDirs.length === historySize) {
            release(st.oldDirs.shift()!);
            release(st.oldStps.shift()!);
            st.ro.shift();
          }
          st.oldDirs.push(y);
          st.oldStps.push(s);
          st.ro.push(1 / ys);
          st.hDiag = ys / ops.dot(v(y), v(y));
        } else {
          release(y);
          release(s);
        }
        const num = st.oldDirs.length;
        const al = new Array<number>(num);
        const q = take();
        ops.scale(v(q), -1, v(flatGrad));
        for (let i = num - 1; i >= 0; i--) {
          al[i] = ops.dot(v(st.oldStps[i]), v(q)) * st.ro[i];
          ops.axpy(v(q), -al[i], v(st.oldDirs[i]));
        }
        // d = r = q·H_diag
        ops.scale(v(q), st.hDiag, v(q));
        for (let i = 0; i < num; i++) {
          const be = ops.dot(v(st.oldDirs[i]), v(q)) * st.ro[i];
          ops.axpy(v(q), al[i] - be, v(st.oldStps[i]));
        }
        d = q;
      }
      release(st.d);
      st.d = d;
      // prev_flat_grad.copy_(flat_grad), into a buffer of this step's own
      const prev = take();
      ops.scale(v(prev), 1, v(flatGrad));
      release(st.prevFlatGrad);
      st.prevFlatGrad = prev;
      st.prevLoss = loss;

      let t = st.nIter === 1 ? Math.min(1, 1 / ops.absSum(v(flatGrad))) * lr : lr;
      const gtd = ops.dot(v(flatGrad), v(d));
      if (gtd > -toleranceChange) {
        st.t = t;
        break;
      }

      let lsFuncEvals = 0;
      let optCond = false;
      if (lineSearchFn !== null) {
        const x = take();
        this.gatherParams(x);
        const found = this.strongWolfe(closure, x, t, d, loss, flatGrad, gtd, toleranceChange, take, release, guard);
        release(x);
        if (found.g !== flatGrad) release(flatGrad);
        loss = found.f;
        flatGrad = found.g;
        t = found.t;
        lsFuncEvals = found.evals;
        this.addDirection(t, d);
        optCond = ops.absMax(v(flatGrad)) <= toleranceGrad;
      } else {
        this.addDirection(t, d);
        if (nIter !== maxIter) {
          loss = this.evaluate(closure, guard);
          // flat_grad is no state's buffer: gathered in place
          this.gatherGrads(flatGrad, guard);
          optCond = ops.absMax(v(flatGrad)) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      st.t = t;
      currentEvals += lsFuncEvals;
      st.funcEvals += lsFuncEvals;

      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (ops.absMax(v(d), t) <= toleranceChange) break;
      if (Math.abs(loss - st.prevLoss) < toleranceChange) break;
    }
  }

  /** PyTorch's `_strong_wolfe` with its defaults (c1 1e-4, c2 0.9, 25 evaluations). */
  private strongWolfe(
    closure: LossClosure,
    x: Handle,
    t0: number,
    d: Handle,
    f: number,
    g: Handle,
    gtd: number,
    toleranceChange: number,
    take: () => Handle,
    release: (h: Handle | null) => void,
    guard: boolean,
  ): { f: number; g: Handle; t: number; evals: number } {
    const created: Handle[] = [];
    const ops = this.ops;
    const v = (h: Handle) => this.view(h);
    let t = t0;
    const dNorm = ops.absMax(v(d));
    const evaluate = (step: number): [number, Handle, number] => {
      this.addDirection(step, d);
      const loss = this.evaluate(closure, guard);
      const grad = take();
      created.push(grad);
      this.gatherGrads(grad, guard);
      this.setParams(x);
      return [loss, grad, ops.dot(v(grad), v(d))];
    };
    let [fNew, gNew, gtdNew] = evaluate(t);
    let evals = 1;
    let tPrev = 0;
    let fPrev = f;
    let gPrev = g;
    let gtdPrev = gtd;
    let done = false;
    let lsIter = 0;
    let bracket: number[] = [];
    let bracketF: number[] = [];
    let bracketG: Handle[] = [];
    let bracketGtd: number[] = [];
    while (lsIter < MAX_LS) {
      if (fNew > f + C1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
        bracket = [tPrev, t];
        bracketF = [fPrev, fNew];
        bracketG = [gPrev, gNew];
        bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      if (Math.abs(gtdNew) <= -C2 * gtd) {
        bracket = [t];
        bracketF = [fNew];
        bracketG = [gNew];
        done = true;
        break;
      }
      if (gtdNew >= 0) {
        bracket = [tPrev, t];
        bracketF = [fPrev, fNew];
        bracketG = [gPrev, gNew];
        bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      const minStep = t + 0.01 * (t - tPrev);
      const maxStep = t * 10;
      const tmp = t;
      t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
      tPrev = tmp;
      fPrev = fNew;
      gPrev = gNew;
      gtdPrev = gtdNew;
      [fNew, gNew, gtdNew] = evaluate(t);
      evals += 1;
      lsIter += 1;
    }
    if (lsIter === MAX_LS) {
      // PyTorch keeps bracket_gtd from before here (the zoom loop below does not run then).
      bracket = [0, t];
      bracketF = [f, fNew];
      bracketG = [g, gNew];
    }
    let insufProgress = false;
    let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
    while (!done && lsIter < MAX_LS) {
      if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
      t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
      const hi = Math.max(bracket[0], bracket[1]);
      const lo = Math.min(bracket[0], bracket[1]);
      const eps = 0.1 * (hi - lo);
      if (Math.min(hi - t, t - lo) < eps) {
        if (insufProgress || t >= hi || t <= lo) {
          t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
          insufProgress = false;
        } else {
          insufProgress = true;
        }
      } else {
        insufProgress = false;
      }
      [fNew, gNew, gtdNew] = evaluate(t);
      evals += 1;
      lsIter += 1;
      if (fNew > f + C1 * t * gtd || fNew >= bracketF[low]) {
        bracket[high] = t;
        bracketF[high] = fNew;
        bracketG[high] = gNew;
        bracketGtd[high] = gtdNew;
        [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
      } else {
        if (Math.abs(gtdNew) <= -C2 * gtd) {
          done = true;
        } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
          bracket[high] = bracket[low];
          bracketF[high] = bracketF[low];
          bracketG[high] = bracketG[low];
          bracketGtd[high] = bracketGtd[low];
        }
        bracket[low] = t;
        bracketF[low] = fNew;
        bracketG[low] = gNew;
        bracketGtd[low] = gtdNew;
      }
    }
    const result = bracketG[low];
    for (const h of created) if (h !== result) release(h);
    return { f: bracketF[low], g: result, t: bracket[low], evals };
  }

  /** One closure call; its loss as a number (non-finite: stops the step when guarded). */
  private evaluate(closure: LossClosure, guard: boolean): number {
    const loss = this.call(closure);
    if (guard && !Number.isFinite(loss)) throw new NonFinite();
    return loss;
  }

  private call(closure: LossClosure): number {
    const loss = closure();
    if (typeof loss !== 'number') fail('closure', 'a function returning the loss as a number', loss);
    return loss;
  }

  /** Total element count of the group's parameters (fixed at the first step, as PyTorch's cache). */
  private flatSize(): number {
    const n = this.paramGroups[0].params.reduce((s, p) => s + p.size, 0);
    if (this.numel < 0) this.numel = n;
    else if (n !== this.numel) fail('paramGroups[0].params', `parameters of ${this.numel} elements in all (as at the first step)`, `${n} elements`);
    return n;
  }

  private view(h: Handle): Float32Array {
    return this.be.f32(h, 0, this.numel);
  }

  /** The flat gradient into `h` (zeros for parameters that do not require grad). */
  private gatherGrads(h: Handle, guard: boolean): void {
    const out = this.view(h);
    let off = 0;
    for (const p of this.paramGroups[0].params) {
      if (p.requiresGrad) out.set(p.grad, off);
      else out.fill(0, off, off + p.size);
      off += p.size;
    }
    if (guard && !Number.isFinite(this.ops.absMax(out))) throw new NonFinite();
  }

  private gatherParams(h: Handle): void {
    const out = this.view(h);
    let off = 0;
    for (const p of this.paramGroups[0].params) {
      out.set(p.data, off);
      off += p.size;
    }
  }

  private setParams(h: Handle): void {
    const x = this.view(h);
    let off = 0;
    for (const p of this.paramGroups[0].params) {
      p.data.set(x.subarray(off, off + p.size));
      off += p.size;
    }
  }

  /** p ← p + t·d for every parameter (PyTorch's `_add_grad`); a frozen one has d = 0 there. */
  private addDirection(t: number, d: Handle): void {
    const dv = this.view(d);
    let off = 0;
    for (const p of this.paramGroups[0].params) {
      if (p.requiresGrad) this.ops.axpy(p.data, t, dv.subarray(off, off + p.size));
      off += p.size;
    }
  }

  private take(n: number): Handle {
    const h = this.spare.pop();
    if (h !== undefined) return h;
    const fresh = this.be.alloc(Math.max(n, 1));
    this.owned.blocks.add(fresh);
    return fresh;
  }

  private give(h: Handle): void {
    this.spare.push(h);
  }

  private usable(): void {
    if (this.gone) throw new SimdoptError('LBFGS: the optimizer is disposed', 'optimizer');
    if (!isActive(this.be)) checkBackend(this.be, 'LBFGS optimizer');
  }

  /**
   * PyTorch's layout: `state[0]` holds `func_evals`, `n_iter`, `d`, `t`, `old_dirs`, `old_stps`,
   * `ro`, `H_diag`, `prev_flat_grad`, `prev_loss` (once a step has run); payloads are copies.
   */
  stateDict(options?: { format?: 'simdopt' }): OptimizerState;
  stateDict(options: { format: 'torch' }): TorchOptimizerState;
  stateDict(options?: { format?: 'simdopt' | 'torch' }): OptimizerState | TorchOptimizerState {
    this.usable();
    const format = options?.format ?? 'simdopt';
    if (format !== 'simdopt' && format !== 'torch') fail('options.format', "'simdopt' or 'torch'", format);
    if (format === 'torch') {
      // PyTorch's LBFGS state is flat vectors over all parameters, never shaped per parameter.
      const own = this.stateDict();
      const torch = toTorchStateDict({ state: {}, paramGroups: own.paramGroups }, () => []);
      const plain = (v: unknown): unknown => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : Array.isArray(v) ? v.map(plain) : v);
      for (const [k, e] of Object.entries(own.state)) {
        torch.state[k] = Object.fromEntries(Object.entries(e).map(([n, v]) => [n, plain(v)])) as TorchOptimizerState['state'][string];
      }
      return torch;
    }
    const base = super.stateDict();
    const st = this.st;
    if (st.funcEvals === 0 && st.nIter === 0) return { ...base, state: {} };
    const copy = (h: Handle) => this.view(h).slice();
    const entry: Record<string, unknown> = { func_evals: st.funcEvals, n_iter: st.nIter };
    if (st.d !== null) {
      entry.d = copy(st.d);
      entry.t = st.t;
      entry.old_dirs = st.oldDirs.map(copy);
      entry.old_stps = st.oldStps.map(copy);
      entry.ro = [...st.ro];
      entry.H_diag = st.hDiag;
      entry.prev_flat_grad = copy(st.prevFlatGrad!);
      entry.prev_loss = st.prevLoss;
    }
    return { ...base, state: { 0: entry as Record<string, number | Float32Array | number[]> } };
  }

  /** Restores `stateDict()` output (payloads may be number arrays; PyTorch's `al` is ignored). */
  loadStateDict(saved: OptimizerState | TorchOptimizerState): void {
    this.usable();
    const s = reviveState(saved, this.kind, this.paramGroups as unknown as readonly Record<string, unknown>[]) as Record<string, unknown>;
    if (s === null || typeof s !== 'object') fail('stateDict', 'an object from stateDict()', s);
    if (s.version !== STATE_DICT_VERSION) fail('stateDict.version', String(STATE_DICT_VERSION), s.version);
    if (s.optimizer !== this.kind) fail('stateDict.optimizer', `'${this.kind}'`, s.optimizer);
    const groups = s.paramGroups;
    const mine = this.paramGroups[0];
    if (!Array.isArray(groups) || groups.length !== 1) fail('stateDict.paramGroups', '1 group', groups);
    const g = groups[0] as Record<string, unknown>;
    if (g === null || typeof g !== 'object' || !Array.isArray(g.params) || g.params.length !== mine.params.length) {
      fail('stateDict.paramGroups[0].params', `${mine.params.length} parameters`, g?.params);
    }
    const { params: _ids, ...options } = g;
    const merged = { ...options, params: mine.params } as ParamGroup<LBFGSOptions>;
    this.checkGroup(merged, 'stateDict.paramGroups[0].');
    const state = s.state as Record<string, Record<string, unknown>>;
    if (state === null || typeof state !== 'object') fail('stateDict.state', 'an object', state);
    const keys = Object.keys(state);
    if (keys.some((k) => k !== '0')) fail('stateDict.state', 'state for parameter 0 only (LBFGS keeps it there)', keys);
    const n = mine.params.reduce((sum, p) => sum + p.size, 0);
    const e = state['0'];
    const at = 'stateDict.state[0]';
    let next: { st: LbfgsState; vectors: (ArrayLike<number> | null)[][] } = { st: emptyState(), vectors: [] };
    if (e !== undefined) {
      if (e === null || typeof e !== 'object') fail(at, 'an object', e);
      const known = ['func_evals', 'n_iter', 'd', 't', 'old_dirs', 'old_stps', 'ro', 'H_diag', 'prev_flat_grad', 'prev_loss', 'al'];
      for (const k of Object.keys(e)) if (!known.includes(k)) fail(`${at}.${k}`, `one of ${known.join(', ')}`, k);
      const int = (k: string) => {
        const x = e[k] ?? 0;
        checkInteger(`${at}.${k}`, x, 0);
        return x;
      };
      const num = (k: string) => {
        const x = e[k];
        if (typeof x !== 'number' || Number.isNaN(x)) fail(`${at}.${k}`, 'a number', x);
        return x;
      };
      const vec = (name: string, x: unknown): ArrayLike<number> => {
        const ok = (x instanceof Float32Array || (Array.isArray(x) && x.every((y) => typeof y === 'number'))) && (x as ArrayLike<number>).length === n;
        if (!ok) fail(name, `a Float32Array or number[] of length ${n} (all parameters)`, x);
        return x;
      };
      const st = emptyState();
      st.funcEvals = int('func_evals');
      st.nIter = int('n_iter');
      const vectors: (ArrayLike<number> | null)[][] = [];
      if (e.d !== undefined) {
        const list = (k: string) => {
          const x = e[k];
          if (!Array.isArray(x)) fail(`${at}.${k}`, 'an array of vectors', x);
          return x.map((y, i) => vec(`${at}.${k}[${i}]`, y));
        };
        const dirs = list('old_dirs');
        const stps = list('old_stps');
        const ro = e.ro;
        if (!Array.isArray(ro) || ro.length !== dirs.length || stps.length !== dirs.length || !ro.every((r) => typeof r === 'number')) {
          fail(`${at}.ro`, `${dirs.length} numbers (one per old_dirs and old_stps entry)`, ro);
        }
        st.t = num('t');
        st.hDiag = num('H_diag');
        st.prevLoss = num('prev_loss');
        st.ro = [...(ro)];
        vectors.push([vec(`${at}.d`, e.d), vec(`${at}.prev_flat_grad`, e.prev_flat_grad)], dirs, stps);
      }
      next = { st, vectors };
    }
    // Commit: allocate the buffers (all before changing anything), then swap.
    if (this.numel >= 0 && n !== this.numel) fail('stateDict', `a state for ${this.numel} elements`, n);
    this.numel = n;
    const allocated: Handle[] = [];
    const fill = (x: ArrayLike<number> | null): Handle => {
      const h = this.take(n);
      allocated.push(h);
      if (x !== null) this.view(h).set(x);
      return h;
    };
    try {
      if (next.vectors.length > 0) {
        const [[d, prev], dirs, stps] = next.vectors;
        next.st.d = fill(d);
        next.st.prevFlatGrad = fill(prev);
        next.st.oldDirs = dirs.map(fill);
        next.st.oldStps = stps.map(fill);
      }
    } catch (err) {
      for (const h of allocated) this.give(h);
      throw err;
    }
    for (const h of handlesOf(this.st)) this.give(h);
    this.st = next.st;
    for (const k of Object.keys(mine)) if (k !== 'params') delete (mine as unknown as Record<string, unknown>)[k];
    Object.assign(mine, options);
  }

  dispose(): void {
    if (this.gone) return;
    this.gone = true;
    release(this.owned);
    this.spare.length = 0;
    this.st = emptyState();
    super.dispose();
  }
}

function emptyState(): LbfgsState {
  return { funcEvals: 0, nIter: 0, d: null, t: null, oldDirs: [], oldStps: [], ro: [], hDiag: 1, prevFlatGrad: null, prevLoss: null };
}

function handlesOf(st: LbfgsState): Handle[] {
  const out = [...st.oldDirs, ...st.oldStps];
  if (st.d !== null) out.push(st.d);
  if (st.prevFlatGrad !== null) out.push(st.prevFlatGrad);
  return out;
}

/** PyTorch's `_cubic_interpolate`: the minimiser of the cubic through two points, within bounds. */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

/**
 * `stateDict()` output, the same after plain JSON, or PyTorch's LBFGS `state_dict()` as JSON, in
 * `stateDict()`'s own shape. `old_dirs`/`old_stps` are lists of flat vectors, so they are kept
 * apart from the generic normalisation (which would flatten them into one) and each read alone.
 */
function reviveState(saved: unknown, kind: string, current: readonly Record<string, unknown>[]): unknown {
  const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x);
  if (!isObject(saved) || !isObject(saved.state)) return normalizeStateDict(saved, kind, STATE_DICT_VERSION, current);
  const lists: Record<string, unknown>[] = [];
  const state: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(saved.state)) {
    if (!isObject(e)) {
      state[k] = e;
      continue;
    }
    const { old_dirs, old_stps, ...rest } = e;
    state[k] = rest;
    if (old_dirs !== undefined || old_stps !== undefined) lists.push({ old_dirs, old_stps });
  }
  const out = normalizeStateDict({ ...saved, state }, kind, STATE_DICT_VERSION, current) as Record<string, unknown>;
  const entries = Object.values(out.state as Record<string, unknown>);
  // LBFGS keeps one entry; anything else is refused by loadStateDict's own checks.
  if (lists.length === 1 && entries.length === 1 && isObject(entries[0])) {
    const entry = entries[0];
    for (const name of ['old_dirs', 'old_stps'] as const) {
      const list = lists[0][name];
      const items = Array.isArray(list) ? list : isObject(list) ? Object.values(list) : list;
      entry[name] = Array.isArray(items) ? items.map((v, i) => flatPayload(v, `stateDict.state[0].${name}[${i}]`)) : items;
    }
  }
  return out;
}
