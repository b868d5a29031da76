/**
 * The base of every optimizer: param groups with per-group options (param-groups.ts), state in
 * backend memory (state-store.ts), one kernel call per group and step over a cached table of
 * tensors (step-plan.ts; PyTorch's multi-tensor apply), and PyTorch-shaped state dicts.
 *
 * A subclass supplies the kernel, its option schema (or, old style, its defaults and
 * `checkOptions`), the names of the state slots the current options need, and the argument
 * block for a step (the per-step scalars, computed here in float64 as PyTorch computes them in
 * Python). CONTRIBUTING.md, "Adding an optimizer", walks through one.
 */
import type { Backend, Handle, OptimizerKernel, TensorTable } from '../backend/backend.js';
import { count, fail, SimdoptError } from '../errors.js';
import { checkParameter, type Parameter } from '../parameter.js';
import { gradFiniteKernel } from '../reduce.js';
import { reclaimable, reclaimer, release, type Reclaimable } from '../reclaim.js';
import { backend, checkBackend, isActive } from '../runtime.js';
import { checkBoolean } from '../validate.js';
import { checkKnownKeys, GROUP_FIELDS } from '../options/known-keys.js';
import { checkAgainst, defaultsOf, keysOf, type Schema } from '../options/schema.js';
import {
  buildGroup,
  cloneOptions,
  excludedSet,
  groupInputs,
  sameOptions,
  snapshotOptions,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
} from './param-groups.js';
import { NO_FRESH, NO_SCALARS, slotLength, StateStore, type ParamState } from './state-store.js';
import { sameSlots, splitRuns, tableEntries, type CachedTable, type FastGroup, type GroupPlan } from './step-plan.js';

export type { ParamGroup, ParamGroupInput, ParamsInput };
import { trackObject } from '../warnings.js';
import { normalizeStateDict, toTorchStateDict, type TorchOptimizerState } from './state_interop.js';

/** Options every optimizer takes. */
export interface BaseOptions {
  lr: number;
  /**
   * When true, a step whose gradients hold NaN or ±Infinity changes nothing and returns false.
   * @default false
   */
  skipNonFinite: boolean;
}

/** Optimizer state as `stateDict()` returns it (PyTorch's names and layout). */
export interface OptimizerState {
  version: number;
  /** The optimizer class (`'Adam'`, `'SGD'`, …). */
  optimizer: string;
  /** Per parameter (numbered across groups in order): `step` and the state slots. */
  state: Record<number, Record<string, number | Float32Array | number[]>>;
  /** Group options, with `params` as parameter indices. */
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

/** Version of the state dict format written by `stateDict()`. */
export const STATE_DICT_VERSION = 1;

/** Per-step facts about one parameter that the argument block may depend on. */
export interface StepContext {
  /** The parameter's step counter after this step's increment (first step: 1). */
  step: number;
  /** Names of state slots created for this step (SGD's first momentum step copies the gradient). */
  fresh: ReadonlySet<string>;
  /**
   * The parameter's scalar state (see `initialScalars`) before this step. `writeArgs` replaces
   * the values it advances; they are kept once the kernel has run.
   */
  scalars: Record<string, number>;
}

/** How an optimizer's state comes to life, for the few that differ from PyTorch's usual. */
export interface OptimizerTraits {
  /**
   * Create each parameter's state when it is registered (constructor, `addParamGroup`, and
   * `loadStateDict` for parameters the dict has no state for) rather than at its first step,
   * as PyTorch's Adagrad does. Default false.
   */
  stateAtRegistration?: boolean;
  /**
   * The optimizer's option schema (src/options/schema.ts). With one, the constructor's second
   * argument is the caller's options: unknown keys are refused, the schema's defaults fill the
   * rest, and every group is checked against the schema before `checkOptions` (which then holds
   * only the checks across options). Without one, the second argument is the full defaults and
   * their keys are the allowed options.
   */
  schema?: Schema;
  /**
   * Keys the optimizer itself keeps in its param groups besides the options (as Schedule-Free
   * keeps running sums there in PyTorch): accepted by the unknown-key check, never defaulted.
   */
  groupFields?: readonly string[];
}

export interface StepOptions {
  /** Parameters to leave untouched this step, as if their gradient were None in PyTorch. */
  exclude?: Iterable<Parameter>;
}

const NO_ARGS = new Float32Array(0);

/** One kernel call of a step: a table of a group's parameters that share one step context. */
export interface GroupRun<O extends BaseOptions> {
  readonly group: ParamGroup<O>;
  readonly table: TensorTable;
  readonly states: readonly ParamState[];
  /** The parameters of `table`, in its order (what a `runStep` override steps). */
  readonly params: readonly Parameter[];
}

export abstract class Optimizer<O extends BaseOptions> {
  /** The options a group gets where it does not set its own. */
  readonly defaults: O;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** The class name in state dicts (default: the schema's name; old-style classes set it). */
  protected readonly kind: string;
  /** The kernel that steps this optimizer's groups. */
  protected abstract readonly kernel: OptimizerKernel;
  /** Whether PyTorch keeps a `step` counter in this optimizer's state (SGD does not). */
  protected readonly hasStepCounter: boolean = true;
  /**
   * Whether a step is the element-wise kernel over each run's table. False where `runStep` is
   * overridden: the table then carries only values and gradients (for skipNonFinite).
   */
  protected readonly elementwise: boolean = true;
  /**
   * Every state slot name this optimizer may keep (for loadStateDict). `slotNames` may add
   * scratch slots after them (in the block, never in state dicts).
   */
  protected abstract readonly slotNamesAll: readonly string[];

  /** The backend this optimizer's state and tables live on. */
  protected readonly backend: Backend;
  private readonly stateAtRegistration: boolean;
  private readonly schema: Schema | undefined;
  /** The option keys a group may hold. */
  private readonly optionKeys: readonly string[];
  /** Other keys a group may hold: `params`, the schedulers' fields, the traits' `groupFields`. */
  private readonly groupFields: readonly string[];
  /** The class name for errors (the constructor runs before the subclass sets `kind`). */
  private readonly label: string;
  private readonly held: Reclaimable;
  private readonly state: StateStore;
  private readonly tables = new WeakMap<object, CachedTable[]>();
  private disposed = false;
  /** What `step()` re-uses while groups, parameters and state layouts stay as they were. */
  private fast: FastGroup<O>[] | null = null;
  /** The `workspace` block (null until a `runStep` override asks for one). */
  private work: Handle | null = null;
  private workLength = 0;
  /** The kernel calls of `fast`, made once. */
  private fastRuns: GroupRun<O>[] | null = null;

  /**
   * `options`: with `traits.schema`, the caller's options (the schema supplies the defaults);
   * without (old style), the full defaults, caller's options merged in by the subclass.
   */
  constructor(params: ParamsInput<O>, options: O | Partial<O>, traits: OptimizerTraits = {}) {
    this.backend = backend();
    const schema = (this.schema = traits.schema);
    this.label = this.kind = schema?.name ?? new.target.name;
    if (schema !== undefined) {
      if (options === null || typeof options !== 'object' || Array.isArray(options)) fail('options', 'an options object', options);
      this.optionKeys = keysOf(schema);
      checkKnownKeys(options, this.optionKeys, '', this.label);
      this.defaults = { ...defaultsOf(schema), ...cloneOptions(options) } as O;
    } else {
      this.defaults = options as O;
      this.optionKeys = Object.keys(options);
    }
    this.groupFields = [...GROUP_FIELDS, ...(traits.groupFields ?? [])];
    this.stateAtRegistration = traits.stateAtRegistration ?? false;
    this.held = reclaimable(this.backend);
    this.state = new StateStore(this.backend, this.held, (name, p) => this.slotShape(name, p));
    reclaimer?.register(this, this.held, this);
    // A static function, not an arrow here: an arrow would share (and keep alive) this constructor's context.
    trackObject(this.backend, this, Optimizer.undisposed);
    const inputs = groupInputs(params);
    // The defaults alone first, so a bad option is named as the caller wrote it (`lr`).
    this.checkGroup(this.defaults as ParamGroup<O>, '');
    // Build every group before keeping any, so a bad group leaves no half-built optimizer.
    const built: ParamGroup<O>[] = [];
    inputs.forEach((g, i) => built.push(buildGroup(g, `paramGroups[${i}]`, this.defaults, built, (g, w) => this.checkGroup(g, w))));
    if (this.stateAtRegistration) this.ensureState(built.map((group) => this.planAll(group)));
    this.paramGroups.push(...built);
  }

  /**
   * Checks one group's options; `where` prefixes the option names in errors. With a schema, only
   * what the schema cannot say (checks across options, such as SGD's Nesterov rule).
   */
  protected checkOptions(_group: O, _where: string): void {}
  /** State slots (in kernel slot order) that `group`'s options need (default: all of them). */
  protected slotNames(_group: O): readonly string[] {
    return this.slotNamesAll;
  }
  /** Writes the kernel's argument block for `group` at `ctx`. */
  protected abstract writeArgs(args: Float32Array, group: O, ctx: StepContext): void;
  /** Initial contents of a new state slot (default zeros, already there). */
  protected initSlot(_name: string, _group: O, _view: Float32Array): void {}
  /**
   * Per-parameter scalar state besides `step` (PyTorch's 0-dim state tensors, such as NAdam's
   * `mu_product`) and the values it starts from. Exported in state dicts as numbers. A method,
   * not a field, because the constructor may already create state.
   */
  protected initialScalars(): Readonly<Record<string, number>> {
    return NO_SCALARS;
  }

  // --- Optimizers that are not one element-wise kernel (Adafactor, Muon; CONTRIBUTING.md) ---
  /**
   * The shape of state slot `name` for `p` (PyTorch's shape of that state tensor: state dicts in
   * PyTorch's format nest it so), or null when `p` has no such slot (left out of state dicts).
   * Default: the parameter's shape. Used by state-store.ts for the block layout.
   */
  protected slotShape(_name: string, p: Parameter): readonly number[] | null {
    return p.shape;
  }
  /**
   * Runs one step of the run `params` (parameters with the same step context, sharing `args`).
   * Default: the element-wise kernel over the run's table. An override also sets `elementwise`
   * to false, reads state through `slotView` and scratch memory through `workspace`; `args` is
   * the backend's scratch and may detach when memory grows, so read it before allocating.
   */
  protected runStep(table: TensorTable, args: Float32Array, _params: readonly Parameter[]): void {
    this.backend.runOptimizer(this.kernel, table, args);
  }
  /** For `runStep` overrides: the view of `p`'s state slot `name` (null when it has none). */
  protected slotView(p: Parameter, name: string): Float32Array | null {
    return this.state.slot(p, name) ?? null;
  }
  /**
   * For `runStep` overrides: a scratch view of `length` f32, kept between steps (grown, never
   * shrunk) and freed with the optimizer. Take it before any other view: growing wasm memory
   * detaches views taken earlier.
   */
  protected workspace(length: number): Float32Array {
    if (this.work === null || length > this.workLength) {
      const block = this.backend.alloc(Math.max(length, 1));
      this.held.blocks.add(block);
      if (this.work !== null) this.state.freeBlock(this.work);
      this.work = block;
      this.workLength = length;
    }
    return this.backend.f32(this.work, 0, length);
  }

  /** Adds a group of parameters with its own options (as PyTorch's `add_param_group`). */
  addParamGroup(group: ParamGroupInput<O>): void {
    this.checkUsable();
    const built = buildGroup(group, 'paramGroup', this.defaults, this.paramGroups, (g, w) => this.checkGroup(g, w));
    this.fast = this.fastRuns = null;
    if (this.stateAtRegistration) this.ensureState([this.planAll(built)]);
    this.paramGroups.push(built);
  }

  /**
   * One fused update of every parameter that requires grad, from its `.grad`.
   * Returns false only when `skipNonFinite` skipped a step with a non-finite gradient.
   */
  step(options?: StepOptions): boolean {
    this.checkUsable();
    if (options !== undefined && (options === null || typeof options !== 'object')) fail('options', 'an object { exclude? }', options);
    if (options?.exclude === undefined && this.fast !== null) {
      const done = this.fastStep(this.fast);
      if (done !== undefined) return done;
    }
    this.fast = this.fastRuns = null;
    const excluded = excludedSet(options?.exclude);
    // 1. Check everything before touching memory.
    const plans = this.paramGroups.map((group, gi): GroupPlan<O> => {
      const where = `paramGroups[${gi}]`;
      this.checkGroup(group, `${where}.`);
      group.params.forEach((p, pi) => checkParameter(`${where}.params[${pi}]`, p));
      const active = group.params.filter((p) => p.requiresGrad && !excluded.has(p));
      return { group, active, slots: this.slotNames(group) };
    });
    if (plans.some((p) => p.group.skipNonFinite) && !this.gradsFinite(plans.flatMap((p) => p.active))) return false;
    // 2. Allocate missing state for every group (all or nothing).
    this.ensureState(plans);
    // 3. Run one kernel call per group (per run of equal step contexts).
    this.runGroups(plans.flatMap(({ group, active }) => this.stepGroup(group, active)));
    if (excluded.size === 0) this.fast = this.planFastSteps(plans);
    return true;
  }

  /**
   * The common step, without re-planning: the groups, their parameters (same memory, same
   * requiresGrad) and their state layouts are as at the last full step, and each group's active
   * parameters share one step context. Options may have changed (a scheduler writes `lr` every
   * step): a changed group is re-checked before anything is written. Returns undefined when the
   * full path must run instead.
   */
  private fastStep(fast: FastGroup<O>[]): boolean | undefined {
    const groups = this.paramGroups;
    if (fast.length !== groups.length) return undefined;
    let checkFinite = false;
    for (let gi = 0; gi < fast.length; gi++) {
      const f = fast[gi];
      const group = groups[gi];
      const params = group.params;
      if (group !== f.group || params.length !== f.params.length) return undefined;
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        if (p !== f.params[i] || p.handle !== f.handles[i] || p.requiresGrad !== f.requires[i]) return undefined;
      }
      if (!sameOptions(group, f.options)) {
        this.checkGroup(group, `paramGroups[${gi}].`);
        if (!sameSlots(this.slotNames(group), f.slots)) return undefined;
        f.options = snapshotOptions(group);
      }
      checkFinite ||= group.skipNonFinite;
    }
    if (checkFinite) {
      // One vectorised pass per group over the table the step is about to use.
      let sum = 0;
      for (const f of fast) if (f.table !== null) sum += this.backend.runTableTensors(gradFiniteKernel, f.table, NO_ARGS);
      if (sum !== 0) return false;
    }
    this.runGroups((this.fastRuns ??= fast.flatMap((f) => (f.table === null ? [] : [{ group: f.group, table: f.table, states: f.states, params: f.active }]))));
    return true;
  }

  /**
   * Runs a step's kernel calls, in group order (both paths end here). Optimizers whose step needs
   * sums over every group before any parameter moves (Prodigy) override it.
   */
  protected runGroups(runs: readonly GroupRun<O>[]): void {
    for (let i = 0; i < runs.length; i++) this.runKernel(runs[i]);
  }

  /**
   * The one run loop of both paths: writes the argument block of `group` at the step context of
   * `states` (equal by construction) straight into the backend's scratch, runs the kernel over
   * `table`, and advances the states.
   */
  private runKernel({ group, table, states, params }: GroupRun<O>): void {
    const first = states[0];
    // Optimizers without scalar state share the frozen empty record: nothing to copy.
    const scalars = first.scalars === NO_SCALARS ? NO_SCALARS : { ...first.scalars };
    const ctx: StepContext = { step: first.step + 1, fresh: first.fresh, scalars: scalars };
    const args = this.backend.optimizerArgs();
    this.writeArgs(args, group, ctx);
    this.runStep(table, args, params);
    for (let i = 0; i < states.length; i++) {
      const s = states[i];
      s.step = ctx.step;
      s.scalars = scalars;
      s.fresh = NO_FRESH;
    }
  }

  /** The fast-step plan after a full step, or null when some group needs more than one run. */
  private planFastSteps(plans: GroupPlan<O>[]): FastGroup<O>[] | null {
    const fast: FastGroup<O>[] = [];
    for (const { group, active, slots } of plans) {
      const cache = this.tables.get(group);
      const table = active.length > 0 ? cache?.[0] : undefined;
      if (active.length > 0 && (!table || cache!.length !== 1 || table.params.length !== active.length)) return null;
      fast.push({
        group,
        params: [...group.params],
        handles: group.params.map((p) => p.handle),
        requires: group.params.map((p) => p.requiresGrad),
        options: snapshotOptions(group),
        slots,
        active,
        states: active.map((p) => this.state.get(p)!),
        table: table?.table ?? null,
      });
    }
    return fast;
  }

  /** Sets every gradient of every group to zero. */
  zeroGrad(): void {
    this.checkUsable();
    // Every parameter first: a disposed one must not leave the others half zeroed.
    this.paramGroups.forEach((g, gi) => g.params.forEach((p, pi) => checkParameter(`paramGroups[${gi}].params[${pi}]`, p)));
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad();
  }

  /**
   * The state as PyTorch's `state_dict()` lays it out; payloads are copies. With `{ format:
   * 'torch' }` exactly PyTorch's layout (`{ state, param_groups }`, snake_case options, payloads
   * as nested lists), ready for `json.dumps` and `optimizer.load_state_dict` in Python.
   */
  stateDict(options?: { format?: 'simdopt' }): OptimizerState;
  stateDict(options: { format: 'torch' }): TorchOptimizerState;
  stateDict(options?: { format?: 'simdopt' | 'torch' }): OptimizerState | TorchOptimizerState {
    this.checkUsable();
    const format = options?.format ?? 'simdopt';
    if (format !== 'simdopt' && format !== 'torch') fail('options.format', "'simdopt' or 'torch'", format);
    if (format === 'torch') {
      const params = this.paramGroups.flatMap((g) => g.params);
      return toTorchStateDict(this.stateDict(), (i, name) => this.slotShape(name, params[i]) ?? params[i].shape);
    }
    const state: OptimizerState['state'] = {};
    const paramGroups: OptimizerState['paramGroups'] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const ids: number[] = [];
      for (const p of group.params) {
        const s = this.state.get(p);
        const scalarNames = s ? Object.keys(s.scalars) : [];
        if (s && (s.slots.length > 0 || scalarNames.length > 0 || (this.hasStepCounter && s.step > 0))) {
          const entry: Record<string, number | Float32Array> = {};
          if (this.hasStepCounter) entry.step = s.step;
          for (const name of scalarNames) entry[name] = s.scalars[name];
          for (const name of s.slots) {
            // Scratch slots a kernel keeps beside its state (LAMB's `update`) are not state.
            if (!this.slotNamesAll.includes(name)) continue;
            const v = this.state.slot(p, name);
            if (v !== undefined) entry[name] = v.slice();
          }
          state[index] = entry;
        }
        ids.push(index++);
      }
      paramGroups.push({ ...cloneOptions(this.groupOptions(group)), params: ids });
    }
    return { version: STATE_DICT_VERSION, optimizer: this.kind, state, paramGroups };
  }

  /**
   * A group's fields as a state dict writes them: its options in the schema's order (PyTorch's
   * keyword order), then the declared group fields it holds (schedulers' `initialLr`, …, and the
   * optimizer's own, as Prodigy's d); nothing else (an unknown key is refused by `step()`).
   */
  private groupOptions(group: ParamGroup<O>): Record<string, unknown> {
    const g = group as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of this.optionKeys) if (k in g) out[k] = g[k];
    for (const k of this.groupFields) if (k !== 'params' && k in g) out[k] = g[k];
    return out;
  }

  /**
   * Restores `stateDict()` output — also with payloads as number arrays, after plain JSON, or a
   * PyTorch `optimizer.state_dict()` exported as JSON (state_interop.ts). Checks everything first.
   */
  loadStateDict(saved: OptimizerState | TorchOptimizerState): void {
    this.checkUsable();
    const s = normalizeStateDict(saved, this.kind, STATE_DICT_VERSION, this.paramGroups as unknown as readonly Record<string, unknown>[]) as Record<string, unknown>;
    if (s === null || typeof s !== 'object') fail('stateDict', 'an object from stateDict()', s);
    if (s.version !== STATE_DICT_VERSION) fail('stateDict.version', String(STATE_DICT_VERSION), s.version);
    if (s.optimizer !== this.kind) fail('stateDict.optimizer', `'${this.kind}'`, s.optimizer);
    const groups = s.paramGroups;
    if (!Array.isArray(groups) || groups.length !== this.paramGroups.length) {
      fail('stateDict.paramGroups', count(this.paramGroups.length, 'group'), groups);
    }
    if (s.state === null || typeof s.state !== 'object') fail('stateDict.state', 'an object', s.state);
    const params = this.paramGroups.flatMap((g) => g.params);
    const newGroups = groups.map((g: Record<string, unknown>, gi: number) => {
      const where = `stateDict.paramGroups[${gi}]`;
      const mine = this.paramGroups[gi];
      if (g === null || typeof g !== 'object' || !Array.isArray(g.params) || g.params.length !== mine.params.length) {
        fail(`${where}.params`, count(mine.params.length, 'parameter'), g?.params);
      }
      const { params: _ids, ...options } = g;
      const merged = { ...cloneOptions(options), params: mine.params } as ParamGroup<O>;
      this.checkGroup(merged, `${where}.`);
      return merged;
    });
    // Which group each parameter index belongs to, for its slot layout.
    const groupOf = newGroups.flatMap((g) => g.params.map(() => g));
    const initialScalars = this.initialScalars();
    type Loaded = { p: Parameter; group: ParamGroup<O>; step: number; slots: string[]; values: ArrayLike<number>[]; scalars: Record<string, number> };
    const loaded = new Map<Parameter, Loaded>();
    for (const [key, entry] of Object.entries(s.state as Record<string, Record<string, unknown>>)) {
      const where = `stateDict.state[${key}]`;
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= params.length) fail(where, `a parameter index below ${params.length}`, key);
      if (entry === null || typeof entry !== 'object') fail(where, 'an object of state tensors', entry);
      const p = params[i];
      const step = this.hasStepCounter ? entry.step : 0;
      if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) fail(`${where}.step`, 'an integer >= 0', step);
      const scalars = { ...initialScalars };
      for (const name of Object.keys(entry)) {
        if (name === 'step' && this.hasStepCounter) continue;
        if (Object.hasOwn(initialScalars, name)) {
          const x = entry[name];
          if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${where}.${name}`, 'a finite number', x);
          scalars[name] = x;
          continue;
        }
        const known = [...this.slotNamesAll, ...Object.keys(initialScalars)];
        if (!this.slotNamesAll.includes(name)) fail(`${where}.${name}`, `one of ${known.join(', ')}`, name);
        const v = entry[name] as ArrayLike<number>;
        const shape = this.slotShape(name, p);
        if (shape === null) fail(`${where}.${name}`, `no ${name} (parameter ${i} of shape [${p.shape.join(', ')}] has none)`, v);
        const len = slotLength(shape);
        const ok = (v instanceof Float32Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) && v.length === len;
        if (!ok) fail(`${where}.${name}`, `a Float32Array or number[] of length ${len}`, v);
      }
      const slots = [...this.slotNames(groupOf[i])];
      loaded.set(p, { p, group: groupOf[i], step, slots, values: slots.map((n) => entry[n] as ArrayLike<number>), scalars });
    }
    // Parameters the dict has no state for start afresh, where state exists from registration.
    if (this.stateAtRegistration) {
      params.forEach((p, i) => {
        if (!loaded.has(p)) loaded.set(p, { p, group: groupOf[i], step: 0, slots: [...this.slotNames(groupOf[i])], values: [], scalars: { ...initialScalars } });
      });
    }
    // Allocate every block before changing anything.
    const entries = [...loaded.values()];
    const blocks = this.state.allocate(entries);
    // Commit.
    this.fast = this.fastRuns = null;
    this.state.clear();
    this.dropTables();
    newGroups.forEach((g, gi) => {
      const target = this.paramGroups[gi] as unknown as Record<string, unknown>;
      for (const k of Object.keys(target)) if (k !== 'params') delete target[k];
      Object.assign(target, g);
    });
    entries.forEach((l, i) => {
      const fresh = this.state.fill(l.p, blocks[i], l.slots, (_name, k) => l.values[k], (name, view) => this.initSlot(name, l.group, view));
      this.state.set(l.p, { step: l.step, block: blocks[i], slots: l.slots, fresh, scalars: l.scalars });
    });
  }

  /**
   * Runs this optimizer's kernel once with `args` over every parameter of `group` that has state
   * (values, gradient and state as in a step; step counters and scalar state do not change).
   * For operations between steps that move the values from the state: Schedule-Free's
   * `train()` / `eval()`.
   */
  protected runOverState(group: ParamGroup<O>, args: Float32Array): void {
    this.checkUsable();
    const gi = this.paramGroups.indexOf(group);
    group.params.forEach((p, pi) => checkParameter(`paramGroups[${gi}].params[${pi}]`, p));
    const params = group.params.filter((p) => this.state.get(p)?.block != null);
    if (params.length === 0) return;
    // A one-off table: the step's cached tables cover only the parameters that last stepped.
    const table = this.backend.createTable(tableEntries(params, params.map((p) => this.state.get(p)!)));
    try {
      this.backend.runOptimizer(this.kernel, table, args);
    } finally {
      table.dispose();
    }
  }

  /** Frees the optimizer's state (never the parameters); idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.fast = this.fastRuns = null;
    reclaimer?.unregister(this);
    release(this.held);
    this.work = null;
    this.state.forget();
  }

  private static undisposed(this: void, o: Optimizer<BaseOptions>): boolean {
    return !o.disposed;
  }

  /** @internal Throws SimdoptError when the optimizer is disposed or its backend was replaced (schedulers call it). */
  assertUsable(): void {
    this.checkUsable();
  }

  /** Whether every gradient of `params` is finite: one vectorised pass (reduce.ts `gradFiniteKernel`). */
  private gradsFinite(params: Parameter[]): boolean {
    return params.length === 0 || this.backend.runTensors(gradFiniteKernel, params, NO_ARGS) === 0;
  }

  private checkUsable(): void {
    if (this.disposed) throw new SimdoptError(`${this.kind}: the optimizer is disposed`, 'optimizer');
    if (!isActive(this.backend)) checkBackend(this.backend, `${this.kind} optimizer`);
  }

  /** A plan that creates state for every parameter of `group` (state at registration). */
  private planAll(group: ParamGroup<O>): GroupPlan<O> {
    return { group, active: group.params, slots: this.slotNames(group) };
  }

  /** Unknown keys, then the schema, then the subclass's checks (LBFGS calls it from its own step and loadStateDict). */
  protected checkGroup(group: ParamGroup<O>, where: string): void {
    checkKnownKeys(group, this.optionKeys, where, this.label, this.groupFields);
    if (this.schema !== undefined) checkAgainst(this.schema, group as unknown as Record<string, unknown>, where);
    this.checkOptions(group, where);
    checkBoolean(`${where}skipNonFinite`, group.skipNonFinite);
  }

  /** Creates or re-lays-out the state of every active parameter; nothing changes on failure. */
  private ensureState(plans: GroupPlan<O>[]): void {
    const pending: { p: Parameter; group: ParamGroup<O>; slots: readonly string[] }[] = [];
    for (const { group, active, slots } of plans) {
      for (const p of active) {
        const s = this.state.get(p);
        if (!s || !sameSlots(s.slots, slots)) pending.push({ p, group, slots });
      }
    }
    const blocks = this.state.allocate(pending);
    pending.forEach(({ p, group, slots }, i) => {
      const old = this.state.get(p);
      const fresh = this.state.fill(p, blocks[i], slots, (name) => this.state.slot(p, name), (name, view) => this.initSlot(name, group, view));
      this.state.replace(p, { step: old?.step ?? 0, block: blocks[i], slots, fresh, scalars: old?.scalars ?? this.initialScalars() });
    });
  }

  /** The kernel calls of one group's step (tables built or re-used, nothing run). */
  private stepGroup(group: ParamGroup<O>, active: Parameter[]): GroupRun<O>[] {
    if (active.length === 0) return [];
    const states = active.map((p) => this.state.get(p)!);
    const cache = this.tables.get(group) ?? [];
    this.tables.set(group, cache);
    // Runs of parameters whose argument block is the same (usually all of them).
    const runs = splitRuns(active, states);
    const out = runs.map((run, r) => ({ group, table: this.tableFor(cache, r, run), states: run.map((p) => this.state.get(p)!), params: run }));
    for (let r = runs.length; r < cache.length; r++) this.disposeTable(cache[r].table);
    cache.length = Math.min(cache.length, runs.length);
    return out;
  }

  /** The cached table at position `r` if it still describes `run`, else a new one. */
  private tableFor(cache: CachedTable[], r: number, run: Parameter[]): TensorTable {
    const states = run.map((p) => this.state.get(p)!);
    const hit = cache[r];
    if (hit && hit.params.length === run.length && run.every((p, i) => hit.params[i] === p && hit.blocks[i] === states[i].block)) {
      return hit.table;
    }
    if (hit) this.disposeTable(hit.table);
    // A `runStep` override reads its state itself: its table carries values and gradients only.
    const table = this.backend.createTable(tableEntries(run, states, this.elementwise));
    this.held.tables.add(table);
    cache[r] = { params: run, blocks: states.map((s) => s.block), table };
    return table;
  }

  private disposeTable(t: TensorTable): void {
    t.dispose();
    this.held.tables.delete(t);
  }

  private dropTables(): void {
    for (const g of this.paramGroups) {
      for (const c of this.tables.get(g) ?? []) this.disposeTable(c.table);
      this.tables.delete(g);
    }
  }
}
