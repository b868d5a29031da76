/**
 * Prodigy (konstmish/prodigy): its float64 reference vectors (several parameters and groups; the
 * shared one-parameter suites cannot hold group-wide d), backends bit for bit, state dicts,
 * skipNonFinite, bad input, and closed-loop convergence — on every backend.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { checkpoint, init, loadState, Parameter, Prodigy, prodigyKernel, prodigyMeasureKernel, restore, saveState, SimdoptError } from 'simdopt';
import vectors from '../../../test/vectors/prodigy.json';
import { gradientAt, makeParams, runSteps, sameBits, sameState, values } from './support/harness.js';
import { BACKENDS, camelOptions } from './support/vectors.js';

interface ProdigyCase {
  id: string;
  groups: Record<string, unknown>[];
  steps: number;
  init: number[][];
  grads: number[][][];
  expected: number[][][];
  final_state: Record<string, number | number[]>[];
  final_groups: Record<string, number>[];
  f32_max_abs_diff: number[];
  final_state_f32_diff: Record<string, number>[];
  final_groups_f32_diff: Record<string, number>[];
}

const cases = (vectors as unknown as { cases: ProdigyCase[] }).cases;
const GROUP_NAMES: Record<string, string> = { d: 'd', d_max: 'dMax', d_numerator: 'dNumerator', d_denom: 'dDenom', d_hat: 'dHat', k: 'k' };
const worst = new Map<string, number>();

afterAll(() => {
  console.log(`prodigy vectors, worst error/tolerance per backend: ${[...worst].map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
});

/** The case's parameters in its groups, as the public API takes them. */
function build(c: ProdigyCase): { params: Parameter[]; opt: Prodigy } {
  const params = c.init.map((x) => Parameter.from(x));
  const groups = c.groups.map((g) => {
    const { params: ids, ...hyper } = g as { params: number[] };
    return { ...camelOptions(hyper), params: ids.map((i) => params[i]) };
  });
  return { params, opt: new Prodigy(groups as never) };
}

describe.each(BACKENDS)('Prodigy on %s', (backend) => {
  beforeEach(async () => {
    await init({ backend, initialMemoryBytes: 1 << 20 });
  });

  it.each(cases.map((c) => [c.id, c] as const))('reference vectors: %s', (_id, c) => {
    const { params, opt } = build(c);
    let w = 0;
    for (let k = 0; k < c.steps; k++) {
      params.forEach((p, i) => p.grad.set(c.grads[k][i]));
      opt.step();
      const scale = Math.max(...c.expected[k].flat().map(Math.abs));
      const tol = 4 * c.f32_max_abs_diff[k] + scale * 2 ** -23;
      params.forEach((p, i) => {
        for (let j = 0; j < p.size; j++) {
          const err = Math.abs(p.data[j] - c.expected[k][i][j]);
          w = Math.max(w, err / tol);
          if (!(err <= tol)) expect.fail(`${c.id} step ${k + 1} param ${i}[${j}]: ${p.data[j]} vs ${c.expected[k][i][j]} (tolerance ${tol})`);
        }
      });
    }
    worst.set(backend, Math.max(worst.get(backend) ?? 0, w));
    const sd = opt.stateDict();
    c.final_state.forEach((want, i) => {
      const got = sd.state[i];
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      for (const [name, v] of Object.entries(want)) {
        if (name === 'step') expect(got.step).toBe(v);
        else {
          const arr = v as number[];
          const scale = Math.max(1e-30, ...arr.map(Math.abs));
          const tol = 4 * c.final_state_f32_diff[i][name] + scale * 2 ** -20;
          arr.forEach((x, j) => expect(Math.abs((got[name] as Float32Array)[j] - x), `${name}[${j}]`).toBeLessThanOrEqual(tol));
        }
      }
    });
    c.final_groups.forEach((want, gi) => {
      const got = opt.groupState(gi) as unknown as Record<string, number>;
      for (const [name, v] of Object.entries(want)) {
        const mine = got[GROUP_NAMES[name]];
        if (name === 'k') expect(mine).toBe(v);
        else expect(Math.abs(mine - v), `${c.id} group ${gi} ${name}: ${mine} vs ${v}`).toBeLessThanOrEqual(4 * c.final_groups_f32_diff[gi][name] + Math.abs(v) * 2 ** -20);
      }
    });
  });

  it('a step with a non-finite gradient under skipNonFinite changes nothing; without it, NaN flows as in the reference', () => {
    const params = makeParams([9, 4]);
    const opt = new Prodigy(params, { skipNonFinite: true, d0: 1e-3 });
    runSteps(opt as never, params, 1, 3);
    const before = opt.stateDict();
    const data = params.map((p) => p.data.slice());
    const groups = opt.groupState();
    params[1].grad[2] = NaN;
    expect(opt.step()).toBe(false);
    params.forEach((p, i) => expect(sameBits(p.data, data[i])).toBe(true));
    expect(sameState(opt.stateDict().state as never, before.state as never)).toBe(true);
    expect(opt.groupState()).toEqual(groups);
    opt.paramGroups[0].skipNonFinite = false;
    expect(opt.step()).toBe(true);
    expect(params[1].data.some(Number.isNaN)).toBe(true);
  });

  it('stateDict/loadStateDict round trip continues bit for bit (per-parameter and group state)', () => {
    const make = (ps: Parameter[]) => new Prodigy([{ params: [ps[0]] }, { params: [ps[1]], eps: 1e-3 }], { d0: 1e-4, weightDecay: 0.01, useBiasCorrection: true });
    const a = makeParams([13, 6]);
    const optA = make(a);
    runSteps(optA as never, a, 1, 5);
    // Payloads as number arrays (a JSON-shaped dict); growthRate stays Infinity, which JSON cannot hold.
    const saved = structuredClone(optA.stateDict());
    for (const s of Object.values(saved.state)) for (const [k, v] of Object.entries(s)) if (v instanceof Float32Array) s[k] = Array.from(v);
    expect(saved.paramGroups[1].d).toBe(optA.groupState(1).d);
    expect(Object.keys(saved.state[0]).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'p0', 's', 'step']);
    const b = a.map((p) => Parameter.from(p.data));
    const optB = make(b);
    optB.loadStateDict(saved);
    runSteps(optA as never, a, 6, 10);
    runSteps(optB as never, b, 6, 10);
    a.forEach((p, i) => expect(sameBits(p.data, b[i].data)).toBe(true));
    expect(sameState(optA.stateDict().state as never, optB.stateDict().state as never)).toBe(true);
    expect(optB.groupState(0)).toEqual(optA.groupState(0));
  });

  it('checkpoint → saveState text → restore continues bit for bit (growthRate Infinity survives)', () => {
    const make = (ps: Parameter[]) => new Prodigy([{ params: [ps[0]] }, { params: [ps[1]], weightDecay: 0.1 }], { d0: 1e-3 });
    const a = makeParams([11, 7]);
    const optA = make(a);
    runSteps(optA as never, a, 1, 4);
    const text = saveState(checkpoint({ parameters: a, optimizer: optA }));
    const b = makeParams([11, 7], 9);
    const optB = make(b);
    restore(loadState(text), { parameters: b, optimizer: optB });
    expect(optB.paramGroups[0].growthRate).toBe(Infinity);
    expect(optB.groupState(1)).toEqual(optA.groupState(1));
    runSteps(optA as never, a, 5, 8);
    runSteps(optB as never, b, 5, 8);
    a.forEach((p, i) => expect(sameBits(p.data, b[i].data)).toBe(true));
    expect(optB.groupState()).toEqual(optA.groupState());
  });

  it('bad input names the argument and changes nothing', () => {
    const params = makeParams([5]);
    const bad: [Record<string, unknown>, string][] = [
      [{ d0: -1 }, 'd0'],
      [{ d0: 0 }, 'd0'],
      [{ eps: 0 }, 'eps'],
      [{ beta3: 1.5 }, 'beta3'],
      [{ growthRate: 0 }, 'growthRate'],
      [{ dCoef: -1 }, 'dCoef'],
      [{ betas: [1, 0.9] }, 'betas'],
      [{ decouple: 1 }, 'decouple'],
      [{ d_coef: 2 }, 'd_coef'],
      [{ growth_rate: 1.02 }, 'growth_rate'],
    ];
    for (const [options, arg] of bad) {
      let err: unknown;
      try {
        new Prodigy(params, options);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(options)).toBeInstanceOf(SimdoptError);
      expect((err as SimdoptError).argument, JSON.stringify(options)).toContain(arg);
    }
    // Group lrs other than the largest or 0 are refused at step(), before anything moves.
    const two = makeParams([4, 3]);
    const opt = new Prodigy([{ params: [two[0]] }, { params: [two[1]], lr: 0.5 }]);
    two.forEach((p, i) => p.grad.set(gradientAt(1, i, p.size)));
    const before = two.map((p) => p.data.slice());
    expect(() => opt.step()).toThrow(SimdoptError);
    expect(opt.stateDict().state).toEqual({});
    two.forEach((p, i) => expect(sameBits(p.data, before[i])).toBe(true));
    // A corrupted group field in a state dict is refused.
    const one = new Prodigy(makeParams([4]));
    runSteps(one as never, one.paramGroups[0].params, 1, 2);
    const sd = one.stateDict();
    sd.paramGroups[0].d = -1;
    expect(() => one.loadStateDict(sd)).toThrow(/d/);
  });

  it('closed loop: minimises a badly scaled quadratic from lr 1 with no tuning', () => {
    const n = 24;
    const target = values(5, n, 3);
    const scales = Float32Array.from({ length: n }, (_, i) => 0.1 + (i % 6));
    const p = Parameter.from(new Float32Array(n));
    const opt = new Prodigy([p]);
    const loss = () => p.data.reduce((s, x, i) => s + 0.5 * scales[i] * (x - target[i]) ** 2, 0);
    const start = loss();
    for (let k = 0; k < 400; k++) {
      for (let i = 0; i < n; i++) p.grad[i] = scales[i] * (p.data[i] - target[i]);
      opt.step();
    }
    expect(loss()).toBeLessThan(start * 1e-3);
    // d grew from d0 = 1e-6 by orders of magnitude: the estimate is doing the work.
    expect(opt.groupState().d).toBeGreaterThan(1e-2);
  });
});

describe('Prodigy: backends agree bit for bit', () => {
  /** Runs a few steps of two groups over lengths 0..67 (NaN and ±Inf included) on one backend. */
  async function run(backend: (typeof BACKENDS)[number]): Promise<Float32Array[][]> {
    await init({ backend, initialMemoryBytes: 1 << 22 });
    const out: Float32Array[][] = [];
    for (const [options, poison] of [
      [{ d0: 1e-3 }, false],
      [{ d0: 1e-3, weightDecay: 0.1, decouple: false, safeguardWarmup: true, growthRate: 1.5 }, false],
      [{ d0: 1e-2, weightDecay: 0.1, useBiasCorrection: true, beta3: 0.5 }, true],
    ] as const) {
      const params = Array.from({ length: 68 }, (_, n) => Parameter.from(values(n + 1, n, 2)));
      const opt = new Prodigy([{ params: params.filter((_, n) => n % 2 === 0) }, { params: params.filter((_, n) => n % 2 === 1), eps: 1e-4 }], options);
      for (let k = 1; k <= 4; k++) {
        params.forEach((p, n) => {
          p.grad.set(gradientAt(k, n, n));
          if (poison && k === 3 && n === 41) {
            p.grad[5] = NaN;
            p.grad[7] = Infinity;
          }
          if (poison && k === 2 && n === 40) p.grad[3] = -Infinity;
        });
        opt.step();
        out.push(params.map((p) => p.data.slice()));
        const sd = opt.stateDict();
        out.push(Object.values(sd.state).flatMap((s) => [s.exp_avg, s.exp_avg_sq, s.s, s.p0] as Float32Array[]));
        const g = opt.groupState();
        out.push([Float32Array.of(g.d, g.dMax, g.dNumerator, g.dDenom)]);
      }
    }
    return out;
  }

  it('wasm-simd, wasm and js give the same bits on every length 0..67, with NaN and ±Inf', async () => {
    const runs = [];
    for (const b of BACKENDS) runs.push(await run(b));
    const [simd, scalar, js] = runs;
    expect(simd.length).toBeGreaterThan(0);
    let nonFinite = 0;
    simd.forEach((row, r) =>
      row.forEach((x, i) => {
        nonFinite += x.filter((v) => !Number.isFinite(v)).length;
        expect(sameBits(x, scalar[r][i]), `row ${r} tensor ${i} (wasm)`).toBe(true);
        expect(sameBits(x, js[r][i]), `row ${r} tensor ${i} (js)`).toBe(true);
      }),
    );
    expect(nonFinite).toBeGreaterThan(0);
  });

  it('the kernels are named for their exports and the measuring kernel sums in table order', () => {
    expect(prodigyKernel.name).toBe('prodigy');
    expect(prodigyMeasureKernel.name).toBe('prodigy_measure');
  });
});
