/**
 * The TypeScript twin of crates/simdopt-core/src/rng.rs: a counter-based generator whose value at
 * counter `i` of stream `s` of a seed is a keyed hash of `i` (u32 arithmetic with `Math.imul`, the
 * same bits as the wasm builds). Dropout masks and batch shuffles draw from it.
 *
 * ```text
 * mix(x)      = lowbias32: x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16
 * key(seed, s): d = mix(mix(seed_lo ^ 0x243f6a88) ^ seed_hi); k0 = mix(d ^ mix(s + 0x9e3779b9));
 *               k1 = mix(k0 ^ s ^ 0xb7e15162)
 * bits(k, i)  = mix(mix(i ^ k0) + k1)
 * ```
 */
import { fail } from './errors.js';

/** The per-stream key of the generator. */
export interface Key {
  k0: number;
  k1: number;
}

/** lowbias32 (C. Wellons, 2018) on a u32. */
export function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The key of stream `stream` (u32) of `seed` (an integer in [0, 2^53)). */
export function deriveKey(seed: number, stream: number): Key {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const digest = mix(mix(lo ^ 0x243f6a88) ^ hi);
  const k0 = mix(digest ^ mix((stream + 0x9e3779b9) >>> 0));
  return { k0, k1: mix(k0 ^ stream ^ 0xb7e15162) };
}

/** The generator's u32 at counter `i` (a u32) of `key`. */
export function bitsAt(key: Key, i: number): number {
  return mix((mix(i ^ key.k0) + key.k1) >>> 0);
}

/** Checks a user seed: an integer in [0, 2^53). */
export function checkSeed(name: string, seed: unknown): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) fail(name, 'an integer in [0, 2^53)', seed);
}

/** A fresh seed when the caller gave none (crypto where available). */
export function randomSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  const words = new Uint32Array(2);
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(words);
  else for (let k = 0; k < 2; k++) words[k] = Math.floor(Math.random() * 2 ** 32);
  return (words[0] & 0x1fffff) * 2 ** 32 + words[1];
}
