/**
 * Param groups: what the constructor and `addParamGroup` accept, how a group is built from its
 * input (parameters checked, options over the defaults), and the snapshot that lets a step
 * notice a changed option without re-checking every group.
 */
import { fail } from '../errors.js';
import { checkParameter, Parameter } from '../parameter.js';

/** A param group: the parameters and the options they are stepped with (all writable). */
export type ParamGroup<O> = O & { params: Parameter[] };

/** What the constructor and `addParamGroup` accept: parameters, or groups with option overrides. */
export type ParamGroupInput<O> = { params: Iterable<Parameter> } & Partial<O>;
export type ParamsInput<O> = Iterable<Parameter> | Iterable<ParamGroupInput<O>>;

function isIterable(x: unknown): x is Iterable<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/** The constructor's `params` as group inputs (a list of Parameters is one group). */
export function groupInputs<O>(params: ParamsInput<O>): ParamGroupInput<O>[] {
  if (!isIterable(params)) fail('params', 'an iterable of Parameters or of param groups', params);
  const list = [...params];
  if (list.length === 0) fail('params', 'a non-empty list of Parameters', 'an empty list');
  return list.every((x) => x instanceof Parameter)
    ? [{ params: list } as unknown as ParamGroupInput<O>]
    : (list as ParamGroupInput<O>[]);
}

/**
 * A group from `input`: its parameters checked (live, in no group of `existing`, not twice),
 * its options `defaults` overridden by the input's, then checked by `check`.
 */
export function buildGroup<O>(
  input: ParamGroupInput<O>,
  where: string,
  defaults: O,
  existing: readonly ParamGroup<O>[],
  check: (group: ParamGroup<O>, where: string) => void,
): ParamGroup<O> {
  if (input === null || typeof input !== 'object') fail(where, 'a param group { params, ...options }', input);
  const raw = input.params as unknown;
  if (!isIterable(raw)) fail(`${where}.params`, 'an iterable of Parameters', raw);
  const params = [...(raw as Iterable<Parameter>)];
  if (params.length === 0) fail(`${where}.params`, 'a non-empty list of Parameters', 'an empty list');
  const seen = new Set<Parameter>(existing.flatMap((g) => g.params));
  params.forEach((p, i) => {
    checkParameter(`${where}.params[${i}]`, p);
    if (seen.has(p)) fail(`${where}.params[${i}]`, 'a parameter in no other group (or twice in one)', `Parameter '${p.name}'`);
    seen.add(p);
  });
  const { params: _params, ...overrides } = input;
  const group = { ...cloneOptions(defaults as object), ...cloneOptions(overrides), params } as ParamGroup<O>;
  check(group, `${where}.`);
  return group;
}

/** Copies option values so groups never share arrays (betas) with the caller. */
export function cloneOptions<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = Array.isArray(v) ? [...v] : v;
  return out as T;
}

/** A group's option values (arrays copied), to notice a change without re-checking everything. */
export type OptionSnapshot = { keys: string[]; values: unknown[] };

export function snapshotOptions(group: object): OptionSnapshot {
  const keys = Object.keys(group).filter((k) => k !== 'params');
  const g = group as Record<string, unknown>;
  return { keys, values: keys.map((k) => (Array.isArray(g[k]) ? [...(g[k] as unknown[])] : g[k])) };
}

/** Whether `group` holds the same keys, in order, with the same values as `snap`. */
export function sameOptions(group: object, snap: OptionSnapshot): boolean {
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

/** The parameters of `step({ exclude })`, checked: an iterable of Parameters. */
export function excludedSet(exclude: unknown): Set<Parameter> {
  if (exclude === undefined) return new Set();
  if (!isIterable(exclude)) fail('options.exclude', 'an iterable of Parameters', exclude);
  const list = [...exclude];
  list.forEach((p, i) => {
    if (!(p instanceof Parameter)) fail(`options.exclude[${i}]`, 'a Parameter', p);
  });
  return new Set(list as Parameter[]);
}
