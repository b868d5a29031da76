/**
 * Behaviour every optimizer shares with PyTorch, class by class: the documented defaults, constructor
 * validation, options read from the param group at every step, frozen parameters skipped like a
 * None grad, and state dicts (names, structured clone, continuation on the same and on another
 * backend, refusal of a state that does not fit).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { init, Parameter } from 'simdopt';
import { build, gradientAt, makeParams, RICH_OPTIONS, RICH_STATE_NAMES, runSteps, sameBits, sameState, SHAPED_OPTIMIZERS, thrown } from './support/harness.js';

/** Per-parameter state kept as numbers (PyTorch's 0-dim tensors), by class; everything else is per element. */
const SCALAR_STATE: Record<string, readonly string[]> = { NAdam: ['mu_product'], ASGD: ['eta', 'mu'] };
import { API_DEFAULTS, CLOSURE_OPTIMIZERS, newRefState, NO_PER_PARAMETER_REFERENCE, OPTIMIZER_CLASSES, referenceStep, schemaDefaults, type RefOptions, type RefState } from './support/reference.js';

beforeEach(async () => {
  await init({ backend: 'wasm-simd', initialMemoryBytes: 1 << 20 });
});


/**
 * Distance of a float32 result from the float64 oracle, in units of 1e-5 relative (at least 1e-5
 * absolute). Over these ≤ 10 steps float32 rounding stays below 0.05 units; a missed option
 * change or a step counter that advanced lands at 20 units or more.
 */
function close(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1e-5 * Math.max(1, Math.abs(want[i]))));
  return worst;
}

/** Runs the oracle over `steps`, calling `options(k)` for the group options of step k, skipping
 * parameter i at step k when `frozen(k, i)`. */
function oracle(
  className: string,
  init: Float32Array[],
  steps: number,
  options: (k: number) => RefOptions,
  frozen: (k: number, i: number) => boolean = () => false,
): { params: Float64Array[]; states: RefState[] } {
  const params = init.map((p) => Float64Array.from(p));
  const states = init.map((p) => newRefState(className, p.length, options(1)));
  for (let k = 1; k <= steps; k++) {
    params.forEach((p, i) => {
      states[i].groupStep = k;
      if (!frozen(k, i)) referenceStep(className, options(k), p, gradientAt(k, i, p.length), states[i]);
    });
  }
  return { params, states };
}

describe.each(Object.keys(API_DEFAULTS))("%s has API.md's defaults", (className) => {
  it('in its schema, its group and its defaults', () => {
    const [p] = makeParams([3]);
    const opt = build(className, [p], {});
    const { params, ...group } = opt.paramGroups[0];
    expect(params).toEqual([p]);
    expect(schemaDefaults(className)).toEqual(API_DEFAULTS[className]);
    const book = className.startsWith('ScheduleFree') ? ['k', 'trainMode', 'weightSum', 'lrMax', 'scheduledLr'] : [];
    expect(Object.fromEntries(Object.entries(group).filter(([k]) => !book.includes(k)))).toEqual({ ...API_DEFAULTS[className], skipNonFinite: false });
    expect(opt.defaults).toEqual({ ...API_DEFAULTS[className], skipNonFinite: false });
  });
});

describe.each(OPTIMIZER_CLASSES)('%s', (className) => {
  const defaults = schemaDefaults(className);
  const rich = RICH_OPTIONS[className];

  it("is constructed with its schema's defaults", () => {
    const [p] = makeParams([3]);
    const opt = build(className, [p], {});
    const { params, ...group } = opt.paramGroups[0];
    expect(params).toEqual([p]);
    // Schedule-Free groups also hold the reference's bookkeeping, which is not an option.
    const book = className.startsWith('ScheduleFree') ? ['k', 'trainMode', 'weightSum', 'lrMax', 'scheduledLr'] : [];
    const options = Object.fromEntries(Object.entries(group).filter(([k]) => !book.includes(k)));
    expect(options).toEqual({ ...defaults, skipNonFinite: false });
    expect(opt.defaults).toEqual({ ...defaults, skipNonFinite: false });
  });

  it('rejects every invalid option with a SimdoptError naming it, and accepts the edges PyTorch accepts', () => {
    const [p] = makeParams([3]);
    const bad: [string, unknown, string][] = [];
    for (const [name, value] of Object.entries(defaults)) {
      // AdamW is Adam with this flag fixed to true (its constructor does not take it).
      if (className === 'AdamW' && name === 'decoupledWeightDecay') continue;
      if (typeof value === 'boolean') bad.push([name, 1, name]);
      else if (name === 'betas') {
        bad.push(
          [name, [1, 0.9], 'betas[0]'],
          [name, [0.9, 1], 'betas[1]'],
          [name, [-0.1, 0.9], 'betas[0]'],
          [name, [NaN, 0.9], 'betas[0]'],
          [name, [0.9, Infinity], 'betas[1]'],
          [name, [0.9], 'betas'],
        );
      } else if (className === 'ASGD' && (name === 'alpha' || name === 't0')) {
        for (const v of [NaN, Infinity, -Infinity, '0.1']) bad.push([name, v, name]); // PyTorch allows any finite α and t0
      } else if (name === 'dampening') {
        bad.push([name, NaN, name], [name, Infinity, name]); // PyTorch allows any finite dampening
      } else {
        for (const v of [-1, NaN, Infinity, -Infinity, '0.1']) bad.push([name, v, name]);
      }
    }
    if ('rho' in defaults) bad.push(['rho', 1.5, 'rho']);
    for (const [name, value, argument] of bad) {
      expect(thrown(() => build(className, [p], { [name]: value })).argument, `${name} = ${String(value)}`).toBe(argument);
      expect(thrown(() => build(className, [{ params: [p], [name]: value }], {})).argument).toBe(`paramGroups[0].${argument}`);
    }
    // Only options the class has: an unknown key is refused (Rprop has no weightDecay).
    const edges: Record<string, unknown> = { lr: 0 };
    for (const name of ['weightDecay', 'eps', 'momentum', 'alpha', 'lrDecay', 'momentumDecay', 'initialAccumulatorValue', 'rho']) {
      if (name in defaults) edges[name] = 0;
    }
    if ('betas' in defaults) edges.betas = [0, 0];
    // The Schedule-Free reference refuses momentum 0 (eval() would divide by it).
    if (className === 'ScheduleFreeSGD') edges.momentum = 0.5;
    expect(() => build(className, [p], edges)).not.toThrow();
    if ('rho' in defaults) expect(() => build(className, [p], { rho: 1 })).not.toThrow();
  });

  it('an option made invalid between steps fails the step and changes nothing', () => {
    const params = makeParams([5]);
    const opt = build(className, params, rich);
    runSteps(opt, params, 1, 2);
    const before = { data: params[0].data.slice(), state: opt.stateDict().state };
    opt.paramGroups[0].lr = -0.1;
    params[0].grad.set(gradientAt(3, 0, 5));
    expect(thrown(() => opt.step()).argument).toBe('paramGroups[0].lr');
    expect(sameBits(params[0].data, before.data)).toBe(true);
    expect(sameState(opt.stateDict().state, before.state)).toBe(true);
  });

  it('skipNonFinite: a step with a NaN or ±Infinity gradient changes nothing and returns false', () => {
    const params = makeParams([5, 6]);
    const opt = build(className, params, { ...rich, skipNonFinite: true });
    runSteps(opt, params, 1, 2);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const before = { data: params.map((p) => p.data.slice()), state: opt.stateDict().state };
      params.forEach((p, i) => p.grad.set(gradientAt(3, i, p.size)));
      params[1].grad[2] = bad;
      expect(opt.step()).toBe(false);
      params.forEach((p, i) => expect(sameBits(p.data, before.data[i])).toBe(true));
      expect(sameState(opt.stateDict().state, before.state)).toBe(true);
    }
    const held = params[1].data.slice();
    params[1].grad[2] = 0.5;
    expect(opt.step()).toBe(true);
    expect(sameBits(params[1].data, held)).toBe(false);
  });

  describe('an option changed between steps is used by the next step', () => {
    const changes: [string, unknown][] = [
      ['lr', (rich.lr as number) * 3],
      ['weightDecay', 0.5],
      ['maximize', true],
    ];
    if ('betas' in defaults) changes.push(['betas', [0.5, 0.9]]);
    if ('momentum' in defaults) changes.push(['momentum', 0.5]);
    if ('dampening' in defaults) changes.push(['dampening', 0.5]);
    // ADOPT's eps floors √v (a clamp) instead of adding to it: 0.1 is below every √v here.
    if ('eps' in defaults) changes.push(['eps', className === 'ADOPT' ? 2 : 0.1]);
    // Schedule-Free takes no maximize (API.md, as the reference).
    if (!('maximize' in defaults)) changes.splice(changes.findIndex(([n]) => n === 'maximize'), 1);
    if ('warmupSteps' in defaults) changes.push(['warmupSteps', 20], ['r', 2], ['weightLrPower', 0.5]);
    if ('alpha' in defaults) changes.push(['alpha', 0.5]);
    if ('rho' in defaults) changes.push(['rho', 0.5]);
    if ('lrDecay' in defaults) changes.push(['lrDecay', 1]);
    if ('momentumDecay' in defaults) changes.push(['momentumDecay', 0.5]);
    // Rprop reads lr only when it fills step_size (state creation, as PyTorch), and has no weight decay.
    if (className === 'Rprop') changes.splice(0, 2, ['etas', [0.3, 1.6]], ['stepSizes', [1e-3, 0.01]]);
    if ('lambd' in defaults) changes.push(['lambd', 0.5]);

    it.each(changes)('%s', (name, value) => {
      const params = makeParams([7, 4]);
      const start = params.map((p) => p.data.slice());
      const opt = build(className, params, rich);
      runSteps(opt, params, 1, 5);
      opt.paramGroups[0][name] = value;
      runSteps(opt, params, 6, 10);
      const group = { ...defaults, ...rich };
      const want = oracle(className, start, 10, (k) => (k <= 5 ? group : { ...group, [name]: value }) as RefOptions);
      params.forEach((p, i) => expect(close(p.data, want.params[i])).toBeLessThanOrEqual(1));
      // The change matters far beyond that tolerance: without it the parameters end elsewhere.
      const unchanged = oracle(className, start, 10, () => group as RefOptions);
      expect(close(params[0].data, unchanged.params[0])).toBeGreaterThan(10);
    });
  });

  it.each(['requiresGrad', 'exclude'] as const)(
    'a parameter frozen by %s is skipped like a None grad (no decay, no state change, step counter kept)',
    (how) => {
      const params = makeParams([5, 7]);
      const [a, b] = params;
      const start = params.map((p) => p.data.slice());
      const opt = build(className, params, rich);
      const frozenAt = new Set([1, 4, 5]);
      for (let k = 1; k <= 8; k++) {
        const frozen = frozenAt.has(k);
        if (how === 'requiresGrad') b.requiresGrad = !frozen;
        params.forEach((p, i) => p.grad.set(gradientAt(k, i, p.size)));
        const before = { data: b.data.slice(), state: opt.stateDict().state[1] ?? {} };
        opt.step(how === 'exclude' && frozen ? { exclude: [b] } : {});
        if (frozen) {
          expect(sameBits(b.data, before.data), `step ${k}: data`).toBe(true);
          expect(sameState(opt.stateDict().state[1] ?? {}, before.state), `step ${k}: state`).toBe(true);
        }
      }
      const state = opt.stateDict().state;
      if ('step' in (state[0] ?? { step: 0 })) {
        expect(state[0].step).toBe(8);
        expect(state[1].step).toBe(8 - frozenAt.size);
      }
      // Against the oracle, in which b's bias corrections lag behind a's.
      const group = { ...defaults, ...rich } as RefOptions;
      const want = oracle(className, start, 8, () => group, (k, i) => i === 1 && frozenAt.has(k));
      expect(close(a.data, want.params[0])).toBeLessThanOrEqual(1);
      expect(close(b.data, want.params[1])).toBeLessThanOrEqual(1);
    },
  );

  it('stateDict has PyTorch\'s names, survives structuredClone and continues bit-identically', () => {
    const params = makeParams([6, 9]);
    const opt = build(className, params, rich);
    runSteps(opt, params, 1, 4);
    const saved = structuredClone(opt.stateDict());
    const dataAt4 = params.map((p) => p.data.slice());
    runSteps(opt, params, 5, 9);
    expect(saved.version).toBe(1);
    expect(saved.optimizer).toBe(className);
    expect(Object.keys(saved.state)).toEqual(['0', '1']);
    expect(Object.keys(saved.state[0]).sort()).toEqual([...RICH_STATE_NAMES[className]].sort());
    for (const [name, v] of Object.entries(saved.state[1])) {
      if (SCALAR_STATE[className]?.includes(name) || name === 'step') expect(typeof v).toBe('number');
      else expect(v, name).toBeInstanceOf(Float32Array);
    }
    expect(saved.paramGroups[0].params).toEqual([0, 1]);
    expect(saved.paramGroups[0].lr).toBe(rich.lr);
    // A new optimizer over copies of the step-4 parameters, loaded with the step-4 state.
    const copies = dataAt4.map((d) => Parameter.from(d));
    const resumed = build(className, copies, {});
    resumed.loadStateDict(saved);
    runSteps(resumed, copies, 5, 9);
    copies.forEach((c, i) => expect(sameBits(c.data, params[i].data)).toBe(true));
    expect(sameState(resumed.stateDict().state, opt.stateDict().state)).toBe(true);
    // Payloads as plain number arrays load too.
    const asNumbers = structuredClone(saved);
    for (const entry of Object.values(asNumbers.state)) {
      for (const [k, v] of Object.entries(entry)) if (v instanceof Float32Array) entry[k] = Array.from(v);
    }
    const copies2 = dataAt4.map((d) => Parameter.from(d));
    const resumed2 = build(className, copies2, {});
    resumed2.loadStateDict(asNumbers);
    runSteps(resumed2, copies2, 5, 9);
    copies2.forEach((c, i) => expect(sameBits(c.data, params[i].data)).toBe(true));
  });

  it('stateDict saved under wasm-simd continues under wasm and js, bit for bit', async () => {
    const params = makeParams([6, 9]);
    const opt = build(className, params, rich);
    runSteps(opt, params, 1, 4);
    const saved = structuredClone(opt.stateDict());
    const dataAt4 = params.map((p) => p.data.slice());
    runSteps(opt, params, 5, 9);
    const want = params.map((p) => p.data.slice());
    for (const backend of ['wasm', 'js'] as const) {
      await init({ backend, initialMemoryBytes: 1 << 20 });
      const copies = dataAt4.map((d) => Parameter.from(d));
      const resumed = build(className, copies, {});
      resumed.loadStateDict(saved);
      runSteps(resumed, copies, 5, 9);
      copies.forEach((c, i) => expect(sameBits(c.data, want[i]), backend).toBe(true));
    }
  });

  it('a state dict that does not fit is a SimdoptError naming the misfit, and changes nothing', () => {
    const params = makeParams([6, 9]);
    const opt = build(className, params, rich);
    const twinParams = makeParams([6, 9]);
    const twin = build(className, twinParams, rich);
    runSteps(opt, params, 1, 3);
    runSteps(twin, twinParams, 1, 3);
    const good = opt.stateDict();
    const otherSizes = (() => {
      const ps = makeParams([6, 10]);
      const o = build(className, ps, rich);
      runSteps(o, ps, 1, 1);
      return o.stateDict();
    })();
    const otherClass = className === 'Adam' ? 'AdamW' : 'Adam';
    // The first per-element slot in the order the optimizer keeps (and checks) them.
    const firstSlot = Object.keys(good.state[1]).find((n) => n !== 'step' && !SCALAR_STATE[className]?.includes(n))!;
    const misfits: [string, unknown][] = [
      ['stateDict.optimizer', { ...good, optimizer: otherClass }],
      ['stateDict.version', { ...good, version: 2 }],
      [`stateDict.state[1].${firstSlot}`, otherSizes],
      ['stateDict.paramGroups', { ...good, paramGroups: [...good.paramGroups, good.paramGroups[0]] }],
      ['stateDict.paramGroups[0].lr', { ...good, paramGroups: [{ ...good.paramGroups[0], lr: -1 }] }],
      ['stateDict.state[0].velocity', { ...good, state: { ...good.state, 0: { ...good.state[0], velocity: new Float32Array(6) } } }],
      ['stateDict.state[5]', { ...good, state: { ...good.state, 5: good.state[0] } }],
    ];
    if (className !== 'SGD') {
      misfits.push(['stateDict.state[0].step', { ...good, state: { ...good.state, 0: { ...good.state[0], step: 1.5 } } }]);
    }
    if (className === 'NAdam') {
      misfits.push(['stateDict.state[0].mu_product', { ...good, state: { ...good.state, 0: { ...good.state[0], mu_product: NaN } } }]);
    }
    for (const [argument, bad] of misfits) {
      expect(thrown(() => opt.loadStateDict(bad as typeof good)).argument).toBe(argument);
    }
    runSteps(opt, params, 4, 6);
    runSteps(twin, twinParams, 4, 6);
    params.forEach((p, i) => expect(sameBits(p.data, twinParams[i].data)).toBe(true));
    expect(sameState(opt.stateDict().state, twin.stateDict().state)).toBe(true);
  });
});

describe('Adagrad creates its state in the constructor, as PyTorch does', () => {
  it('every parameter has step 0 and sum = the constructor\'s initialAccumulatorValue before any step', () => {
    const params = makeParams([3, 5]);
    // PyTorch fills from the constructor argument; a group's own value does not change it.
    const opt = build('Adagrad', [{ params: [params[0]] }, { params: [params[1]], initialAccumulatorValue: 7 }], {
      initialAccumulatorValue: 0.25,
    });
    const { state } = opt.stateDict();
    expect(Object.keys(state)).toEqual(['0', '1']);
    for (const [i, n] of [3, 5].entries()) {
      expect(state[i].step).toBe(0);
      expect(Array.from(state[i].sum as Float32Array)).toEqual(new Array(n).fill(0.25));
    }
  });

  it('a group added later and a parameter absent from a loaded dict start from the same value', () => {
    const [a, b] = makeParams([3, 4]);
    const opt = build('Adagrad', [a], { initialAccumulatorValue: 0.5 });
    opt.addParamGroup({ params: [b] });
    expect(Array.from(opt.stateDict().state[1].sum as Float32Array)).toEqual([0.5, 0.5, 0.5, 0.5]);
    runSteps(opt, [a, b], 1, 2);
    const saved = opt.stateDict();
    delete saved.state[1];
    opt.loadStateDict(saved);
    expect(opt.stateDict().state[1]).toEqual({ step: 0, sum: new Float32Array([0.5, 0.5, 0.5, 0.5]) });
  });
});

describe('NAdam keeps mu_product per parameter, as PyTorch does', () => {
  it('two parameters at the same step with different products get different updates', () => {
    const params = makeParams([5, 6]);
    const start = params.map((p) => p.data.slice());
    const opt = build('NAdam', params, { lr: 0.05 });
    const groupAt = (k: number) => ({ ...schemaDefaults('NAdam'), lr: 0.05, betas: k === 1 ? [0.9, 0.999] : [0.6, 0.999] }) as RefOptions;
    // Step 1: only b; step 2, with other betas: only a. Both are then at step 1, with products
    // μ_1(β1 = 0.9) and μ_1(β1 = 0.6).
    params.forEach((p, i) => p.grad.set(gradientAt(1, i, p.size)));
    opt.step({ exclude: [params[0]] });
    opt.paramGroups[0].betas = [0.6, 0.999];
    params.forEach((p, i) => p.grad.set(gradientAt(2, i, p.size)));
    opt.step({ exclude: [params[1]] });
    const [sa, sb] = [opt.stateDict().state[0], opt.stateDict().state[1]];
    expect([sa.step, sb.step]).toEqual([1, 1]);
    expect(sa.mu_product).not.toBe(sb.mu_product);
    runSteps(opt, params, 3, 6);
    const want = oracle('NAdam', start, 6, groupAt, (k, i) => (k === 1 && i === 0) || (k === 2 && i === 1));
    params.forEach((p, i) => expect(close(p.data, want.params[i])).toBeLessThanOrEqual(1));
    const final = opt.stateDict().state;
    want.states.forEach((s, i) => expect(Math.abs((final[i].mu_product as number) - s.muProduct)).toBeLessThan(1e-15));
  });
});

// Branches docs/SEMANTICS.md describes that test/vectors/*.json does not reach (test/vectors/torch
// reaches them too); the float64 oracle stands in.
describe('branches docs/SEMANTICS.md describes that test/vectors lacks', () => {
  it.each([
    // eps inside the max: with eps = 1e-2 the alternative placement is far off.
    ['Adamax', { lr: 0.05, betas: [0.5, 0.9], eps: 1e-2, maximize: true }],
    // β2 ≤ 2/3 makes ρ∞ ≤ 5: never rectified, bias-corrected SGD with momentum throughout.
    ['RAdam', { lr: 0.05, betas: [0.9, 0.6] }],
  ] as const)('%s %j', (className, options) => {
    const params = makeParams([37]);
    const start = params.map((p) => p.data.slice());
    const opt = build(className, params, options);
    runSteps(opt, params, 1, 20);
    const want = oracle(className, start, 20, () => ({ ...schemaDefaults(className), ...options }));
    expect(close(params[0].data, want.params[0])).toBeLessThanOrEqual(1);
  });
});

describe('every optimizer in one table', () => {
  it('the tested classes are exactly the exported optimizers', async () => {
    const simdopt = await import('simdopt');
    const exported = Object.entries(simdopt)
      .filter(([, v]) => typeof v === 'function' && v.prototype instanceof simdopt.Optimizer)
      .map(([k]) => k)
      .sort();
    // Those the oracle cannot model one parameter at a time have suites of their own.
    expect(exported).toEqual([...OPTIMIZER_CLASSES, ...CLOSURE_OPTIMIZERS, ...SHAPED_OPTIMIZERS, ...NO_PER_PARAMETER_REFERENCE].sort());
  });
});
