/**
 * Property tests (fast-check, fixed seed, bounded runs) over random sizes 0..300 (several
 * parameters per group, so bodies and tails of every length mod 4 meet in one kernel call),
 * random valid hyperparameters, NaN/±Infinity in the gradients and a parameter frozen for a step:
 * - wasm-simd, wasm and js agree bit for bit (NaN == NaN), parameters and state;
 * - maximize with gradient g is bit-identical to minimize with −g;
 * - coupled weightDecay = λ is bit-identical to adding λ·p to the gradient (both rounded to
 *   float32 as the kernel rounds them).
 * Every tensor the public API makes starts 16-byte aligned; unaligned starts (offsets 0..3) are
 * covered by crates/simdopt-core/tests/lanes_equivalence.rs.
 */
import { settle } from './support/settle.js';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { init, Parameter } from 'simdopt';
import { build, sameBits, sameState, values } from './support/harness.js';
import { FLAT_OPTIMIZERS, schemaDefaults, schemaOf } from './support/reference.js';
import { BACKENDS } from './support/vectors.js';

const SEED = 20240611;
const RUNS = 40;

function accepts(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/** Random valid options for `className` (PyTorch's ranges), every flag included. */
function optionsArb(className: string): fc.Arbitrary<Record<string, unknown>> {
  const unit = (max: number) => fc.double({ min: 0, max, noNaN: true });
  const orZero = (a: fc.Arbitrary<number>) => fc.oneof(fc.constant(0), a);
  const universe = fc.record({
    lr: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
    betas: fc.tuple(unit(0.999), unit(0.999)),
    eps: fc.constantFrom(0, 1e-10, 1e-8, 1e-6, 1e-3, 0.1),
    weightDecay: orZero(unit(0.5)),
    momentum: orZero(unit(0.99)),
    dampening: orZero(unit(1)),
    nesterov: fc.boolean(),
    amsgrad: fc.boolean(),
    maximize: fc.boolean(),
    decoupledWeightDecay: fc.boolean(),
    alpha: unit(0.999),
    centered: fc.boolean(),
    rho: unit(1),
    lrDecay: orZero(unit(1)),
    initialAccumulatorValue: orZero(unit(1)),
    momentumDecay: unit(0.1),
    lambd: unit(0.5),
    t0: fc.integer({ min: 0, max: 6 }),
    etas: fc.tuple(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 1.01, max: 3, noNaN: true })),
    stepSizes: fc.tuple(fc.double({ min: 0, max: 1e-3, noNaN: true }), fc.double({ min: 1e-3, max: 50, noNaN: true })),
    decouple: fc.boolean(),
    epsRoot: fc.constantFrom(0, 1e-8, 1e-3),
    warmupSteps: fc.integer({ min: 0, max: 4 }),
    r: fc.constantFrom(0, 0.5, 2),
    weightLrPower: fc.constantFrom(0, 1, 2),
  });
  return universe.map((u) => {
    const o: Record<string, unknown> = {};
    const spec = schemaOf(className).options;
    // Options outside this universe (a newer optimizer's own) keep their defaults.
    for (const k of Object.keys(spec)) if (k in u) o[k] = u[k as keyof typeof u];
    if (className === 'AdamW') delete o.decoupledWeightDecay;
    if (className === 'ScheduleFreeSGD') o.momentum = Math.max(o.momentum as number, 0.1);
    if (o.nesterov) Object.assign(o, { dampening: 0, momentum: Math.max(o.momentum as number, 0.1) });
    // So do values outside an optimizer's own range (Prodigy's eps > 0).
    for (const k of Object.keys(o)) if (!accepts(() => spec[k].check(k, o[k]))) delete o[k];
    return o;
  });
}

interface Scenario {
  options: Record<string, unknown>;
  sizes: number[];
  steps: number;
  seed: number;
  /** Poison some gradient elements with NaN/±Infinity/−0. */
  poison: boolean;
  /** Index of a parameter excluded at step 2 (its step counter then lags). */
  frozen: number | null;
}

function scenarioArb(className: string): fc.Arbitrary<Scenario> {
  return fc.record({
    options: optionsArb(className),
    sizes: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 4 }),
    steps: fc.integer({ min: 1, max: 8 }),
    seed: fc.integer({ min: 0, max: 2 ** 30 }),
    poison: fc.boolean(),
    frozen: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  });
}

/** The gradient of parameter i at step k of a scenario. */
function gradient(s: Scenario, k: number, i: number, n: number): Float32Array {
  const g = values(s.seed + 7919 * k + 31 * i, n, 3);
  if (s.poison && n > 0) {
    const specials = [NaN, Infinity, -Infinity, -0];
    specials.forEach((v, j) => (g[(s.seed + 13 * j + k) % n] = v));
  }
  return g;
}

/**
 * Runs a scenario on the active backend; `gradFor` may rewrite each gradient from the current
 * parameter values. Returns copies of the final data and the state dict.
 */
function run(
  className: string,
  s: Scenario,
  options = s.options,
  gradFor: (g: Float32Array, p: Float32Array) => Float32Array = (g) => g,
): { data: Float32Array[]; state: Record<string, unknown> } {
  const params = s.sizes.map((n, i) => Parameter.from(values(s.seed + i, n, 2)));
  const opt = build(className, params, options);
  for (let k = 1; k <= s.steps; k++) {
    params.forEach((p, i) => p.grad.set(gradFor(gradient(s, k, i, p.size), p.data)));
    const frozen = k === 2 && s.frozen !== null && s.frozen < params.length ? [params[s.frozen]] : [];
    opt.step({ exclude: frozen });
  }
  const out = { data: params.map((p) => p.data.slice()), state: opt.stateDict().state };
  opt.dispose();
  params.forEach((p) => p.dispose());
  return out;
}

function same(a: ReturnType<typeof run>, b: ReturnType<typeof run>): boolean {
  return a.data.every((d, i) => sameBits(d, b.data[i])) && sameState(a.state, b.state);
}

describe.each(FLAT_OPTIMIZERS)('%s', (className) => {
  it('wasm-simd, wasm and js agree bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(className), async (s) => {
        const results = [];
        await settle();
        for (const backend of BACKENDS) {
          await init({ backend, initialMemoryBytes: 1 << 20 });
          results.push(run(className, s));
        }
        return same(results[0], results[1]) && same(results[0], results[2]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  // Schedule-Free has no maximize option.
  if (!('maximize' in schemaDefaults(className))) return;
  it('maximize with g is minimize with −g, bit for bit', async () => {
    await init({ backend: 'wasm-simd', initialMemoryBytes: 1 << 20 });
    fc.assert(
      fc.property(scenarioArb(className), (s) => {
        const maximized = run(className, s, { ...s.options, maximize: true });
        const negated = run(className, s, { ...s.options, maximize: false }, (g) => g.map((x) => -x));
        return same(maximized, negated);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

});

// The optimizers (with decoupledWeightDecay off) that add wd·p to the gradient; AdamW and Lion
// decay the parameter instead.
// Rprop has no weight decay; LAMB and Schedule-Free AdamW add wd·p to the normalised update, not to the gradient.
const COUPLED = FLAT_OPTIMIZERS.filter((c) => !['AdamW', 'Lion', 'Rprop', 'LAMB', 'ScheduleFreeAdamW'].includes(c));

describe.each(COUPLED)('%s', (className) => {
  it('weightDecay = λ is adding λ·p to the gradient, bit for bit', async () => {
    await init({ backend: 'wasm-simd', initialMemoryBytes: 1 << 20 });
    fc.assert(
      fc.property(scenarioArb(className), fc.double({ min: 1e-4, max: 0.5, noNaN: true }), (s, lambda) => {
        const options = { ...s.options };
        if ('decoupledWeightDecay' in options) options.decoupledWeightDecay = false;
        if ('decouple' in options) options.decouple = false;
        const wd = Math.fround(lambda);
        // maximize negates the gradient before the decay is added: add −λ·p so that −g' = −g + λ·p.
        const sign = options.maximize ? -1 : 1;
        const decayed = run(className, s, { ...options, weightDecay: lambda });
        const added = run(className, s, { ...options, weightDecay: 0 }, (g, p) =>
          g.map((x, i) => Math.fround(x + sign * Math.fround(wd * p[i]))),
        );
        return same(decayed, added);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
