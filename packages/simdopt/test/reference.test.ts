/** The float64 oracle of support/reference.ts reproduces test/vectors before other tests trust it. */
import { describe, expect, it } from 'vitest';
import { newRefState, referenceStep, type RefOptions } from './support/reference.js';
import { scheduleFreeSwitch } from './support/reference.js';
import { allOptimizerCases, camelOptions } from './support/vectors.js';
import { SHAPED_OPTIMIZERS } from './support/harness.js';

// The element-wise oracle; Adafactor's and Muon's vectors come from scripts/reference/*.py.
const elementwise = allOptimizerCases().filter(({ className }) => !SHAPED_OPTIMIZERS.includes(className));

describe('float64 reference', () => {
  it.each(elementwise.map(({ className, c }) => [c.id, className, c] as const))('%s', (_id, className, c) => {
    const o = camelOptions(c.hyper) as RefOptions;
    const p = Float64Array.from(c.init);
    const st = newRefState(className, p.length, o);
    for (let k = 0; k < c.steps; k++) {
      referenceStep(className, o, p, c.grads[k], st);
      // Schedule-Free cases record the eval point after these steps, then return to train mode.
      const evalNow = c.eval_after?.includes(k + 1) === true;
      if (evalNow) scheduleFreeSwitch(className, o, p, st, false);
      const scale = Math.max(1, ...c.expected[k].map(Math.abs));
      for (let i = 0; i < p.length; i++) expect(Math.abs(p[i] - c.expected[k][i])).toBeLessThanOrEqual(1e-12 * scale);
      if (evalNow) scheduleFreeSwitch(className, o, p, st, true);
    }
    if (className === 'NAdam') expect(st.muProduct).toBeCloseTo(c.final_state.mu_product as number, 15);
  });
});
