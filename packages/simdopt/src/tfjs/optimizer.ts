/**
 * `tfjsOptimizer(tf, make, options)`: a `tf.Optimizer` whose updates run in simdopt.
 *
 * The class is built from the `tf` the app passes in (one subclass per tfjs copy, made once and
 * registered for tfjs's serialization), so simdopt never loads a tfjs of its own. An update:
 *
 * 1. checks the call: every gradient names a known variable of unchanged shape, the variables
 *    are alive, the simdopt objects usable — before anything changes;
 * 2. copies each gradient into its Parameter's `.grad` (one copy: straight from the backend's
 *    storage on tfjs-backend-cpu and -wasm, see storage.ts);
 * 3. clips (`clipGradNorm`) when asked, steps the simdopt optimizer, steps the scheduler (not
 *    after a step that `skipNonFinite` skipped);
 * 4. writes each Parameter's `.data` back into its variable: `assign` of a new tensor, one copy
 *    (tfjs's tensors are immutable, see storage.ts for why writing in place is wrong).
 *
 * The Parameters are made at the first update (or by `bind`), one per trainable variable, in the
 * order of the gradients; the simdopt side holds the truth between updates, and a variable that
 * someone else assigned since (`model.setWeights`, `loadWeights`) is read back in first.
 */
import * as simdopt from 'simdopt';
import { clipGradNorm, loadState, Optimizer, Parameter, saveState, SimdoptError, type OptimizerState } from 'simdopt';
import { copiesOnWrite, owner, storage } from './storage.js';
import type { ConfigDict, DataId, NamedTensor, NamedTensorMap, Tensor, TfOptimizer, Tfjs, Variable } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = Optimizer<any>;

/** A scheduler as far as the binding uses it (every step-driven simdopt scheduler). */
export interface SchedulerLike {
  step(): void;
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

export interface TfjsOptimizerOptions<O extends AnyOptimizer, S extends SchedulerLike> {
  /** Builds a scheduler on the simdopt optimizer; it is stepped after every update. */
  scheduler?: (optimizer: O) => S;
  /** Clip the gradients to this total 2-norm before every step (`clipGradNorm`). */
  clipGradNorm?: number;
}

/** The optimizer `tfjsOptimizer` returns: a `tf.Optimizer` with simdopt inside. */
export interface SimdoptTfjsOptimizer<O extends AnyOptimizer = AnyOptimizer, S extends SchedulerLike = SchedulerLike>
  extends TfOptimizer {
  /** The simdopt optimizer, one Parameter per trainable variable; undefined before the first update. */
  readonly simdopt: O | undefined;
  /** The scheduler built by `options.scheduler`, once the simdopt optimizer exists. */
  readonly scheduler: S | undefined;
  /** The Parameters, in the order of `simdopt.paramGroups` (the first update's gradient order). */
  readonly parameters: readonly Parameter[];
  /**
   * Makes the Parameters and the simdopt optimizer now, from `variables` (e.g.
   * `model.trainableWeights.map((w) => w.read())`), instead of at the first update — for
   * loading a state before training. Returns the simdopt optimizer.
   */
  bind(variables: readonly Variable[]): O;
  /** Frees the Parameters and the simdopt optimizer (never the tf variables); later updates throw. */
  dispose(): void;
}

/** The JSON-safe description `getConfig()` returns, from which `fromConfig` rebuilds. */
interface SavedConfig {
  optimizer: string;
  options: Record<string, unknown>;
  clipGradNorm: number | null;
}

/** One trainable variable and the Parameter that mirrors it. */
interface Binding {
  variable: Variable;
  param: Parameter;
  /** The variable's dataId when simdopt last wrote or read it: another means someone assigned it. */
  dataId: DataId;
  /** Position in the bindings (and in the scratch list of the update's gradients). */
  index: number;
}

const STATE_WEIGHT = 'simdopt/state';
const classes = new WeakMap<object, new (...args: never[]) => SimdoptTfjsOptimizer>();

function error(message: string, argument: string): SimdoptError {
  return new SimdoptError(`simdopt/tfjs: ${message}`, argument);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkTf(tf: unknown): asserts tf is Tfjs {
  const t = tf as Partial<Tfjs> | null;
  if (t === null || typeof t !== 'object' || typeof t.Optimizer !== 'function' || typeof t.engine !== 'function' ||
      typeof t.tensor !== 'function' || typeof t.serialization?.registerClass !== 'function') {
    throw error("tf: expected the app's TensorFlow.js module (import * as tf from '@tensorflow/tfjs')", 'tf');
  }
}

/**
 * A `tf.Optimizer` that updates with the simdopt optimizer `make(params)` builds:
 * `model.compile({ optimizer: tfjsOptimizer(tf, (p) => new Adam(p, { lr: 1e-3 })) })`.
 */
export function tfjsOptimizer<O extends AnyOptimizer, S extends SchedulerLike = never>(
  tf: Tfjs,
  make: (params: Parameter[]) => O,
  options: TfjsOptimizerOptions<O, S> = {},
): SimdoptTfjsOptimizer<O, S> {
  checkTf(tf);
  if (typeof make !== 'function') throw error('make: expected a function (params) => a simdopt optimizer', 'make');
  if (options === null || typeof options !== 'object') throw error('options: expected an object { scheduler?, clipGradNorm? }', 'options');
  for (const key of Object.keys(options)) {
    if (key !== 'scheduler' && key !== 'clipGradNorm') throw error(`options.${key}: unknown option (expected scheduler, clipGradNorm)`, `options.${key}`);
  }
  const { scheduler, clipGradNorm: maxNorm } = options;
  if (scheduler !== undefined && typeof scheduler !== 'function') {
    throw error('options.scheduler: expected a function (optimizer) => a scheduler', 'options.scheduler');
  }
  if (maxNorm !== undefined && !(typeof maxNorm === 'number' && maxNorm >= 0)) {
    throw error(`options.clipGradNorm: expected a number >= 0, got ${String(maxNorm)}`, 'options.clipGradNorm');
  }
  const Cls = classFor(tf) as unknown as new (
    make: (params: Parameter[]) => O,
    scheduler: ((o: O) => S) | undefined,
    maxNorm: number | undefined,
  ) => SimdoptTfjsOptimizer<O, S>;
  return new Cls(make, scheduler, maxNorm);
}

/**
 * Registers simdopt's optimizer class with `tf`'s serialization, so that `tf.loadLayersModel`
 * rebuilds a model saved with `includeOptimizer: true` before any `tfjsOptimizer` call (which
 * registers it too). Idempotent.
 */
export function registerTfjsOptimizer(tf: Tfjs): void {
  checkTf(tf);
  classFor(tf);
}

/** The subclass of this `tf`'s Optimizer (made and registered once per tfjs copy). */
function classFor(tf: Tfjs): new (...args: never[]) => SimdoptTfjsOptimizer {
  const known = classes.get(tf.Optimizer);
  if (known) return known;
  const Base = tf.Optimizer as unknown as abstract new () => TfOptimizer;

  class SimdoptOptimizer extends Base {
    /** tfjs's serialization name. */
    static className = 'SimdoptOptimizer';

    private readonly make: (params: Parameter[]) => AnyOptimizer;
    private readonly makeScheduler: ((o: AnyOptimizer) => SchedulerLike) | undefined;
    private readonly maxNorm: number | undefined;
    private bindings: Binding[] = [];
    private params: Parameter[] = [];
    private byName = new Map<string, Binding>();
    private inner: AnyOptimizer | undefined;
    private sched: SchedulerLike | undefined;
    /** State from `setWeights` before the Parameters existed: loaded at `bind`. */
    private pending: { optimizer: OptimizerState; scheduler?: unknown } | undefined;
    private disposed = false;
    /** Scratch of the current update, reused. */
    private readonly grads: (Tensor | null)[] = [];

    constructor(
      make: (params: Parameter[]) => AnyOptimizer,
      scheduler: ((o: AnyOptimizer) => SchedulerLike) | undefined,
      maxNorm: number | undefined,
    ) {
      super();
      this.make = make;
      this.makeScheduler = scheduler;
      this.maxNorm = maxNorm;
    }

    get simdopt(): AnyOptimizer | undefined {
      return this.inner;
    }

    get scheduler(): SchedulerLike | undefined {
      return this.sched;
    }

    get parameters(): readonly Parameter[] {
      return this.params;
    }

    bind(variables: readonly Variable[]): AnyOptimizer {
      if (this.disposed) throw error('the optimizer is disposed', 'optimizer');
      if (this.inner !== undefined) throw error('bind: the simdopt optimizer exists already (bind once, before the first update)', 'bind');
      if (!Array.isArray(variables) || variables.length === 0) throw error('variables: expected a non-empty array of tf.Variables', 'variables');
      const seen = new Set<string>();
      variables.forEach((v, i) => {
        this.checkVariable(v, `variables[${i}]`);
        if (seen.has(v.name)) throw error(`variables[${i}]: variable '${v.name}' is listed twice`, `variables[${i}]`);
        seen.add(v.name);
      });
      const bindings: Binding[] = [];
      try {
        for (const v of variables) {
          const param = Parameter.from(this.read(v), { name: v.name, shape: v.shape });
          bindings.push({ variable: v, param, dataId: v.dataId, index: bindings.length });
        }
        const inner = this.make(bindings.map((b) => b.param));
        if (!(inner instanceof Optimizer)) throw error('make: expected it to return a simdopt optimizer built on the given params', 'make');
        let sched: SchedulerLike | undefined;
        try {
          sched = this.makeScheduler?.(inner);
          if (this.pending) {
            inner.loadStateDict(this.pending.optimizer);
            if (this.pending.scheduler !== undefined) sched?.loadStateDict(this.pending.scheduler as never);
          }
        } catch (e) {
          inner.dispose();
          throw e;
        }
        this.inner = inner;
        this.sched = sched;
        this.pending = undefined;
      } catch (e) {
        for (const b of bindings) b.param.dispose();
        throw e;
      }
      this.bindings = bindings;
      this.params = bindings.map((b) => b.param);
      this.byName = new Map(bindings.map((b) => [b.variable.name, b]));
      return this.inner;
    }

    applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
      if (this.disposed) throw error('the optimizer is disposed; the model is unchanged', 'optimizer');
      const named = this.named(variableGradients);
      if (this.inner === undefined) {
        this.bind(named.filter(([, g]) => g != null).map(([name]) => this.lookup(name)));
      }
      const inner = this.inner!;
      const grads = this.collect(named);
      this.checkUsable();
      // Everything is checked: from here on only simdopt's own step can throw (a disposed
      // optimizer; it changes nothing when it does), and the variables are written last.
      const excluded: Parameter[] = [];
      for (let i = 0; i < this.bindings.length; i++) {
        const b = this.bindings[i];
        const g = grads[i];
        if (g === null) {
          excluded.push(b.param);
          continue;
        }
        if (b.variable.dataId !== b.dataId) this.refresh(b);
        const source = storage(owner(tf, g.dataId), g.dataId, b.param.size);
        b.param.grad.set(source ?? (g.dataSync()));
      }
      if (this.maxNorm !== undefined) {
        const active = excluded.length === 0 ? this.params : this.params.filter((p) => !excluded.includes(p));
        if (active.length > 0) clipGradNorm(active, this.maxNorm);
      }
      const stepped = excluded.length === 0 ? inner.step() : inner.step({ exclude: excluded });
      for (let i = 0; i < this.bindings.length; i++) if (grads[i] !== null) this.writeBack(this.bindings[i]);
      if (stepped !== false) this.sched?.step();
      this.incrementIterations();
    }

    /** The gradients as [variable name, tensor] pairs, in the caller's order. */
    private named(variableGradients: NamedTensorMap | NamedTensor[]): [string, Tensor | null][] {
      if (Array.isArray(variableGradients)) {
        return variableGradients.map((x, i) => {
          if (x === null || typeof x !== 'object' || typeof x.name !== 'string') {
            throw error(`variableGradients[${i}]: expected { name, tensor }`, `variableGradients[${i}]`);
          }
          return [x.name, x.tensor ?? null];
        });
      }
      if (variableGradients === null || typeof variableGradients !== 'object') {
        throw error('variableGradients: expected a map { variableName: gradient } or an array of { name, tensor }', 'variableGradients');
      }
      return Object.keys(variableGradients).map((name) => [name, variableGradients[name] ?? null]);
    }

    /** The registered variable `name`, or a SimdoptError. */
    private lookup(name: string): Variable {
      const v = (tf.engine() as unknown as { registeredVariables: Record<string, Variable> }).registeredVariables[name];
      if (v === undefined) throw error(`a gradient for '${name}', which is no registered tf.Variable`, name);
      return v;
    }

    private checkVariable(v: Variable, where: string): void {
      if (v === null || typeof v !== 'object' || typeof (v as { assign?: unknown }).assign !== 'function') {
        throw error(`${where}: expected a tf.Variable`, where);
      }
      if (v.isDisposed) throw error(`${where}: variable '${v.name}' is disposed`, where);
      if (v.dtype !== 'float32') throw error(`${where}: variable '${v.name}' has dtype ${v.dtype}; simdopt trains float32 variables`, where);
    }

    /** Matches the gradients to the bindings (null where a variable has none), checking all. */
    private collect(named: [string, Tensor | null][]): (Tensor | null)[] {
      const grads = this.grads;
      grads.length = this.bindings.length;
      grads.fill(null);
      for (const [name, g] of named) {
        // minimize(f, _, varList) lists varList's non-trainable variables with no gradient.
        if (g === null) continue;
        const b = this.byName.get(name);
        if (b === undefined) {
          throw error(
            `a gradient for variable '${name}', which was not among the variables of the first update ` +
              `(${this.bindings.length} variables, made then); build a new tfjsOptimizer for a new set of variables`,
            name,
          );
        }
        if (b.variable.isDisposed) throw error(`variable '${name}' is disposed`, name);
        if (!sameShape(b.variable.shape, b.param.shape)) {
          throw error(`variable '${name}' changed shape from [${b.param.shape.join(', ')}] to [${b.variable.shape.join(', ')}]`, name);
        }
        if (!sameShape(g.shape, b.param.shape)) {
          throw error(`the gradient of '${name}' has shape [${g.shape.join(', ')}], expected [${b.param.shape.join(', ')}]`, name);
        }
        if (g.isDisposed) throw error(`the gradient of '${name}' is disposed`, name);
        grads[b.index] = g;
      }
      return grads;
    }

    /** Throws (before any change) when the simdopt backend was replaced or a Parameter disposed. */
    private checkUsable(): void {
      try {
        for (const p of this.params) void p.grad;
      } catch (e) {
        if (e instanceof SimdoptError) throw error(`${e.message}; the model is unchanged`, e.argument ?? 'simdopt');
        throw e;
      }
    }

    /** The current values of `v`, as a Float32Array (not kept). */
    private read(v: Variable): Float32Array {
      return storage(owner(tf, v.dataId), v.dataId, v.size) ?? (v.dataSync() as Float32Array);
    }

    /** Reads a variable that was assigned since simdopt last wrote it into its Parameter. */
    private refresh(b: Binding): void {
      b.param.data.set(this.read(b.variable));
      b.dataId = b.variable.dataId;
    }

    /** One copy: into a new tensor (tfjs-backend-wasm copies `param.data` into its heap; other
     *  backends keep the array they are given, so they get a copy), then `assign`. */
    private writeBack(b: Binding): void {
      const v = b.variable;
      const values = copiesOnWrite(tf.engine().backend) ? b.param.data : b.param.data.slice();
      const t = tf.tensor(values, v.shape, 'float32');
      v.assign(t);
      t.dispose();
      b.dataId = v.dataId;
    }

    getConfig(): ConfigDict {
      const inner = this.inner;
      if (inner === undefined) {
        throw error('getConfig: the simdopt optimizer is made at the first update; train (or bind) before saving', 'getConfig');
      }
      if (inner.paramGroups.length !== 1) {
        throw error("getConfig: tfjs's config carries one set of options; this optimizer has several param groups — save optimizer.simdopt.stateDict() instead", 'getConfig');
      }
      const { params: _params, initialLr: _initialLr, ...options } = inner.paramGroups[0] as Record<string, unknown>;
      for (const [key, value] of Object.entries(options)) {
        if (typeof value === 'function') {
          throw error(`getConfig: option '${key}' is a function, which tfjs's config cannot carry — save optimizer.simdopt.stateDict() instead`, key);
        }
      }
      // The state dict's class name, not constructor.name (which a minifier may rename).
      const config: SavedConfig = { optimizer: inner.stateDict().optimizer, options, clipGradNorm: this.maxNorm ?? null };
      return config as unknown as ConfigDict;
    }

    /**
     * [iterations, 'simdopt/state']: the second is a string tensor holding `saveState()` of the
     * simdopt state dict and the scheduler's (lossless, every float32 bit).
     */
    async getWeights(): Promise<NamedTensor[]> {
      const inner = this.inner;
      if (inner === undefined) return [await this.saveIterations()];
      const text = saveState({ optimizer: inner.stateDict(), scheduler: this.sched?.stateDict() });
      return [await this.saveIterations(), { name: STATE_WEIGHT, tensor: tf.scalar(text, 'string') }];
    }

    async setWeights(weightValues: NamedTensor[]): Promise<void> {
      if (!Array.isArray(weightValues)) throw error('setWeights: expected the array getWeights() returned', 'weightValues');
      const found = weightValues.find((w) => w?.name === STATE_WEIGHT);
      if (weightValues.length > 1 && found === undefined) {
        throw error(`setWeights: these weights hold no '${STATE_WEIGHT}' (they come from another optimizer class)`, 'weightValues');
      }
      let saved: { optimizer: OptimizerState; scheduler?: unknown } | undefined;
      if (found) {
        const bytes = (await found.tensor.data()) as unknown as (string | Uint8Array)[];
        const text = typeof bytes[0] === 'string' ? bytes[0] : new TextDecoder().decode(bytes[0]);
        saved = loadState(text);
      }
      if (saved && this.inner) {
        this.inner.loadStateDict(saved.optimizer);
        if (saved.scheduler !== undefined) this.sched?.loadStateDict(saved.scheduler as never);
      } else if (saved) {
        this.pending = saved;
      }
      if (weightValues.length > 0) await this.extractIterations(weightValues);
    }

    dispose(): void {
      this.disposed = true;
      this.inner?.dispose();
      for (const b of this.bindings) b.param.dispose();
      this.bindings = [];
      this.params = [];
      this.byName.clear();
      this.inner = undefined;
      this.sched = undefined;
      super.dispose();
    }

    /** Rebuilds from `getConfig()` output (tfjs's `loadLayersModel` with a training config). */
    static fromConfig<T>(_cls: unknown, config: ConfigDict): T {
      const c = config as unknown as SavedConfig;
      const Opt = (simdopt as unknown as Record<string, unknown>)[c?.optimizer];
      if (typeof Opt !== 'function' || !(Opt.prototype instanceof Optimizer)) {
        throw error(`fromConfig: '${String(c?.optimizer)}' is no simdopt optimizer class`, 'config.optimizer');
      }
      const Ctor = Opt as new (params: Parameter[], options: Record<string, unknown>) => AnyOptimizer;
      return new SimdoptOptimizer((params) => new Ctor(params, c.options ?? {}), undefined, c.clipGradNorm ?? undefined) as T;
    }
  }

  tf.serialization.registerClass(SimdoptOptimizer);
  const cls = SimdoptOptimizer as unknown as new (...args: never[]) => SimdoptTfjsOptimizer;
  classes.set(tf.Optimizer, cls);
  return cls;
}
