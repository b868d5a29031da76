/**
 * Mini-batches of sample indices: full-batch gradient descent (`batchSize = n`), mini-batch SGD,
 * and per-sample SGD (`batchSize = 1`).
 *
 * `batches(n, batchSize)` is an iterable of epochs: each iteration over it is one epoch that
 * yields every index of [0, n) exactly once, in batches of `batchSize` (the last one shorter when
 * `batchSize` does not divide n; it is kept). With `shuffle` (default) epoch k is a Fisher–Yates
 * permutation drawn from stream k of the seed's counter-based generator (rng.ts), so a seed
 * reproduces the whole sequence of epochs; without it the indices come in order.
 */
import { fail } from './errors.js';
import { checkOptions } from './kit.js';
import { bitsAt, checkSeed, deriveKey, randomSeed } from './rng.js';
import { checkBoolean, checkInteger } from './validate.js';

export interface BatchOptions {
  /** Shuffle each epoch (default true). */
  shuffle?: boolean;
  /** Makes the shuffles reproducible: an integer in [0, 2^53). Default: random. */
  seed?: number;
}

/** The order of epoch `epoch`: 0..n−1, shuffled with stream `epoch` of `seed` when asked. */
function epochOrder(n: number, shuffle: boolean, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (!shuffle) return order;
  const key = deriveKey(seed, epoch);
  for (let i = n - 1; i > 0; i--) {
    // A uniform double in [0, 1) from 53 random bits (counters 2i and 2i + 1).
    const u = ((bitsAt(key, 2 * i) >>> 11) * 2 ** 32 + bitsAt(key, 2 * i + 1)) / 2 ** 53;
    const j = Math.floor(u * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Batches of indices of [0, n); see the module documentation. */
export function batches(n: number, batchSize: number, options: BatchOptions = {}): Iterable<Uint32Array> {
  checkInteger('n', n, 0);
  // Counters 2i + 1 of the shuffle must fit in 32 bits.
  if (n > 2 ** 31) fail('n', 'an integer in [0, 2^31]', n);
  checkInteger('batchSize', batchSize, 1);
  const o = checkOptions('options', options, ['shuffle', 'seed']);
  const shuffle = o.shuffle ?? true;
  checkBoolean('options.shuffle', shuffle);
  if (o.seed !== undefined) checkSeed('options.seed', o.seed);
  const seed = (o.seed) ?? randomSeed();
  let epoch = 0;
  return {
    *[Symbol.iterator](): Iterator<Uint32Array> {
      const order = epochOrder(n, shuffle, seed, epoch);
      epoch = (epoch + 1) >>> 0;
      for (let start = 0; start < n; start += batchSize) yield order.subarray(start, Math.min(n, start + batchSize));
    },
  };
}
