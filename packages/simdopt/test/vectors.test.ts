/** Every reference trajectory of every optimizer, through the public API, on every backend. */
import { describe, expect, it, beforeAll } from 'vitest';
import { init, Parameter } from 'simdopt';
import { allOptimizerCases, BACKENDS, camelOptions, optimizerClass, tolerance } from './support/vectors.js';

const cases = allOptimizerCases();

describe.each(BACKENDS)('reference vectors on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  it.each(cases.map(({ className, c }) => [c.id, className, c] as const))('%s', (_id, className, c) => {
    const p = Parameter.from(c.init);
    const opt = new (optimizerClass(className))([p], camelOptions(c.hyper));
    let worst = 0;
    for (let k = 0; k < c.steps; k++) {
      p.grad.set(c.grads[k]);
      opt.step();
      const tol = tolerance(c, k);
      for (let i = 0; i < p.size; i++) {
        const err = Math.abs(p.data[i] - c.expected[k][i]);
        worst = Math.max(worst, err / tol);
        if (!(err <= tol)) {
          expect.fail(`${c.id} step ${k + 1} element ${i}: ${p.data[i]} vs ${c.expected[k][i]} (tolerance ${tol})`);
        }
      }
    }
    // The final state, under PyTorch's names.
    const state = opt.stateDict().state[0] ?? {};
    for (const [name, want] of Object.entries(c.final_state)) {
      if (name === 'step') {
        expect(state.step).toBe(want);
      } else if (Array.isArray(want)) {
        const got = state[name] as Float32Array;
        expect(got, `state ${name}`).toBeInstanceOf(Float32Array);
        const scale = Math.max(1e-30, ...want.map(Math.abs));
        for (let i = 0; i < want.length; i++) {
          expect(Math.abs(got[i] - want[i]), `${name}[${i}]`).toBeLessThanOrEqual(scale * 2e-5 + 1e-12);
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    opt.dispose();
    p.dispose();
  });
});
