/**
 * stream.ts `SegmentSum` (LAMB's per-tensor sums): a fresh `LaneSum` per segment of `SEGMENT`
 * elements, the segments' sums added in order from 0 — two_pass.rs `measure_segments`, whose Rust
 * test checks the same fold.
 */
import { describe, expect, it } from 'vitest';
import { LaneSum, SEGMENT, SegmentSum } from '../src/stream.js';

/**
 * Float32 terms whose scale changes every 1024 elements (one f32 block), from 2^0 to 2^40: the
 * blocks' sums overlap in part, so their float64 additions round and the order shows.
 */
const term = (i: number) => Math.fround(((i * 7919) % 1000) * 1.37e-3 * 2 ** ((Math.floor(i / 1024) % 21) * 2));

function folded(n: number): number {
  let total = 0;
  for (let lo = 0; lo < n; lo += SEGMENT) {
    const hi = Math.min(lo + SEGMENT, n);
    const s = new LaneSum(hi - lo);
    for (let i = lo; i < hi; i++) s.add(term(i));
    total += s.result();
  }
  return total;
}

describe('SegmentSum', () => {
  it('folds a fresh LaneSum per segment in order, from 0', () => {
    for (const n of [0, 1, 5, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT + 7, 3 * SEGMENT + 4097]) {
      const s = new SegmentSum(n);
      for (let i = 0; i < n; i++) s.add(term(i));
      expect(Object.is(s.result(), folded(n)), `n ${n}`).toBe(true);
    }
  });

  it('is not one LaneSum over a tensor of several segments (the partition shows in the bits)', () => {
    const lengths = [SEGMENT + 1, SEGMENT + 4097, 2 * SEGMENT + 7, 3 * SEGMENT + 4097];
    const differ = lengths.filter((n) => {
      const whole = new LaneSum(n);
      for (let i = 0; i < n; i++) whole.add(term(i));
      expect(Math.abs(whole.result() - folded(n)) / folded(n)).toBeLessThan(1e-14);
      return whole.result() !== folded(n);
    });
    expect(differ.length).toBeGreaterThan(0);
  });
});
