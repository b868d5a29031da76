/**
 * The step plan: which parameters one kernel call covers. Parameters of a group whose step
 * contexts are equal (step counter, fresh slots, scalar state) share one argument block and one
 * cached table; the common case is one run per group, which `step()` then re-uses until the
 * groups, parameters or state layouts change.
 */
import type { Handle, TableEntry, TensorTable } from '../backend/backend.js';
import type { Parameter } from '../parameter.js';
import type { OptionSnapshot, ParamGroup } from './param-groups.js';
import type { ParamState } from './state-store.js';

/** A group's parameters to step, and the state slots its options need. */
export interface GroupPlan<O> {
  group: ParamGroup<O>;
  active: Parameter[];
  slots: readonly string[];
}

/** A cached table for a run of parameters with the same step context. */
export interface CachedTable {
  params: Parameter[];
  blocks: (Handle | null)[];
  table: TensorTable;
}

/** One group of the re-used plan: what must still hold, and what the step re-uses. */
export interface FastGroup<O> {
  group: ParamGroup<O>;
  params: Parameter[];
  handles: Handle[];
  requires: boolean[];
  options: OptionSnapshot;
  slots: readonly string[];
  /** The parameters the step updates (those of `states`). */
  active: Parameter[];
  states: ParamState[];
  table: TensorTable | null;
}

export function sameSlots(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameScalars(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  for (const k in a) if (!Object.is(a[k], b[k])) return false;
  return true;
}

/** Splits parameters into runs with equal (step, fresh slots, scalar state): one argument block each. */
export function splitRuns(params: Parameter[], states: ParamState[]): Parameter[][] {
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

/**
 * The table entries of `params` over their state (`states[i]` is `params[i]`'s): what a step's
 * cached table holds, and what `runOverState` runs a kernel over between steps. `withState`
 * false: values and gradients only (a `runStep` override reads its state itself).
 */
export function tableEntries(params: readonly Parameter[], states: readonly ParamState[], withState = true): TableEntry[] {
  return params.map((p, i) => ({ data: p.handle, grad: p.handle, gradOffset: p.gradOffset, state: withState ? states[i].block : null, len: p.size, slots: withState ? states[i].slots.length : 0 }));
}
