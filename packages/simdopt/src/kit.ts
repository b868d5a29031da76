/**
 * Argument checks shared by the training-kit functions (clipping, penalties, dropout, losses,
 * batches). Each throws a SimdoptError naming the argument, before anything is written.
 */
import { fail } from './errors.js';
import { checkKnownKeys } from './options/known-keys.js';
import { checkParameter, Parameter } from './parameter.js';

/** What the parameter-list functions accept: one Parameter or an iterable of them. */
export type Params = Parameter | Iterable<Parameter>;

/**
 * The parameters of `params` that take part (requiresGrad), after checking every one: each a
 * usable Parameter of the active backend, listed once. An empty list is an error.
 */
export function activeParams(name: string, params: unknown): Parameter[] {
  if (params instanceof Parameter) params = [params];
  if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    fail(name, 'a Parameter or an iterable of Parameters', params);
  }
  const list = [...(params as Iterable<unknown>)];
  if (list.length === 0) fail(name, 'a non-empty list of Parameters', 'an empty list');
  const seen = new Set<Parameter>();
  list.forEach((p, i) => {
    checkParameter(`${name}[${i}]`, p);
    if (seen.has(p)) fail(`${name}[${i}]`, 'each Parameter listed once', `Parameter '${p.name}' again`);
    seen.add(p);
  });
  return (list as Parameter[]).filter((p) => p.requiresGrad);
}

/** Checks that `options` is undefined or an object whose keys are all in `known`. */
export function checkOptions(name: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) fail(name, 'an options object', options);
  checkKnownKeys(options, known, `${name}.`, 'the function');
  return options as Record<string, unknown>;
}

/** A Float32Array, of `length` elements when given. */
export function checkF32(name: string, v: unknown, length?: number, lengthOf?: string): asserts v is Float32Array {
  if (!(v instanceof Float32Array)) fail(name, 'a Float32Array', v);
  if (length !== undefined && v.length !== length) {
    fail(name, `a Float32Array of length ${length}${lengthOf ? ` (${lengthOf})` : ''}`, v);
  }
}

/** Whether two typed arrays share any byte. */
function overlap(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    a.buffer === b.buffer && a.byteLength > 0 && b.byteLength > 0 &&
    a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
  );
}

/** Whether two typed arrays are the same elements (same memory, offset and length). */
export function sameArray(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
}

/**
 * Checks that output `name` shares no memory with any of `inputs` (`[name, array]`), except, when
 * `identicalOk`, by being the very same elements (an in-place element-wise update).
 */
export function checkDisjoint(
  name: string,
  out: ArrayBufferView,
  inputs: readonly (readonly [string, ArrayBufferView | null])[],
  identicalOk = false,
): void {
  for (const [other, v] of inputs) {
    if (v === null || !overlap(out, v) || (identicalOk && sameArray(out, v))) continue;
    const expected = identicalOk ? `memory shared with ${other} only when it is ${other} itself` : `memory not shared with ${other}`;
    fail(name, `a Float32Array in ${expected}`, out);
  }
}
