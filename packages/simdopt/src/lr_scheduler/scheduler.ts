/**
 * The base of the learning-rate schedulers (`torch.optim.lr_scheduler.LRScheduler`): param-group
 * bookkeeping, the constructor's initial step, the chainable step, the call-order warning and
 * state dicts. Each family lives in its own file and supplies `getLr()` (the chainable form,
 * evaluated at `lastEpoch`) and, where PyTorch has one, `closedForm()` (used when SequentialLR
 * restarts a child at epoch 0).
 *
 * The schedule arithmetic of every family is a pure function of the epoch exported next to its
 * class; the classes are thin stateful wrappers that apply those functions to the optimizer's
 * param groups in PyTorch's order of operations.
 */
import { fail } from '../errors.js';
import { Optimizer, type BaseOptions } from '../optim/optimizer.js';
import { checkInteger } from '../validate.js';
import { checkKnownKeys } from '../options/known-keys.js';

/** Any simdopt optimizer (the schedulers only read and write its param-group options, by name). */
export type AnyOptimizer = Optimizer<BaseOptions>;

/** A param group as the schedulers see it: plain writable options. */
export interface ScheduledGroup {
  lr: number;
  /** Stored by the first scheduler built on the optimizer (PyTorch's `initial_lr`). */
  initialLr?: number;
  [option: string]: unknown;
}

/** A scheduler's `stateDict()`: plain numbers, strings, booleans and arrays (JSON safe). */
export interface SchedulerState {
  version: number;
  /** The scheduler class (`'StepLR'`, …). */
  scheduler: string;
  [field: string]: unknown;
}

/** Version of the scheduler state format written by `stateDict()`. */
export const SCHEDULER_STATE_VERSION = 1;

/** The param groups of `optimizer` as writable option records. */
export function groupsOf(optimizer: AnyOptimizer): ScheduledGroup[] {
  return optimizer.paramGroups as unknown as ScheduledGroup[];
}

export function checkOptimizer(name: string, optimizer: unknown): asserts optimizer is AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) fail(name, 'a simdopt Optimizer', optimizer);
}

// ---------------------------------------------------------------------------------------------
// The call-order warning (pytorch/pytorch#20124). PyTorch wraps the optimizer instance's `step`
// so that it records being called; so do we, on the instance only (the class is untouched).

const STEP_TRACKED = Symbol('simdopt.stepTrackedByLrScheduler');
/** Optimizers whose (tracked) `step()` has run at least once. */
const optimizerStepped = new WeakSet<object>();
/** Warnings already given, per optimizer: each is printed once per optimizer. */
const warnedAbout = new WeakMap<object, Set<string>>();

export const ORDER_WARNING =
  'Detected call of `lr_scheduler.step()` before `optimizer.step()`. ' +
  'As in PyTorch 1.1.0 and later, you should call them in the opposite order: ' +
  '`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this ' +
  'will result in skipping the first value of the learning rate schedule. ' +
  'See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate';

export const OVERRIDDEN_WARNING =
  'Seems like `optimizer.step()` has been overridden after learning rate scheduler ' +
  'initialization. Please, make sure to call `optimizer.step()` before ' +
  '`lr_scheduler.step()`. See more details at ' +
  'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate';

type StepFn = ((...args: unknown[]) => unknown) & { [STEP_TRACKED]?: true };

/** Replaces `optimizer.step` by a wrapper that records the call (once per optimizer). */
export function trackOptimizerStep(optimizer: AnyOptimizer): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the function object is marked and wrapped, never called unbound
  const current = optimizer.step as unknown as StepFn;
  if (current[STEP_TRACKED]) return;
  const tracked = function (this: unknown, ...args: unknown[]): unknown {
    optimizerStepped.add(optimizer);
    return current.apply(this, args);
  } as StepFn;
  Object.defineProperty(tracked, STEP_TRACKED, { value: true });
  // An own, non-enumerable property: spreading or iterating the optimizer does not show it.
  Object.defineProperty(optimizer, 'step', { value: tracked, writable: true, configurable: true, enumerable: false });
}

/** PyTorch's check at a scheduler's first `step()` after construction. */
function checkCallOrder(optimizer: AnyOptimizer): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- only the mark on the function object is read
  const step = optimizer.step as unknown as StepFn;
  if (!step[STEP_TRACKED]) warnOnce(optimizer, OVERRIDDEN_WARNING);
  else if (!optimizerStepped.has(optimizer)) warnOnce(optimizer, ORDER_WARNING);
}

function warnOnce(optimizer: AnyOptimizer, message: string): void {
  let seen = warnedAbout.get(optimizer);
  if (!seen) warnedAbout.set(optimizer, (seen = new Set()));
  if (seen.has(message)) return;
  seen.add(message);
  const proc = (globalThis as { process?: { emitWarning?: (message: string, type: string) => void } }).process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, 'UserWarning');
  else console.warn(`UserWarning: ${message}`);
}

// ---------------------------------------------------------------------------------------------

/**
 * The base of every step-driven scheduler (all but ReduceLROnPlateau), with PyTorch's mechanics:
 *
 * - construction stores `initialLr` in every param group where absent (so a second scheduler on
 *   the same optimizer keeps the first one's base), takes `baseLrs` from it, and takes one step
 *   from epoch −1 to 0 in "initial mode": right after construction the lr is epoch 0's lr;
 * - `step()` increments `lastEpoch` and applies the chainable form, which updates each group's
 *   *current* lr, so schedulers compose and a manual lr change persists;
 * - the first `step()` warns (once per optimizer) when `optimizer.step()` has never run.
 *
 * Subclasses validate all their options before touching the optimizer, then call `start()`.
 */
export abstract class LRScheduler {
  /** The optimizer whose param groups this scheduler writes. */
  readonly optimizer: AnyOptimizer;
  /** The class name in state dicts. */
  protected abstract readonly kind: string;
  protected epoch = -1;
  protected baseLrs: number[] = [];
  protected stepCount = 0;
  protected lastLr: number[] = [];
  /** True during the constructor's step (PyTorch's `_is_initial`). */
  protected isInitial = false;

  protected constructor(optimizer: unknown) {
    checkOptimizer('optimizer', optimizer);
    this.optimizer = optimizer;
  }

  /** The number of `step()` calls since construction (PyTorch's `last_epoch`; 0 after construction). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** The learning rate of each param group after the latest step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Advances the schedule by one epoch (or batch) and writes the new lrs into the param groups. */
  step(): void {
    this.optimizer.assertUsable();
    this.countStep();
    try {
      this._updateLr();
    } catch (e) {
      this.stepCount--;
      throw e;
    }
  }

  /** This scheduler's state; restore it with `loadStateDict` after also restoring the optimizer's. */
  stateDict(): SchedulerState {
    return {
      version: SCHEDULER_STATE_VERSION,
      scheduler: this.kind,
      lastEpoch: this.epoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
      ...this.saveOwn(),
    };
  }

  /**
   * Restores `stateDict()` output (also after a JSON round trip). As in PyTorch, the group lrs
   * themselves come from the optimizer's state dict: build the optimizer and the scheduler, then
   * load both. A state that does not fit is a SimdoptError and changes nothing.
   */
  loadStateDict(state: SchedulerState): void {
    this._readState(state, 'stateDict')();
  }

  /** @internal Validates `state` for this scheduler and returns the function that commits it. */
  _readState(state: unknown, where: string): () => void {
    const s = readHeader(state, this.kind, where);
    const n = groupsOf(this.optimizer).length;
    const lastEpoch = s.lastEpoch;
    checkInteger(`${where}.lastEpoch`, lastEpoch, -1);
    const stepCount = s.stepCount;
    checkInteger(`${where}.stepCount`, stepCount, 0);
    const baseLrs = readNumbers(s, 'baseLrs', n, where);
    const lastLr = readNumbers(s, 'lastLr', n, where);
    // Own fields missing from `state` keep their current values (PyTorch's `__dict__.update`).
    const own = this.readOwn(overlay(this.saveOwn(), s), where);
    return () => {
      this.epoch = lastEpoch;
      this.stepCount = stepCount;
      this.baseLrs = baseLrs;
      this.lastLr = lastLr;
      own();
    };
  }

  /** The chainable form at `this.epoch`: the new lr of every group. */
  protected abstract getLr(): number[];
  /** The closed form at `this.epoch`, where PyTorch has one (SequentialLR restarts through it). */
  protected closedForm?(): number[];
  /** The options and state fields particular to this scheduler, JSON safe. */
  protected saveOwn(): Record<string, unknown> {
    return {};
  }
  /** Validates this scheduler's fields in `s`; returns the function that commits them. */
  protected readOwn(_s: Record<string, unknown>, _where: string): () => void {
    return () => {};
  }

  /**
   * Applies `write` (a constructor's own changes to the groups, after all its checks), stores
   * `initialLr` where absent, takes `baseLrs` from it, tracks `optimizer.step` and steps to
   * epoch 0. If anything throws (a user function at epoch 0), the optimizer is restored as it was.
   */
  protected start(write?: () => void): void {
    const groups = groupsOf(this.optimizer);
    const saved = groups.map((g) => ({ ...g }));
    const stepDescriptor = Object.getOwnPropertyDescriptor(this.optimizer, 'step');
    try {
      write?.();
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
      this.baseLrs = groups.map((g, i) => {
        const base = g.initialLr;
        if (typeof base !== 'number' || !Number.isFinite(base)) fail(`paramGroups[${i}].initialLr`, 'a finite number', base);
        return base;
      });
      this.epoch = -1;
      trackOptimizerStep(this.optimizer);
      this._initialStep();
    } catch (e) {
      groups.forEach((g, i) => {
        for (const key of Object.keys(g)) if (!(key in saved[i])) delete g[key];
        Object.assign(g, saved[i]);
      });
      if (stepDescriptor) Object.defineProperty(this.optimizer, 'step', stepDescriptor);
      else delete (this.optimizer as { step?: unknown }).step;
      throw e;
    }
  }

  /** @internal PyTorch's `_initial_step`: resets the step count and steps in initial mode. */
  _initialStep(): void {
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  /** @internal PyTorch's `_update_lr`: next epoch by the chainable form, or `epoch` by the closed form. */
  _updateLr(epoch?: number): void {
    const previous = this.epoch;
    let values: number[];
    try {
      if (epoch === undefined) {
        this.epoch = previous + 1;
        values = this.getLr();
      } else {
        this.epoch = epoch;
        values = this.closedForm ? this.closedForm() : this.getLr();
      }
    } catch (e) {
      this.epoch = previous;
      throw e;
    }
    this.apply(values);
  }

  /** @internal SequentialLR's undo of a child's construction step (recursing into composites). */
  _undoInitialStep(): void {
    this.epoch -= 1;
  }

  /** Counts a user step and gives PyTorch's warning at the first one. */
  protected countStep(): void {
    if (this.stepCount === 1) checkCallOrder(this.optimizer);
    this.stepCount++;
  }

  /** Writes `lrs` into the param groups and records them as the last lrs. */
  protected apply(lrs: number[]): void {
    const groups = groupsOf(this.optimizer);
    groups.forEach((g, i) => {
      if (i < lrs.length) g.lr = lrs[i];
    });
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The current lr of every group (the input of the chainable forms). */
  protected groupLrs(): number[] {
    return groupsOf(this.optimizer).map((g, i) => {
      const lr = g.lr;
      if (typeof lr !== 'number' || !Number.isFinite(lr)) fail(`paramGroups[${i}].lr`, 'a finite number', lr);
      return lr;
    });
  }
}

/**
 * A scheduler whose own state is one config object, read by `read` from the options (after the
 * unknown-key check against `known`) and from state dicts alike, and saved as a plain copy.
 */
export abstract class ConfigScheduler<C extends object> extends LRScheduler {
  protected config: C;

  protected constructor(
    optimizer: unknown,
    options: unknown,
    known: readonly string[],
    private readonly read: (o: Record<string, unknown>, where: string) => C,
  ) {
    super(optimizer);
    this.config = read(readOptions(options, known), '');
  }

  protected saveOwn(): Record<string, unknown> {
    return { ...(this.config as Record<string, unknown>) };
  }

  protected readOwn(s: Record<string, unknown>, where: string): () => void {
    const c = this.read(s, `${where}.`);
    return () => (this.config = c);
  }
}

// ---------------------------------------------------------------------------------------------
// Option and state checks shared by the families.

/**
 * Reads an options object: rejects anything but a plain object and, when `known` is given,
 * unknown keys (a PyTorch name such as `T_max` or `eta_min` would otherwise be silently ignored,
 * where Python raises for an unexpected keyword argument).
 */
export function readOptions(options: unknown, known: readonly string[] | null, name = 'options'): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) fail(name, 'an options object', options);
  const o = options as Record<string, unknown>;
  if (known) checkKnownKeys(o, known, '', 'this scheduler');
  return o;
}

/** A finite number (`undefined` gives `fallback`) that satisfies `ok`. */
export function num(name: string, v: unknown, fallback: number | undefined, expected: string, ok: (x: number) => boolean): number {
  const x = v === undefined ? fallback : v;
  if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) fail(name, expected, x);
  return x;
}

export function int(name: string, v: unknown, fallback: number | undefined, min: number): number {
  const x = v === undefined ? fallback : v;
  checkInteger(name, x, min);
  return x;
}

export function bool(name: string, v: unknown, fallback: boolean): boolean {
  const x = v === undefined ? fallback : v;
  if (typeof x !== 'boolean') fail(name, 'true or false', x);
  return x;
}

export function choice<T extends string>(name: string, v: unknown, fallback: T, choices: readonly T[]): T {
  const x = v === undefined ? fallback : v;
  if (typeof x !== 'string' || !(choices as readonly string[]).includes(x)) fail(name, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, x);
  return x as T;
}

/**
 * A number or a list of one number per param group (PyTorch's `_format_param`), each checked by
 * `ok`; returns one value per group.
 */
export function perGroup(
  name: string,
  v: unknown,
  fallback: number | undefined,
  groups: number,
  expected: string,
  ok: (x: number) => boolean,
): number[] {
  const x = v === undefined ? fallback : v;
  if (Array.isArray(x)) {
    if (x.length !== groups) fail(name, `one value per param group (${groups})`, x);
    return x.map((e, i) => num(`${name}[${i}]`, e, undefined, expected, ok));
  }
  return new Array<number>(groups).fill(num(name, x, undefined, `${expected}, or a list of one per param group`, ok));
}

export function readHeader(state: unknown, kind: string, where: string): Record<string, unknown> {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) fail(where, `an object from ${kind}.stateDict()`, state);
  const s = state as Record<string, unknown>;
  if (s.version !== SCHEDULER_STATE_VERSION) fail(`${where}.version`, String(SCHEDULER_STATE_VERSION), s.version);
  if (s.scheduler !== kind) fail(`${where}.scheduler`, `'${kind}'`, s.scheduler);
  return s;
}

export function readNumbers(s: Record<string, unknown>, key: string, length: number, where: string): number[] {
  const v = s[key];
  if (!Array.isArray(v) || v.length !== length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    fail(`${where}.${key}`, `${length} finite numbers (one per param group)`, v);
  }
  return [...v];
}

/** `base` with the fields of `s` that are not undefined written over it. */
export function overlay(base: Record<string, unknown>, s: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(s)) if (v !== undefined) out[k] = v;
  return out;
}

/** ±Infinity and NaN as strings, so that a state survives JSON (ReduceLROnPlateau's `best`). */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

export function decodeNumber(name: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  return fail(name, "a finite number, 'Infinity', '-Infinity' or 'NaN'", v);
}
