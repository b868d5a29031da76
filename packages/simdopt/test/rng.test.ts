/**
 * Known answers of the counter-based generator's TypeScript twin (src/rng.ts): the same numbers
 * as crates/simdopt-core/tests/rng_known_answers.rs checks against the Rust generator.
 */
import { describe, expect, it } from 'vitest';
import { bitsAt, deriveKey, mix } from '../src/rng.js';

/** [seed, stream, k0, k1, bits at counters 0, 1 and 2^32 − 1]. */
const KNOWN: [number, number, number, number, number[]][] = [
  [0, 0, 0x12a13e38, 0xf76019e1, [0x3625f969, 0x756b95b4, 0x0371c687]],
  [42, 7, 0xe884b06d, 0xfd2dadca, [0xba7b8899, 0x1d3ce42b, 0xfd4f19a6]],
  [5_724_575_526_346_480, 123_456, 0x168e4252, 0xc49e10c4, [0xe9ba2345, 0xc9d38912, 0x78f95567]],
];

describe('counter-based generator', () => {
  it('mix known answers', () => {
    expect([mix(0), mix(1), mix(0xdeadbeef)]).toEqual([0, 0x688990c0, 0xe628c683]);
  });

  it.each(KNOWN)('seed %d stream %d', (seed, stream, k0, k1, bits) => {
    const key = deriveKey(seed, stream);
    expect(key).toEqual({ k0, k1 });
    expect([bitsAt(key, 0), bitsAt(key, 1), bitsAt(key, 0xffffffff)]).toEqual(bits);
  });
});
