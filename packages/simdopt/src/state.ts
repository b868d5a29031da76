/**
 * Lossless JSON text for any state dict: an optimizer's `stateDict()`, a scheduler's, or a
 * `{ name: Float32Array }` map of parameter values.
 *
 * Plain JSON loses what training state holds: typed arrays (JSON.stringify makes objects of
 * them), NaN and ±Infinity (they become null) and −0. The text written here is ordinary JSON in
 * which such values are tagged objects `{ "$": tag, ... }`:
 * - a typed array: `{ "$": "Float32Array", "base64": … }`, its bytes little-endian, so every bit
 *   (NaN payloads included) comes back;
 * - a number JSON cannot spell: `{ "$": "number", "value": "NaN" | "Infinity" | "-Infinity" | "-0" }`;
 * - `undefined`: `{ "$": "undefined" }`;
 * - a plain object that itself has a key `"$"`: `{ "$": "object", "value": … }`.
 * Other finite numbers are JSON numbers, which round-trip every float64 exactly. The whole is
 * wrapped as `{ "format": "simdopt-state", "version": 1, "value": … }`.
 */
import { fail } from './errors.js';

const FORMAT = 'simdopt-state';
const VERSION = 1;

const TYPED = {
  Float32Array,
  Float64Array,
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

const SPECIAL_NUMBERS = new Map<unknown, number>([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-0', -0],
]);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Serialises `state` to JSON text that `loadState` turns back into an equal value, bit for bit. */
export function saveState(state: unknown): string {
  return JSON.stringify({ format: FORMAT, version: VERSION, value: encode(state, 'state', []) });
}

/**
 * Parses text written by `saveState`. Typed arrays come back as the same typed array class
 * (state payloads as Float32Array); the result can go straight to `loadStateDict`.
 */
export function loadState<T = unknown>(text: string): T {
  if (typeof text !== 'string') fail('text', 'a string from saveState()', text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail('text', `JSON text from saveState() (${(e as Error).message})`);
  }
  const wrapper = parsed as { format?: unknown; version?: unknown; value?: unknown };
  if (wrapper === null || typeof wrapper !== 'object' || wrapper.format !== FORMAT) {
    fail('text', `text from saveState() (format '${FORMAT}')`, wrapper?.format);
  }
  if (wrapper.version !== VERSION) fail('text.version', String(VERSION), wrapper.version);
  return decode(wrapper.value, 'value') as T;
}

function encode(x: unknown, path: string, stack: object[]): unknown {
  switch (typeof x) {
    case 'number':
      if (Number.isFinite(x) && !Object.is(x, -0)) return x;
      return { $: 'number', value: Object.is(x, -0) ? '-0' : String(x) };
    case 'string':
    case 'boolean':
      return x;
    case 'undefined':
      return { $: 'undefined' };
    case 'object':
      break;
    default:
      fail(path, 'numbers, strings, booleans, null, arrays, typed arrays or plain objects', x);
  }
  if (x === null) return null;
  if (stack.includes(x)) fail(path, 'a tree (no object inside itself)', 'a cycle');
  if (ArrayBuffer.isView(x)) {
    const name = x.constructor.name as TypedName;
    if (TYPED[name] !== x.constructor) fail(path, `one of ${Object.keys(TYPED).join(', ')}`, x);
    return { $: name, base64: toBase64(littleEndianBytes(x)) };
  }
  stack.push(x);
  try {
    if (Array.isArray(x)) return x.map((v, i) => encode(v, `${path}[${i}]`, stack));
    const proto = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== null) {
      fail(path, 'numbers, strings, booleans, null, arrays, typed arrays or plain objects', x);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = encode(v, `${path}.${k}`, stack);
    return Object.hasOwn(x, '$') ? { $: 'object', value: out } : out;
  } finally {
    stack.pop();
  }
}

function decode(x: unknown, path: string): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map((v, i) => decode(v, `${path}[${i}]`));
  const o = x as Record<string, unknown>;
  if (!Object.hasOwn(o, '$')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decode(v, `${path}.${k}`);
    return out;
  }
  const tag = o.$;
  if (tag === 'number') {
    const v = SPECIAL_NUMBERS.get(o.value);
    if (v === undefined) fail(`${path}.value`, "'NaN', 'Infinity', '-Infinity' or '-0'", o.value);
    return v;
  }
  if (tag === 'undefined') return undefined;
  if (tag === 'object') {
    // The escaped object's own '$' key is data, not a tag: decode its entries one by one.
    const inner = o.value;
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) fail(`${path}.value`, 'an object', inner);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inner)) out[k] = decode(v, `${path}.${k}`);
    return out;
  }
  if (typeof tag === 'string' && Object.hasOwn(TYPED, tag)) {
    if (typeof o.base64 !== 'string') fail(`${path}.base64`, 'a base64 string', o.base64);
    const Ctor = TYPED[tag as TypedName];
    const bytes = fromBase64(o.base64, `${path}.base64`);
    if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) {
      fail(`${path}.base64`, `a multiple of ${Ctor.BYTES_PER_ELEMENT} bytes`, `${bytes.length} bytes`);
    }
    if (!LITTLE_ENDIAN) swapBytes(bytes, Ctor.BYTES_PER_ELEMENT);
    return new Ctor(bytes.buffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT);
  }
  fail(`${path}.$`, `a tag written by saveState()`, tag);
}

/** A copy of the array's bytes in little-endian order (raw bytes: NaN payloads survive). */
function littleEndianBytes(a: Typed): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(a.byteLength);
  bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  if (!LITTLE_ENDIAN) swapBytes(bytes, a.BYTES_PER_ELEMENT);
  return bytes;
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

function toBase64(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    out.push(
      ALPHABET[n >> 18],
      ALPHABET[(n >> 12) & 63],
      left > 1 ? ALPHABET[(n >> 6) & 63] : '=',
      left > 2 ? ALPHABET[n & 63] : '=',
    );
  }
  return out.join('');
}

function fromBase64(text: string, path: string): Uint8Array<ArrayBuffer> {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) fail(path, 'base64 text', text);
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - pad);
  let j = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n =
      (INDEX.get(text[i])! << 18) |
      (INDEX.get(text[i + 1])! << 12) |
      ((INDEX.get(text[i + 2]) ?? 0) << 6) |
      (INDEX.get(text[i + 3]) ?? 0);
    if (j < bytes.length) bytes[j++] = n >> 16;
    if (j < bytes.length) bytes[j++] = (n >> 8) & 255;
    if (j < bytes.length) bytes[j++] = n & 255;
  }
  return bytes;
}
