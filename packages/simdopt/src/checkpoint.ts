/**
 * Checkpoint everything a training run needs to resume: parameter values, optimizer state and
 * scheduler state, in one structured-clone-safe object that `saveState` writes losslessly.
 *
 * ```ts
 * const text = saveState(checkpoint({ parameters: model.parameters(), optimizer: opt, scheduler: sched }));
 * // … later, after building the same model, optimizer and scheduler:
 * restore(loadState(text), { parameters: model.parameters(), optimizer: opt, scheduler: sched });
 * ```
 * `restore` checks the whole checkpoint against the targets first; when anything does not fit
 * it throws a SimdoptError naming the field (`checkpoint.optimizer.state[0].exp_avg`, …) and
 * changes nothing. Gradients are not saved (PyTorch does not save them either).
 */
import { fail, SimdoptError } from './errors.js';
import { LRScheduler, type SchedulerState } from './lr_scheduler/scheduler.js';
import { ReduceLROnPlateau } from './lr_scheduler/plateau.js';
import { Optimizer, type BaseOptions, type OptimizerState } from './optim/optimizer.js';
import { checkParameter, type Parameter } from './parameter.js';
import { flatPayload } from './optim/state_interop.js';

/** Version of the checkpoint layout written by `checkpoint()`. */
export const CHECKPOINT_VERSION = 1;

export interface Checkpoint {
  format: 'simdopt-checkpoint';
  version: number;
  /** Values of each parameter: keys '0', '1', … for a list, the record's keys for a record. */
  parameters: Record<string, Float32Array>;
  optimizer?: OptimizerState;
  scheduler?: SchedulerState;
}

/** What to save or restore; any subset. The scheduler must belong to the optimizer when both are given. */
export interface CheckpointTargets {
  parameters?: readonly Parameter[] | Record<string, Parameter>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  optimizer?: Optimizer<any>;
  scheduler?: LRScheduler | ReduceLROnPlateau;
}

interface Checked {
  params: [key: string, p: Parameter][];
  optimizer: Optimizer<BaseOptions> | undefined;
  scheduler: LRScheduler | ReduceLROnPlateau | undefined;
}

function checkTargets(targets: unknown): Checked {
  if (targets === null || typeof targets !== 'object') fail('targets', 'an object { parameters?, optimizer?, scheduler? }', targets);
  const t = targets as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    if (key !== 'parameters' && key !== 'optimizer' && key !== 'scheduler') fail(key, 'one of parameters, optimizer, scheduler', key);
  }
  const params: [string, Parameter][] = [];
  const ps = t.parameters;
  if (Array.isArray(ps)) {
    ps.forEach((p, i) => {
      checkParameter(`parameters[${i}]`, p);
      params.push([String(i), p]);
    });
  } else if (ps !== undefined) {
    if (ps === null || typeof ps !== 'object') fail('parameters', 'an array or a record of Parameters', ps);
    for (const [k, p] of Object.entries(ps)) {
      checkParameter(`parameters.${k}`, p);
      params.push([k, p]);
    }
  }
  if (t.optimizer !== undefined && !(t.optimizer instanceof Optimizer)) fail('optimizer', 'a simdopt Optimizer', t.optimizer);
  const s = t.scheduler;
  if (s !== undefined && !(s instanceof LRScheduler) && !(s instanceof ReduceLROnPlateau)) fail('scheduler', 'an LRScheduler or ReduceLROnPlateau', s);
  if (s !== undefined && t.optimizer !== undefined && s.optimizer !== t.optimizer) fail('scheduler', 'a scheduler of the given optimizer', s);
  return { params, optimizer: t.optimizer as Optimizer<BaseOptions> | undefined, scheduler: s };
}

/** A copy of everything `targets` names; structured-clone safe, lossless through `saveState`. */
export function checkpoint(targets: CheckpointTargets): Checkpoint {
  const { params, optimizer, scheduler } = checkTargets(targets);
  const out: Checkpoint = {
    format: 'simdopt-checkpoint',
    version: CHECKPOINT_VERSION,
    parameters: Object.fromEntries(params.map(([k, p]) => [k, p.data.slice()])),
  };
  if (optimizer) out.optimizer = optimizer.stateDict();
  if (scheduler) out.scheduler = scheduler.stateDict();
  return out;
}

/** `e` with its argument (and message) prefixed `to` instead of `from`. */
function renamed(e: unknown, from: string, to: string): unknown {
  if (!(e instanceof SimdoptError) || e.argument === undefined || !e.argument.startsWith(from)) return e;
  const argument = to + e.argument.slice(from.length);
  const message = e.message.startsWith(e.argument) ? argument + e.message.slice(e.argument.length) : e.message;
  return new SimdoptError(message, argument);
}

/**
 * Puts a checkpoint back into `targets` (the same parameters, optimizer and scheduler shapes it
 * was taken from). All or nothing: a SimdoptError leaves every target as it was.
 */
export function restore(saved: Checkpoint, targets: CheckpointTargets): void {
  const { params, optimizer, scheduler } = checkTargets(targets);
  const c = saved as unknown as Record<string, unknown>;
  if (c === null || typeof c !== 'object' || c.format !== 'simdopt-checkpoint') {
    fail('checkpoint', "an object from checkpoint() (format 'simdopt-checkpoint')", c);
  }
  if (c.version !== CHECKPOINT_VERSION) fail('checkpoint.version', String(CHECKPOINT_VERSION), c.version);
  if (c.parameters === null || typeof c.parameters !== 'object') fail('checkpoint.parameters', 'an object of Float32Arrays', c.parameters);
  const values = { ...(c.parameters as Record<string, unknown>) };
  const keys = params.map(([k]) => k);
  const saved_keys = Object.keys(values);
  const missing = keys.find((k) => !Object.hasOwn(values, k));
  if (missing !== undefined) fail('checkpoint.parameters', `values for parameters ${keys.join(', ')}`, `none for '${missing}'`);
  const extra = saved_keys.find((k) => !keys.includes(k));
  if (extra !== undefined) fail('checkpoint.parameters', `values for parameters ${keys.join(', ')} only`, `also '${extra}'`);
  for (const [k, p] of params) {
    // After plain JSON a Float32Array is an index-keyed object.
    const v = (values[k] = flatPayload(values[k], `checkpoint.parameters.${k}`));
    const ok = (v instanceof Float32Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) && (v as ArrayLike<number>).length === p.size;
    if (!ok) fail(`checkpoint.parameters.${k}`, `a Float32Array of length ${p.size} (the size of Parameter '${p.name}')`, v);
  }
  if (optimizer && c.optimizer === undefined) fail('checkpoint.optimizer', 'an optimizer state (the target has an optimizer)', undefined);
  if (scheduler && c.scheduler === undefined) fail('checkpoint.scheduler', 'a scheduler state (the target has a scheduler)', undefined);
  // Scheduler first: its state dict round-trips exactly, so it can be put back if the
  // optimizer's (which checks everything before changing anything) is refused.
  const schedulerBefore = scheduler?.stateDict();
  if (scheduler) {
    try {
      scheduler.loadStateDict(c.scheduler as SchedulerState);
    } catch (e) {
      throw renamed(e, 'stateDict', 'checkpoint.scheduler');
    }
  }
  if (optimizer) {
    try {
      optimizer.loadStateDict(c.optimizer as OptimizerState);
    } catch (e) {
      if (scheduler) scheduler.loadStateDict(schedulerBefore!);
      throw renamed(e, 'stateDict', 'checkpoint.optimizer');
    }
  }
  for (const [k, p] of params) p.data.set(values[k] as ArrayLike<number>);
}
