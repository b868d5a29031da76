/** Every reference trajectory of every optimizer, through the public API, on every backend. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, Parameter } from 'simdopt';
import { allOptimizerCases, BACKENDS, camelOptions, OPTIMIZER_VECTORS, optimizerClass, REFERENCE_ONLY_STATE, tolerance } from './support/vectors.js';

const cases = allOptimizerCases();
/** Largest error/tolerance per optimizer class over every backend (printed at the end). */
const worstByFile = new Map<string, number>();

afterAll(() => {
  const summary = [...worstByFile].map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
  console.log(`reference vectors, worst error/tolerance: ${summary}`);
});

describe('reference vector files', () => {
  it('every optimizer file names a registered optimizer', () => {
    // The first-wave files and the later ones (ADOPT, LAMB, Schedule-Free, Adafactor, Muon).
    expect(OPTIMIZER_VECTORS.length).toBeGreaterThanOrEqual(15);
    for (const { path, file, className } of OPTIMIZER_VECTORS) expect(() => optimizerClass(className), `${path}: optimizer '${file.optimizer}'`).not.toThrow();
  });
});

describe.each(BACKENDS)('reference vectors on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  it.each(cases.map(({ className, c }) => [c.id, className, c] as const))('%s', (_id, className, c) => {
    const p = Parameter.from(c.init, c.shape ? { shape: c.shape } : {});
    const opt = new (optimizerClass(className))([p], camelOptions(c.hyper));
    const modes = opt as unknown as { train?(): void; eval?(): void };
    // Schedule-Free starts in eval mode, as the reference.
    modes.train?.();
    let worst = 0;
    for (let k = 0; k < c.steps; k++) {
      p.grad.set(c.grads[k]);
      opt.step();
      const evalNow = c.eval_after?.includes(k + 1) === true;
      if (evalNow) modes.eval!();
      const tol = tolerance(c, k);
      for (let i = 0; i < p.size; i++) {
        const err = Math.abs(p.data[i] - c.expected[k][i]);
        worst = Math.max(worst, err / tol);
        if (!(err <= tol)) {
          expect.fail(`${c.id} step ${k + 1} element ${i}: ${p.data[i]} vs ${c.expected[k][i]} (tolerance ${tol})`);
        }
      }
      if (evalNow) modes.train!();
    }
    // The final state, under PyTorch's names: every entry the reference has, and nothing else.
    const state = opt.stateDict().state[0] ?? {};
    const pytorchNames = Object.keys(c.final_state).filter((n) => !REFERENCE_ONLY_STATE.has(n));
    expect(Object.keys(state).sort()).toEqual(pytorchNames.sort());
    for (const name of pytorchNames) {
      const want = c.final_state[name];
      if (Array.isArray(want)) {
        const got = state[name] as Float32Array;
        expect(got, `state ${name}`).toBeInstanceOf(Float32Array);
        const scale = Math.max(1e-30, ...want.map(Math.abs));
        for (let i = 0; i < want.length; i++) {
          expect(Math.abs(got[i] - want[i]), `${name}[${i}]`).toBeLessThanOrEqual(scale * 2e-5 + 1e-12);
        }
      } else if (name === 'step') {
        expect(state.step).toBe(want);
      } else {
        // Scalar state kept in float64 (NAdam's mu_product): as exact as the reference.
        expect(Math.abs((state[name] as number) - want) / Math.abs(want), name).toBeLessThanOrEqual(1e-12);
      }
    }
    worstByFile.set(className, Math.max(worstByFile.get(className) ?? 0, worst));
    expect(worst).toBeLessThanOrEqual(1);
    opt.dispose();
    p.dispose();
  });
});
