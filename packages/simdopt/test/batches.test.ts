/**
 * batches(n, batchSize): every index exactly once per epoch, in order without shuffle, the last
 * partial batch kept, deterministic for a seed, a new permutation each epoch; the argument checks.
 */
import { describe, expect, it } from 'vitest';
import { batches } from 'simdopt';
import { expectArgumentErrors } from './support/kit.js';

function epoch(it: Iterable<Uint32Array>): number[][] {
  return [...it].map((b) => Array.from(b));
}

describe('batches', () => {
  it('covers every index exactly once per epoch, keeping the last partial batch', () => {
    for (const [n, size] of [[10, 3], [10, 10], [10, 1], [7, 100], [1000, 64], [0, 4]]) {
      const it = batches(n, size, { seed: 1 });
      for (let e = 0; e < 3; e++) {
        const b = epoch(it);
        expect(b.length).toBe(Math.ceil(n / size));
        b.slice(0, -1).forEach((batch) => expect(batch.length).toBe(size));
        if (n > 0) expect(b[b.length - 1].length).toBe(n - size * (b.length - 1));
        expect(b.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
      }
    }
  });

  it('shuffle: false gives the indices in order', () => {
    expect(epoch(batches(7, 3, { shuffle: false }))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(epoch(batches(4, 4, { shuffle: false }))).toEqual([[0, 1, 2, 3]]);
  });

  it('is deterministic for a seed and reshuffles every epoch', () => {
    const a = batches(200, 50, { seed: 7 });
    const b = batches(200, 50, { seed: 7 });
    const a1 = epoch(a);
    const a2 = epoch(a);
    expect(epoch(b)).toEqual(a1);
    expect(epoch(b)).toEqual(a2);
    expect(a2).not.toEqual(a1);
    expect(epoch(batches(200, 50, { seed: 8 }))).not.toEqual(a1);
    expect(a1.flat()).not.toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('shuffles uniformly enough: each index lands in each half about equally often', () => {
    // 2000 epochs of 10 indices: index 0 lands in the first half with probability 1/2.
    const it = batches(10, 5, { seed: 9 });
    let firstHalf = 0;
    for (let e = 0; e < 2000; e++) if (epoch(it)[0].includes(0)) firstHalf++;
    expect(Math.abs(firstHalf - 1000)).toBeLessThanOrEqual(4 * Math.sqrt(500));
  });

  it('refuses bad arguments, naming them', () => {
    const bad: [() => unknown, string][] = [
      [() => batches(-1, 2), 'n'],
      [() => batches(2.5, 2), 'n'],
      [() => batches(10, 0), 'batchSize'],
      [() => batches(10, 1.5), 'batchSize'],
      [() => batches(10, 2, { shuffle: 1 as never }), 'options.shuffle'],
      [() => batches(10, 2, { seed: -3 }), 'options.seed'],
      [() => batches(10, 2, { size: 3 } as never), 'options.size'],
    ];
    expectArgumentErrors(bad);
  });
});
