import { describe, expect, it } from 'vitest';
import { power } from '../src/optim/power.js';

describe('power (per-step scalars)', () => {
  it('agrees with Math.pow to 1e-12 relative and gives the same float32 bias corrections', () => {
    let worst = 0;
    let f32Differences = 0;
    for (const beta of [0.9, 0.99, 0.999, 0.9999, 0.95, 0.5, 0.3, 0.96]) {
      for (let t = 1; t <= 100_000; t += t < 1000 ? 1 : 37) {
        const want = Math.pow(beta, t);
        const got = power(beta, t);
        if (want > 1e-290) worst = Math.max(worst, Math.abs(got - want) / want);
        if (Math.fround(1e-3 / (1 - want)) !== Math.fround(1e-3 / (1 - got))) f32Differences++;
        if (Math.fround(Math.sqrt(1 - want)) !== Math.fround(Math.sqrt(1 - got))) f32Differences++;
      }
    }
    expect(worst).toBeLessThan(1e-12);
    expect(f32Differences).toBe(0);
  });

  it('handles the edges: zero base, unit base, zero and fractional exponents', () => {
    expect(power(0, 3)).toBe(0);
    expect(power(1, 12345)).toBe(1);
    expect(power(0, 0)).toBe(1);
    expect(power(0.96, 0)).toBe(1);
    expect(Math.abs(power(0.96, 0.004 * 7) - 0.96 ** 0.028)).toBeLessThan(1e-15);
  });
});
