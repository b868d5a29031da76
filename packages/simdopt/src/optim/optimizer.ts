/**
 * The base of every optimizer: param groups with per-group options, per-parameter state in
 * backend memory, one kernel call per group and step (a table of tensors, PyTorch's multi-tensor
 * apply), and PyTorch-shaped state dicts.
 *
 * A subclass supplies the kernel, its option checks, the names of the state slots the current
 * options need, and the argument block for a step (the per-step scalars, computed here in
 * float64 as PyTorch computes them in Python).
 */
import type { Backend, Handle, OptimizerKernel, TensorTable } from '../backend/backend.js';
import { slotStride } from '../backend/backend.js';
import { fail, SimdoptError } from '../errors.js';
import { checkParameter, Parameter } from '../parameter.js';
import { gradFiniteKernel } from '../reduce.js';
import { reclaimable, reclaimer, release, type Reclaimable } from '../reclaim.js';
import { backend, checkBackend, isActive } from '../runtime.js';
import { checkBoolean } from '../validate.js';

/** Options every optimizer takes. */
export interface BaseOptions {
  lr: number;
  /** When true, a step whose gradients hold NaN or ±Infinity changes nothing and returns false. */
  skipNonFinite: boolean;
}

/** A param group: the parameters and the options they are stepped with (all writable). */
export type ParamGroup<O> = O & { params: Parameter[]; [extra: string]: unknown };

/** What the constructor and `addParamGroup` accept: parameters, or groups with option overrides. */
export type ParamGroupInput<O> = { params: Iterable<Parameter> } & Partial<O> & { [extra: string]: unknown };
export type ParamsInput<O> = Iterable<Parameter> | Iterable<ParamGroupInput<O>>;

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
}

export interface StepOptions {
  /** Parameters to leave untouched this step, as if their gradient were None in PyTorch. */
  exclude?: Iterable<Parameter>;
}

/** A parameter's state: step counter, a block holding its slots, and its scalar state. */
interface ParamState {
  step: number;
  block: Handle | null;
  slots: readonly string[];
  fresh: Set<string>;
  /** Never mutated in place: a step replaces the object (runs may share one). */
  scalars: Readonly<Record<string, number>>;
}

/** A cached table for a run of parameters with the same step context. */
interface CachedTable {
  params: Parameter[];
  blocks: (Handle | null)[];
  table: TensorTable;
}

/** One group of the fast-step plan: what must still hold, and what the step re-uses. */
interface FastGroup<O> {
  group: ParamGroup<O>;
  params: Parameter[];
  handles: Handle[];
  requires: boolean[];
  options: OptionSnapshot;
  slots: readonly string[];
  active: Parameter[];
  states: ParamState[];
  table: TensorTable | null;
}

/** A group's option values (arrays copied), to notice a change without re-checking everything. */
type OptionSnapshot = { keys: string[]; values: unknown[] };

function snapshotOptions(group: object): OptionSnapshot {
  const keys = Object.keys(group).filter((k) => k !== 'params');
  const g = group as Record<string, unknown>;
  return { keys, values: keys.map((k) => (Array.isArray(g[k]) ? [...(g[k] as unknown[])] : g[k])) };
}

function sameOptions(group: object, snap: OptionSnapshot): boolean {
  const g = group as Record<string, unknown>;
  const { keys, values } = snap;
  // for-in rather than g[keys[i]]: V8 reads `g[k]` inside a for-in over g through the enum
  // cache (a field load), where a keyed load with a different key per iteration goes through
  // the megamorphic stub cache. This runs every step: 65 -> 43 ns for Adam's eight options.
  let i = 0;
  for (const k in g) {
    if (k === 'params') continue;
    if (k !== keys[i]) return false;
    const now = g[k];
    const then = values[i++];
    if (now === then) continue;
    if (!Array.isArray(now) || !Array.isArray(then) || now.length !== then.length) return false;
    for (let j = 0; j < now.length; j++) if (!Object.is(now[j], then[j])) return false;
  }
  return i === keys.length;
}

const EMPTY = new Set<string>();
const NO_ARGS = new Float32Array(0);
const NO_SCALARS: Readonly<Record<string, number>> = Object.freeze({});

export abstract class Optimizer<O extends BaseOptions> {
  /** The options a group gets where it does not set its own. */
  readonly defaults: O;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** The class name in state dicts. */
  protected abstract readonly kind: string;
  /** The kernel that steps this optimizer's groups. */
  protected abstract readonly kernel: OptimizerKernel;
  /** Whether PyTorch keeps a `step` counter in this optimizer's state (SGD does not). */
  protected readonly hasStepCounter: boolean = true;
  /**
   * Whether a step is the element-wise kernel over each run's table. False where `runStep` is
   * overridden: the table then carries only values and gradients (for skipNonFinite).
   */
  protected readonly elementwise: boolean = true;
  /** Every state slot name this optimizer may keep (for loadStateDict). */
  protected abstract readonly slotNamesAll: readonly string[];

  private readonly backend: Backend;
  private readonly stateAtRegistration: boolean;
  private readonly state = new Map<Parameter, ParamState>();
  private readonly held: Reclaimable;
  private readonly tables = new WeakMap<object, CachedTable[]>();
  private args: Float32Array | null = null;
  private disposed = false;
  /** What `step()` re-uses while groups, parameters and state layouts stay as they were. */
  private fast: FastGroup<O>[] | null = null;

  constructor(params: ParamsInput<O>, defaults: O, traits: OptimizerTraits = {}) {
    this.backend = backend();
    this.defaults = defaults;
    this.stateAtRegistration = traits.stateAtRegistration ?? false;
    this.held = reclaimable(this.backend);
    reclaimer?.register(this, this.held, this);
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      fail('params', 'an iterable of Parameters or of param groups', params);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) fail('params', 'a non-empty list of Parameters', 'an empty list');
    const groups: ParamGroupInput<O>[] = list.every((x) => x instanceof Parameter)
      ? [{ params: list as Parameter[] } as unknown as ParamGroupInput<O>]
      : (list as ParamGroupInput<O>[]);
    // The defaults alone first, so a bad option is named as the caller wrote it (`lr`).
    this.checkGroup(defaults as ParamGroup<O>, '');
    // Build every group before keeping any, so a bad group leaves no half-built optimizer.
    const built: ParamGroup<O>[] = [];
    groups.forEach((g, i) => built.push(this.buildGroup(g, `paramGroups[${i}]`, built)));
    if (this.stateAtRegistration) this.ensureState(built.map((group) => this.planAll(group)));
    this.paramGroups.push(...built);
  }

  /** Checks one group's options; `where` prefixes the option names in errors. */
  protected abstract checkOptions(group: O, where: string): void;
  /** State slots (in kernel slot order) that `group`'s options need. */
  protected abstract slotNames(group: O): readonly string[];
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
  /**
   * Length of state slot `name` for `p`: its size, unless the state is shaped otherwise
   * (Adafactor's factored moments); 0 = the slot is unused for `p` and left out of state dicts.
   */
  protected slotLength(_name: string, p: Parameter): number {
    return p.size;
  }
  /**
   * Runs one step over `params` (one run sharing `args`). The default is the element-wise kernel
   * over the run's table; optimizers whose step is not element-wise (Adafactor, Muon) override it.
   */
  protected runStep(table: TensorTable, args: Float32Array, _params: readonly Parameter[]): void {
    this.backend.runOptimizer(this.kernel, table, args);
  }
  /** For `runStep` overrides: the view of `p`'s state slot `name` (null when it has none). */
  protected slotView(p: Parameter, name: string): Float32Array | null {
    const s = this.state.get(p);
    const k = s ? s.slots.indexOf(name) : -1;
    return k < 0 ? null : this.backend.f32(s!.block!, this.slotOffset(p, s!.slots, k), this.slotLength(name, p));
  }

  /** f32 offset of slot `k` of `slots` in `p`'s state block. */
  private slotOffset(p: Parameter, slots: readonly string[], k: number): number {
    let at = 0;
    for (let i = 0; i < k; i++) at += slotStride(this.slotLength(slots[i], p));
    return at;
  }

  /** Adds a group of parameters with its own options (as PyTorch's `add_param_group`). */
  addParamGroup(group: ParamGroupInput<O>): void {
    this.checkUsable();
    const built = this.buildGroup(group, 'paramGroup', this.paramGroups);
    this.fast = null;
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
    this.fast = null;
    const excluded = excludedSet(options?.exclude);
    // 1. Check everything before touching memory.
    const plans = this.paramGroups.map((group, gi) => {
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
    for (const { group, active } of plans) this.stepGroup(group, active);
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
    for (const f of fast) {
      if (f.table === null) continue;
      const first = f.states[0];
      // Optimizers without scalar state share the frozen empty record: nothing to copy.
      const scalars = first.scalars === NO_SCALARS ? NO_SCALARS : { ...first.scalars };
      const ctx: StepContext = { step: first.step + 1, fresh: EMPTY, scalars: scalars as Record<string, number> };
      const args = (this.args ??= new Float32Array(this.kernel.argsLength));
      this.writeArgs(args, f.group, ctx);
      this.runStep(f.table, args, f.active);
      const states = f.states;
      for (let i = 0; i < states.length; i++) {
        states[i].step = ctx.step;
        states[i].scalars = scalars;
      }
    }
    return true;
  }

  /** The fast-step plan after a full step, or null when some group needs more than one run. */
  private planFastSteps(plans: { group: ParamGroup<O>; active: Parameter[]; slots: readonly string[] }[]): FastGroup<O>[] | null {
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

  /** The state as PyTorch's `state_dict()` lays it out; payloads are copies. */
  stateDict(): OptimizerState {
    this.checkUsable();
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
          s.slots.forEach((name, k) => {
            const len = this.slotLength(name, p);
            if (len > 0) entry[name] = this.backend.f32(s.block!, this.slotOffset(p, s.slots, k), len).slice();
          });
          state[index] = entry;
        }
        ids.push(index++);
      }
      const { params: _params, ...options } = group;
      paramGroups.push({ ...cloneOptions(options), params: ids });
    }
    return { version: STATE_DICT_VERSION, optimizer: this.kind, state, paramGroups };
  }

  /** Restores `stateDict()` output (payloads may be number arrays). Checks everything first. */
  loadStateDict(saved: OptimizerState): void {
    this.checkUsable();
    const s = saved as unknown as Record<string, unknown>;
    if (s === null || typeof s !== 'object') fail('stateDict', 'an object from stateDict()', s);
    if (s.version !== STATE_DICT_VERSION) fail('stateDict.version', String(STATE_DICT_VERSION), s.version);
    if (s.optimizer !== this.kind) fail('stateDict.optimizer', `'${this.kind}'`, s.optimizer);
    const groups = s.paramGroups;
    if (!Array.isArray(groups) || groups.length !== this.paramGroups.length) {
      fail('stateDict.paramGroups', `${this.paramGroups.length} groups`, groups);
    }
    if (s.state === null || typeof s.state !== 'object') fail('stateDict.state', 'an object', s.state);
    const params = this.paramGroups.flatMap((g) => g.params);
    const newGroups = groups.map((g: Record<string, unknown>, gi: number) => {
      const where = `stateDict.paramGroups[${gi}]`;
      const mine = this.paramGroups[gi];
      if (g === null || typeof g !== 'object' || !Array.isArray(g.params) || g.params.length !== mine.params.length) {
        fail(`${where}.params`, `${mine.params.length} parameters`, g?.params);
      }
      const { params: _ids, ...options } = g;
      const merged = { ...cloneOptions(options), params: mine.params } as ParamGroup<O>;
      this.checkGroup(merged, `${where}.`);
      return merged;
    });
    // Which group each parameter index belongs to, for its slot layout.
    const groupOf = newGroups.flatMap((g) => g.params.map(() => g));
    const initialScalars = this.initialScalars();
    const loaded = new Map<
      Parameter,
      { step: number; slots: string[]; values: ArrayLike<number>[]; scalars: Record<string, number> }
    >();
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
        const len = this.slotLength(name, p);
        const ok = (v instanceof Float32Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) && v.length === len;
        if (!ok) fail(`${where}.${name}`, `a Float32Array or number[] of length ${len}`, v);
      }
      const slots = [...this.slotNames(groupOf[i])];
      loaded.set(p, { step, slots, values: slots.map((n) => entry[n] as ArrayLike<number>), scalars });
    }
    // Parameters the dict has no state for start afresh, where state exists from registration.
    if (this.stateAtRegistration) {
      params.forEach((p, i) => {
        if (!loaded.has(p)) loaded.set(p, { step: 0, slots: [...this.slotNames(groupOf[i])], values: [], scalars: { ...initialScalars } });
      });
    }
    // Allocate every block before changing anything.
    const blocks = new Map<Parameter, Handle | null>();
    try {
      for (const [p, l] of loaded) blocks.set(p, l.slots.length > 0 ? this.allocBlock(this.slotOffset(p, l.slots, l.slots.length)) : null);
    } catch (e) {
      for (const b of blocks.values()) if (b !== null) this.freeBlock(b);
      throw e;
    }
    // Commit.
    this.fast = null;
    for (const st of this.state.values()) if (st.block !== null) this.freeBlock(st.block);
    this.state.clear();
    this.dropTables();
    newGroups.forEach((g, gi) => {
      const target = this.paramGroups[gi] as Record<string, unknown>;
      for (const k of Object.keys(target)) if (k !== 'params') delete target[k];
      Object.assign(target, g);
    });
    for (const [p, l] of loaded) {
      const block = blocks.get(p)!;
      const fresh = new Set<string>();
      l.slots.forEach((name, k) => {
        const view = this.backend.f32(block!, this.slotOffset(p, l.slots, k), this.slotLength(name, p));
        if (l.values[k] !== undefined) view.set(l.values[k]);
        else {
          this.initSlot(name, groupOf[params.indexOf(p)], view);
          fresh.add(name);
        }
      });
      this.state.set(p, { step: l.step, block, slots: l.slots, fresh, scalars: l.scalars });
    }
  }

  /** Frees the optimizer's state (never the parameters); idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.fast = null;
    reclaimer?.unregister(this);
    release(this.held);
    this.state.clear();
  }

  /** @internal The step counter of `p` (0 before its first step). */
  stepCount(p: Parameter): number {
    return this.state.get(p)?.step ?? 0;
  }

  /** Whether every gradient of `params` is finite: one vectorised pass (reduce.ts `gradFiniteKernel`). */
  private gradsFinite(params: Parameter[]): boolean {
    return params.length === 0 || this.backend.runTensors(gradFiniteKernel, params, NO_ARGS) === 0;
  }

  private checkUsable(): void {
    if (this.disposed) throw new SimdoptError(`${this.kind}: the optimizer is disposed`, 'optimizer');
    if (!isActive(this.backend)) checkBackend(this.backend, `${this.kind} optimizer`);
  }

  private buildGroup(input: ParamGroupInput<O>, where: string, existing: readonly ParamGroup<O>[]): ParamGroup<O> {
    if (input === null || typeof input !== 'object') fail(where, 'a param group { params, ...options }', input);
    const raw = input.params as unknown;
    if (raw === null || typeof raw !== 'object' || typeof (raw as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      fail(`${where}.params`, 'an iterable of Parameters', raw);
    }
    const params = [...(raw as Iterable<Parameter>)];
    if (params.length === 0) fail(`${where}.params`, 'a non-empty list of Parameters', 'an empty list');
    const seen = new Set<Parameter>(existing.flatMap((g) => g.params));
    params.forEach((p, i) => {
      checkParameter(`${where}.params[${i}]`, p);
      if (seen.has(p)) fail(`${where}.params[${i}]`, 'a parameter in no other group (or twice in one)', `Parameter '${p.name}'`);
      seen.add(p);
    });
    const { params: _params, ...overrides } = input;
    const group = { ...cloneOptions(this.defaults), ...cloneOptions(overrides), params } as ParamGroup<O>;
    this.checkGroup(group, `${where}.`);
    return group;
  }

  /** A plan that creates state for every parameter of `group` (state at registration). */
  private planAll(group: ParamGroup<O>): { group: ParamGroup<O>; active: Parameter[]; slots: readonly string[] } {
    return { group, active: group.params, slots: this.slotNames(group) };
  }

  private checkGroup(group: ParamGroup<O>, where: string): void {
    this.checkOptions(group, where);
    checkBoolean(`${where}skipNonFinite`, group.skipNonFinite);
  }

  /** Creates or re-lays-out the state of every active parameter; nothing changes on failure. */
  private ensureState(plans: { group: ParamGroup<O>; active: Parameter[]; slots: readonly string[] }[]): void {
    const pending: { p: Parameter; group: ParamGroup<O>; slots: readonly string[]; block: Handle | null }[] = [];
    try {
      for (const { group, active, slots } of plans) {
        for (const p of active) {
          const s = this.state.get(p);
          if (s && sameSlots(s.slots, slots)) continue;
          const block = slots.length > 0 ? this.allocBlock(this.slotOffset(p, slots, slots.length)) : null;
          pending.push({ p, group, slots, block });
        }
      }
    } catch (e) {
      for (const x of pending) if (x.block !== null) this.freeBlock(x.block);
      throw e;
    }
    for (const { p, group, slots, block } of pending) {
      const old = this.state.get(p);
      const fresh = new Set<string>();
      slots.forEach((name, k) => {
        const len = this.slotLength(name, p);
        const view = this.backend.f32(block!, this.slotOffset(p, slots, k), len);
        const from = old ? old.slots.indexOf(name) : -1;
        if (from >= 0) view.set(this.backend.f32(old!.block!, this.slotOffset(p, old!.slots, from), len));
        else {
          this.initSlot(name, group, view);
          fresh.add(name);
        }
      });
      if (old?.block != null) this.freeBlock(old.block);
      this.state.set(p, { step: old?.step ?? 0, block, slots, fresh, scalars: old?.scalars ?? this.initialScalars() });
    }
  }

  private stepGroup(group: ParamGroup<O>, active: Parameter[]): void {
    if (active.length === 0) return;
    const states = active.map((p) => this.state.get(p)!);
    const cache = this.tables.get(group) ?? [];
    this.tables.set(group, cache);
    // Runs of parameters whose argument block is the same (usually all of them).
    const runs = splitRuns(active, states);
    runs.forEach((run, r) => {
      const first = this.state.get(run[0])!;
      const ctx: StepContext = {
        step: first.step + 1,
        fresh: first.fresh.size > 0 ? first.fresh : EMPTY,
        scalars: { ...first.scalars },
      };
      const args = (this.args ??= new Float32Array(this.kernel.argsLength));
      this.writeArgs(args, group, ctx);
      const table = this.tableFor(cache, r, run);
      this.runStep(table, args, run);
      const scalars = Object.keys(ctx.scalars).length > 0 ? ctx.scalars : first.scalars;
      for (const p of run) {
        const s = this.state.get(p)!;
        s.step = ctx.step;
        s.scalars = scalars;
        if (s.fresh.size > 0) s.fresh = new Set();
      }
    });
    for (let r = runs.length; r < cache.length; r++) this.disposeTable(cache[r].table);
    cache.length = Math.min(cache.length, runs.length);
  }

  /** The cached table at position `r` if it still describes `run`, else a new one. */
  private tableFor(cache: CachedTable[], r: number, run: Parameter[]): TensorTable {
    const blocks = run.map((p) => this.state.get(p)!.block);
    const hit = cache[r];
    if (hit && hit.params.length === run.length && run.every((p, i) => hit.params[i] === p && hit.blocks[i] === blocks[i])) {
      return hit.table;
    }
    if (hit) this.disposeTable(hit.table);
    const table = this.backend.createTable(
      run.map((p, i) => ({
        data: p.handle,
        dataOffset: 0,
        grad: p.handle,
        gradOffset: p.gradOffset,
        state: this.elementwise ? blocks[i] : null,
        len: p.size,
        slots: this.elementwise ? this.state.get(p)!.slots.length : 0,
      })),
    );
    this.held.tables.add(table);
    cache[r] = { params: run, blocks, table };
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

  private allocBlock(length: number): Handle {
    const b = this.backend.alloc(length);
    this.held.blocks.add(b);
    return b;
  }

  private freeBlock(b: Handle): void {
    this.held.blocks.delete(b);
    this.backend.free(b);
  }
}


/** The parameters of `step({ exclude })`, checked: an iterable of Parameters. */
function excludedSet(exclude: unknown): Set<Parameter> {
  if (exclude === undefined) return new Set();
  if (exclude === null || typeof exclude !== 'object' || typeof (exclude as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    fail('options.exclude', 'an iterable of Parameters', exclude);
  }
  const list = [...(exclude as Iterable<unknown>)];
  list.forEach((p, i) => {
    if (!(p instanceof Parameter)) fail(`options.exclude[${i}]`, 'a Parameter', p);
  });
  return new Set(list as Parameter[]);
}

function sameScalars(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  for (const k in a) if (!Object.is(a[k], b[k])) return false;
  return true;
}

function sameSlots(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Splits parameters into runs with equal (step, fresh slots, scalar state): one argument block each. */
function splitRuns(params: Parameter[], states: ParamState[]): Parameter[][] {
  const s0 = states[0];
  const same = (s: ParamState) => s.step === s0.step && s.fresh.size === 0 && (s.scalars === s0.scalars || sameScalars(s.scalars, s0.scalars));
  if (s0.fresh.size === 0 && states.every(same)) return [params];
  const key = (s: ParamState) =>
    `${s.step}:${[...s.fresh].sort().join(',')}:${Object.entries(s.scalars).map(([k, v]) => `${k}=${v}`).join(',')}`;
  const runs = new Map<string, Parameter[]>();
  params.forEach((p, i) => {
    const k = key(states[i]);
    const run = runs.get(k);
    if (run) run.push(p);
    else runs.set(k, [p]);
  });
  return [...runs.values()];
}

/** Copies option values so groups never share arrays (betas) with the caller. */
function cloneOptions<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = Array.isArray(v) ? [...v] : v;
  }
  return out as T;
}

