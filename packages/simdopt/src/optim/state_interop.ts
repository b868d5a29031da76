/**
 * Optimizer state dicts from elsewhere, and PyTorch's layout out:
 *
 * - after plain JSON (`JSON.parse(JSON.stringify(opt.stateDict()))`) every Float32Array is an
 *   object keyed '0', '1', …, and NaN / ±Infinity are `null`;
 * - a PyTorch `optimizer.state_dict()` exported as JSON is `{ state: { "0": { step, exp_avg:
 *   nested lists, … } }, param_groups: [{ lr, betas, weight_decay, …, params: [0, …] }] }`.
 *
 * `normalizeStateDict` turns both into `stateDict()`'s own shape (per-element payloads as flat
 * number arrays) for `Optimizer.loadStateDict`, which then checks it as usual;
 * `toTorchStateDict` writes PyTorch's layout.
 */
import { describe, SimdoptError } from '../errors.js';

/** PyTorch's implementation switches: they change how PyTorch computes, never what. */
const TORCH_IGNORED = new Set(['foreach', 'fused', 'capturable', 'differentiable']);

/** simdopt options PyTorch does not have; left out of PyTorch's layout. */
const SIMDOPT_ONLY = new Set(['skipNonFinite']);

/** PyTorch's layout of an optimizer state dict (what `stateDict({ format: 'torch' })` returns). */
export interface TorchOptimizerState {
  /** Per parameter index: `step` (absent for SGD) and the state tensors as (nested) number lists. */
  state: Record<string, Record<string, number | NestedNumbers>>;
  /** Group options in PyTorch's snake_case, `params` as parameter indices. */
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

/** A number list nested as a tensor's shape (`tensor.tolist()`). */
export type NestedNumbers = number[] | NestedNumbers[];

/** `weight_decay` → `weightDecay`. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `weightDecay` → `weight_decay`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Whether `x` is what JSON makes of a typed array: an object keyed exactly '0', '1', …, n−1. */
function isIndexKeyed(x: Record<string, unknown>): boolean {
  const keys = Object.keys(x);
  // Integer-like keys enumerate in ascending order, so position i must be the key String(i).
  return keys.every((k, i) => k === String(i));
}

const NULL_HINT =
  'plain JSON writes NaN and ±Infinity as null, so this state cannot be restored as it was; ' +
  'save it with saveState() and read it with loadState(), which keep them';

/**
 * A per-element payload as a flat number array: a Float32Array or number[] as it is, an
 * index-keyed object (a typed array after plain JSON), or nested lists (PyTorch's
 * `tensor.tolist()`), flattened in row-major order. Anything else is returned unchanged for the
 * caller's own check. A `null` element is an error naming it.
 */
export function flatPayload(x: unknown, where: string): unknown {
  if (x instanceof Float32Array) return x;
  let items: unknown[];
  if (Array.isArray(x)) items = x;
  else if (isPlainObject(x) && isIndexKeyed(x)) items = Object.values(x);
  else return x;
  const out: number[] = [];
  const walk = (list: unknown[], path: string): void => {
    list.forEach((v, i) => {
      if (typeof v === 'number') out.push(v);
      else if (Array.isArray(v)) walk(v, `${path}[${i}]`);
      // The argument is the payload; the message says which element.
      else if (v === null) throw new SimdoptError(`${where}: element ${path.slice(where.length)}[${i}] is null: ${NULL_HINT}`, where);
      else throw new SimdoptError(`${where}: expected a Float32Array or a list of numbers, got ${describe(v)} as element ${path.slice(where.length)}[${i}]`, where);
    });
  };
  walk(items, where);
  return out;
}

/** Whether `saved` looks like a PyTorch state dict rather than `stateDict()` output. */
export function isTorchStateDict(saved: unknown): boolean {
  return isPlainObject(saved) && Array.isArray(saved.param_groups) && !Object.hasOwn(saved, 'paramGroups');
}

/**
 * `saved` in `stateDict()`'s own shape: a PyTorch dict converted (class name and version filled
 * in, options camelCased, options PyTorch's dict lacks taken from `current`, state renumbered by
 * the order of `param_groups[*].params`), every per-element payload flattened. What cannot be
 * read is left as it is, so that `loadStateDict`'s checks name it.
 */
export function normalizeStateDict(
  saved: unknown,
  kind: string,
  version: number,
  current: readonly Record<string, unknown>[],
): unknown {
  if (!isPlainObject(saved)) return saved;
  const torch = isTorchStateDict(saved);
  const out: Record<string, unknown> = torch ? { version, optimizer: kind } : { ...saved };
  const groups = torch ? saved.param_groups : saved.paramGroups;
  // PyTorch numbers parameters in param_groups order; ids need not start at 0.
  const position = new Map<string, number>();
  if (torch && Array.isArray(groups)) {
    out.paramGroups = groups.map((g: unknown, gi: number) => torchGroup(g, current[gi]));
    let next = 0;
    for (const g of groups) {
      if (isPlainObject(g) && Array.isArray(g.params)) for (const id of g.params) position.set(String(id), next++);
    }
  }
  const state = saved.state;
  if (!isPlainObject(state)) {
    out.state = state;
    return out;
  }
  const entries: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(state)) {
    const index = position.get(key) ?? key;
    const where = `stateDict.state[${index}]`;
    if (!isPlainObject(entry)) {
      entries[index] = entry;
      continue;
    }
    const e: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(entry)) {
      // PyTorch keeps `momentum_buffer: None` for SGD without momentum: no state.
      if (torch && value === null) continue;
      e[name] = typeof value === 'number' ? value : flatPayload(value, `${where}.${name}`);
    }
    if (!torch || Object.keys(e).length > 0) entries[index] = e;
  }
  out.state = entries;
  return out;
}

/** One of PyTorch's param groups as simdopt options (the ids stay in `params`). */
function torchGroup(g: unknown, current: Record<string, unknown> | undefined): unknown {
  if (!isPlainObject(g)) return g;
  const options: Record<string, unknown> = {};
  // Options PyTorch's dict lacks (skipNonFinite; newer options in an older PyTorch's dict) keep
  // the optimizer's current values.
  if (current !== undefined) for (const [k, v] of Object.entries(current)) if (k !== 'params') options[k] = v;
  for (const [k, v] of Object.entries(g)) {
    if (k === 'params' || TORCH_IGNORED.has(k)) continue;
    options[camelCase(k)] = v;
  }
  return { ...options, params: g.params };
}

/** A flat float32 payload as nested lists of `shape` (a number for a 0-dim shape). */
function nest(values: ArrayLike<number>, shape: readonly number[]): number | NestedNumbers {
  if (shape.length === 0) return values[0];
  let offset = 0;
  const build = (dim: number): NestedNumbers => {
    const n = shape[dim];
    if (dim === shape.length - 1) {
      const row = Array.from({ length: n }, (_, i) => values[offset + i]);
      offset += n;
      return row;
    }
    return Array.from({ length: n }, () => build(dim + 1));
  };
  return build(0);
}

/**
 * `stateDict()` output in PyTorch's layout: options in snake_case (simdopt-only ones left out),
 * payloads as nested lists of their shape (`shapeOf(parameter index, slot name)`: the
 * parameter's shape, or the slot's own, as Adafactor's `row_var` [.., R, 1]), so that Python can
 * load it with `torch.tensor(v)` per entry and `optimizer.load_state_dict`.
 */
export function toTorchStateDict(
  sd: { state: Record<number, Record<string, number | ArrayLike<number>>>; paramGroups: Array<Record<string, unknown> & { params: number[] }> },
  shapeOf: (index: number, name: string) => readonly number[],
): TorchOptimizerState {
  const state: TorchOptimizerState['state'] = {};
  for (const [key, entry] of Object.entries(sd.state)) {
    const e: Record<string, number | NestedNumbers> = {};
    for (const [name, value] of Object.entries(entry)) e[name] = typeof value === 'number' ? value : nest(value, shapeOf(Number(key), name));
    state[key] = e;
  }
  const param_groups = sd.paramGroups.map((g) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(g)) {
      if (k === 'params' || SIMDOPT_ONLY.has(k)) continue;
      out[snakeCase(k)] = Array.isArray(v) ? [...v] : v;
    }
    return { ...out, params: [...g.params] };
  });
  return { state, param_groups };
}
