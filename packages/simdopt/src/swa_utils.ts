/**
 * AveragedModel (`torch.optim.swa_utils.AveragedModel`): a running average of a model's
 * parameters, for stochastic weight averaging (Izmailov et al. 2018, arXiv 1803.05407) or an
 * exponential moving average of the weights. Rust kernel: crates/simdopt-core/src/average.rs.
 *
 * ```text
 * updateParameters(model):  n = nAveraged
 *   n = 0:          avg ← p                                 (a copy)
 *   'swa' (default): avg ← avg + (p − avg)/(n + 1)           the running mean (get_swa_avg_fn)
 *   'ema':           avg ← lerp(avg, p, 1 − decay)           (get_ema_multi_avg_fn; decay 0.999)
 *   nAveraged ← n + 1
 * ```
 * The averaged parameters are copies owned by this object (PyTorch deep-copies the module): they
 * start as the model's values at construction; `parameters()` returns them (e.g. to copy into an
 * evaluation model or to checkpoint). Every parameter of the model takes part, whatever its
 * `requiresGrad` (PyTorch averages `parameters()` too). Each update is one pass per parameter.
 */
import type { Backend } from './backend/backend.js';
import { disposeOnUsing } from './dispose.js';
import { fail, SimdoptError } from './errors.js';
import { checkParameter, Parameter } from './parameter.js';
import { backend } from './runtime.js';
import { checkKnownKeys } from './options/known-keys.js';
import type { ArrayKernel } from './backend/backend.js';
import { lerp32 } from './optim/adam.js';

const f = Math.fround;

const SWA = 0;
const EMA = 1;

/** Argument block `[mode, w]`, buffers `[avg, p, out]` (out may be avg): the js twin of average.rs. */
export const averageKernel: ArrayKernel = {
  name: 'average',
  argsLength: 2,
  writes: [false, false, true],
  js(buffers, args) {
    const [avg, p, out] = buffers as readonly Float32Array[];
    const w = args[1];
    if (args[0] === EMA) for (let i = 0; i < avg.length; i++) out[i] = lerp32(avg[i], p[i], w);
    else for (let i = 0; i < avg.length; i++) out[i] = f(avg[i] + f(f(p[i] - avg[i]) / w));
    return 0;
  },
};

/** What AveragedModel averages: Parameters, or anything with `parameters()` (an nn Module). */
export type ParamsOrModule = Iterable<Parameter> | { parameters(): Parameter[] };

export interface AveragedModelOptions {
  /** 'swa' (running mean, default) or 'ema' (exponential moving average). */
  strategy?: 'swa' | 'ema';
  /** EMA decay in [0, 1] (default 0.999); only with strategy 'ema'. */
  decay?: number;
}

/** `AveragedModel.stateDict()`: the averaged values and the count (PyTorch's `n_averaged`). */
export interface AveragedModelState {
  version: number;
  averagedModel: 'swa' | 'ema';
  decay: number | null;
  nAveraged: number;
  parameters: Float32Array[];
}

const STATE_VERSION = 1;

function paramsOf(name: string, x: unknown): Parameter[] {
  let list: unknown[];
  if (x !== null && typeof x === 'object' && typeof (x as { parameters?: unknown }).parameters === 'function') {
    list = (x as { parameters(): unknown[] }).parameters();
  } else if (x !== null && typeof x === 'object' && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function') {
    list = [...(x as Iterable<unknown>)];
  } else {
    fail(name, 'an iterable of Parameters or an nn Module', x);
  }
  if (list.length === 0) fail(name, 'a non-empty list of Parameters', 'an empty list');
  list.forEach((p, i) => checkParameter(`${name}[${i}]`, p));
  return list as Parameter[];
}

export class AveragedModel {
  readonly strategy: 'swa' | 'ema';
  /** The EMA decay (null for SWA). */
  readonly decay: number | null;
  private readonly be: Backend;
  private readonly averaged: Parameter[];
  private count = 0;
  private readonly args = new Float32Array(2);
  private disposed = false;

  constructor(paramsOrModule: ParamsOrModule, options: AveragedModelOptions = {}) {
    if (options === null || typeof options !== 'object') fail('options', 'an options object { strategy?, decay? }', options);
    checkKnownKeys(options, ['strategy', 'decay'], 'options.', 'AveragedModel');
    const strategy = options.strategy ?? 'swa';
    if (strategy !== 'swa' && strategy !== 'ema') fail('options.strategy', "'swa' or 'ema'", strategy);
    let decay: number | null = null;
    if (strategy === 'ema') {
      decay = options.decay ?? 0.999;
      if (typeof decay !== 'number' || !(decay >= 0 && decay <= 1)) fail('options.decay', 'a number in [0, 1]', decay);
    } else if (options.decay !== undefined) {
      fail('options.decay', "no decay with strategy 'swa' (set strategy: 'ema')", options.decay);
    }
    const params = paramsOf('paramsOrModule', paramsOrModule);
    this.strategy = strategy;
    this.decay = decay;
    this.be = backend();
    const made: Parameter[] = [];
    try {
      for (const p of params) made.push(Parameter.from(p.data, { name: p.name, shape: p.shape, requiresGrad: false }));
    } catch (e) {
      for (const p of made) p.dispose();
      throw e;
    }
    this.averaged = made;
  }

  /** How many models have been averaged (PyTorch's `n_averaged`). */
  get nAveraged(): number {
    return this.count;
  }

  /** The averaged parameters (owned by this object; disposed with it). */
  parameters(): Parameter[] {
    this.usable();
    return [...this.averaged];
  }

  /** Folds the current values of `paramsOrModule` (same sizes, same order) into the average. */
  updateParameters(paramsOrModule: ParamsOrModule): void {
    this.usable();
    const params = paramsOf('paramsOrModule', paramsOrModule);
    this.checkFits('paramsOrModule', params.map((p) => p.size));
    if (this.count === 0) {
      this.averaged.forEach((a, i) => a.data.set(params[i].data));
    } else {
      this.args[0] = this.strategy === 'ema' ? EMA : SWA;
      this.args[1] = this.strategy === 'ema' ? 1 - this.decay! : this.count + 1;
      this.averaged.forEach((a, i) => this.be.runArrays(averageKernel, [a.data, params[i].data, a.data], this.args));
    }
    this.count += 1;
  }

  stateDict(): AveragedModelState {
    this.usable();
    return {
      version: STATE_VERSION,
      averagedModel: this.strategy,
      decay: this.decay,
      nAveraged: this.count,
      parameters: this.averaged.map((a) => a.data.slice()),
    };
  }

  /** Restores `stateDict()` output (payloads may be number arrays). Checks everything first. */
  loadStateDict(state: AveragedModelState): void {
    this.usable();
    const s = state as unknown as Record<string, unknown>;
    if (s === null || typeof s !== 'object') fail('stateDict', 'an object from stateDict()', s);
    if (s.version !== STATE_VERSION) fail('stateDict.version', String(STATE_VERSION), s.version);
    if (s.averagedModel !== this.strategy) fail('stateDict.averagedModel', `'${this.strategy}'`, s.averagedModel);
    if (s.decay !== this.decay) fail('stateDict.decay', String(this.decay), s.decay);
    const n = s.nAveraged;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail('stateDict.nAveraged', 'an integer >= 0', n);
    const values = s.parameters;
    if (!Array.isArray(values) || values.length !== this.averaged.length) fail('stateDict.parameters', `${this.averaged.length} arrays`, values);
    values.forEach((v, i) => {
      const size = this.averaged[i].size;
      const ok = (v instanceof Float32Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) && v.length === size;
      if (!ok) fail(`stateDict.parameters[${i}]`, `a Float32Array or number[] of length ${size}`, v);
    });
    this.averaged.forEach((a, i) => a.data.set(values[i] as ArrayLike<number>));
    this.count = n;
  }

  /** Frees the averaged parameters; idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const a of this.averaged) a.dispose();
  }

  private checkFits(name: string, sizes: number[]): void {
    if (sizes.length !== this.averaged.length) fail(name, `${this.averaged.length} parameters (as at construction)`, `${sizes.length}`);
    sizes.forEach((s, i) => {
      if (s !== this.averaged[i].size) fail(`${name}[${i}]`, `a Parameter of ${this.averaged[i].size} elements`, `${s} elements`);
    });
  }

  private usable(): void {
    if (this.disposed) throw new SimdoptError('AveragedModel: disposed', 'averagedModel');
  }
}

// `using avg = new AveragedModel(…)` where the engine has Symbol.dispose (no global polyfill).
disposeOnUsing(AveragedModel.prototype);
