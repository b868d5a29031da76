/**
 * PyTorch interop, both ways, against real PyTorch (test/vectors/torch/state_dicts.json, written
 * by scripts/torch_vectors/state_dicts.py with PyTorch 1.13):
 * - PyTorch's `optimizer.state_dict()` exported as JSON after k steps loads into simdopt (on every
 *   backend) over parameters holding PyTorch's values at k; m more steps with the same gradients
 *   equal PyTorch's own continuation within float32 rounding;
 * - simdopt's `stateDict({ format: 'torch' })` after the same k steps has PyTorch's keys and values.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as simdopt from 'simdopt';
import { init, Parameter, SimdoptError, StepLR, type Optimizer } from 'simdopt';
import file from '../../../test/vectors/torch/state_dicts.json';
import { BACKENDS } from './support/vectors.js';

type Nested = number | Nested[];
interface Case {
  id: string;
  optimizer: string;
  options: Record<string, unknown>;
  shapes: number[][][];
  k: number;
  m: number;
  init: Nested[];
  grads: Nested[][];
  params_at_k: Nested[];
  state_dict: { state: Record<string, Record<string, Nested | null>>; param_groups: Record<string, unknown>[] };
  expected: Nested[];
}
const CASES = (file as unknown as { cases: Case[] }).cases;

/** PyTorch's implementation switches, which simdopt ignores and does not write. */
const IGNORED = new Set(['foreach', 'fused', 'capturable', 'differentiable']);
/** Options simdopt writes that PyTorch 1.13 lacks for some classes and 2.x has. */
const NEWER_IN_TORCH_2 = new Set(['decoupled_weight_decay', 'maximize']);

const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Distance in float32 units in the last place of the larger magnitude (at least that of 1e-6, so
 * values crossing zero count against an absolute floor).
 */
function ulps(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b), 1e-6);
  const ulp = 2 ** (Math.floor(Math.log2(scale)) - 23);
  return Math.abs(a - b) / ulp;
}

function maxUlps(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((x, i) => (worst = Math.max(worst, ulps(x, b[i]))));
  return worst;
}

/** Groups of Parameters from flat values, shaped as the case's groups. */
function params(c: Case, values: Nested[]): Parameter[][] {
  let i = 0;
  return c.shapes.map((shapes) => shapes.map((shape) => Parameter.from(flat(values[i++]), { shape })));
}

function optimizer(c: Case, groups: Parameter[][], options: Record<string, unknown> = {}): Optimizer<simdopt.BaseOptions> {
  const Ctor = (simdopt as unknown as Record<string, new (p: unknown, o: unknown) => Optimizer<simdopt.BaseOptions>>)[c.optimizer];
  const input = groups.length === 1 ? groups[0] : groups.map((ps, gi) => ({ params: ps, ...(gi === 1 ? { lr: (options.lr as number) * 3 } : {}) }));
  return new Ctor(input, options);
}

function applyGrads(c: Case, ps: Parameter[], t: number): void {
  ps.forEach((p, i) => p.grad.set(flat(c.grads[t][i])));
}

/** The worst distance seen per direction, printed at the end (the figure the README quotes). */
const worstSeen = { load: 0, export: 0 };
afterAll(() => {
  console.log(`PyTorch interop: worst distance ${worstSeen.load} ulps after loading and continuing, ${worstSeen.export} ulps in the exported state`);
});

/** Float32 drift allowed over m steps: a few ulps per step and operation (the worst seen is reported). */
const TOLERANCE_ULPS = 64;

describe.each(BACKENDS)('PyTorch state dicts on %s', (backend) => {
  it.each(CASES.map((c) => [c.id, c] as const))('%s: PyTorch’s dict at k loads and continues as PyTorch does', async (_id, c) => {
    await init({ backend });
    const groups = params(c, c.params_at_k);
    const ps = groups.flat();
    const opt = optimizer(c, groups, { lr: (c.options.lr) ?? 1e-3 });
    // Exactly what Python's json.dumps wrote: nested lists, null for SGD's absent momentum buffer.
    opt.loadStateDict(structuredClone(c.state_dict) as never);
    for (const [k, v] of Object.entries(c.state_dict.param_groups[0])) {
      if (k !== 'params' && !IGNORED.has(k)) expect((opt.paramGroups[0] as unknown as Record<string, unknown>)[camel(k)]).toEqual(v);
    }
    for (let t = c.k; t < c.k + c.m; t++) {
      applyGrads(c, ps, t);
      opt.step();
    }
    const worst = maxUlps(ps.flatMap((p) => [...p.data]), c.expected.flatMap(flat));
    worstSeen.load = Math.max(worstSeen.load, worst);
    expect(worst).toBeLessThanOrEqual(TOLERANCE_ULPS);
    opt.dispose();
    ps.forEach((p) => p.dispose());
  });

  it.each(CASES.map((c) => [c.id, c] as const))('%s: stateDict({ format: "torch" }) at k equals PyTorch’s', async (_id, c) => {
    await init({ backend });
    const groups = params(c, c.init);
    const ps = groups.flat();
    const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [camel(k), v]));
    const opt = optimizer(c, groups, options);
    const sched = c.id.endsWith('_with_scheduler') ? new StepLR(opt, { stepSize: 2, gamma: 0.5 }) : null;
    for (let t = 0; t < c.k; t++) {
      applyGrads(c, ps, t);
      opt.step();
      sched?.step();
    }
    const mine = opt.stateDict({ format: 'torch' });
    const theirs = c.state_dict;
    // The same parameters have state (PyTorch's all-None entries are no state).
    const withState = Object.keys(theirs.state).filter((k) => Object.values(theirs.state[k]).some((v) => v !== null));
    expect(Object.keys(mine.state).sort()).toEqual(withState.sort());
    let worst = 0;
    for (const key of withState) {
      const entry = Object.fromEntries(Object.entries(theirs.state[key]).filter(([, v]) => v !== null));
      expect(Object.keys(mine.state[key]).sort()).toEqual(Object.keys(entry).sort());
      for (const [name, value] of Object.entries(entry)) {
        const ours = mine.state[key][name];
        // Same nesting (the parameter's shape), same values within rounding.
        expect(JSON.stringify(ours).replace(/[^[\]]/g, '')).toBe(JSON.stringify(value).replace(/[^[\]]/g, ''));
        worst = Math.max(worst, maxUlps(flat(ours), flat(value!)));
      }
    }
    worstSeen.export = Math.max(worstSeen.export, worst);
    expect(worst).toBeLessThanOrEqual(TOLERANCE_ULPS);
    expect(mine.param_groups).toHaveLength(theirs.param_groups.length);
    mine.param_groups.forEach((g, gi) => {
      const t = theirs.param_groups[gi];
      const theirKeys = Object.keys(t).filter((k) => !IGNORED.has(k));
      for (const k of theirKeys) expect(g[k], k).toEqual(t[k]);
      const extra = Object.keys(g).filter((k) => !theirKeys.includes(k));
      expect(extra.every((k) => NEWER_IN_TORCH_2.has(k)), extra.join()).toBe(true);
    });
    // JSON-safe as it is: what Python reads.
    expect(JSON.parse(JSON.stringify(mine))).toEqual(mine);
    opt.dispose();
    ps.forEach((p) => p.dispose());
  });
});

describe('PyTorch dicts that do not fit', () => {
  const adam = CASES.find((c) => c.id === 'adam')!;
  const sgd = CASES.find((c) => c.id === 'sgd_momentum')!;

  it('another class’s dict, other sizes, a null element: SimdoptError naming the field, nothing changes', async () => {
    await init();
    const groups = params(adam, adam.params_at_k);
    const opt = optimizer(adam, groups, { lr: 0.5 });
    const before = JSON.stringify(opt.stateDict({ format: 'torch' }));
    // SGD's dict into Adam: SGD's group options are unknown to Adam (checked first) …
    expect(() => opt.loadStateDict(structuredClone(sgd.state_dict) as never)).toThrow(/stateDict\.paramGroups\[0\]\.momentum: .*unknown key/);
    // … with Adam's groups, SGD's state has no step counter, and momentum_buffer is not Adam state.
    const sgdState = { ...structuredClone(sgd.state_dict), param_groups: structuredClone(adam.state_dict.param_groups) };
    expect(() => opt.loadStateDict(sgdState as never)).toThrow(/stateDict\.state\[0\]\.step: expected an integer >= 0, got undefined/);
    const sgdWithStep = structuredClone(sgdState);
    for (const e of Object.values(sgdWithStep.state)) e.step = 3;
    expect(() => opt.loadStateDict(sgdWithStep as never)).toThrow(/stateDict\.state\[0\]\.momentum_buffer: expected one of exp_avg/);
    const shorter = structuredClone(adam.state_dict);
    (shorter.state['1'].exp_avg as number[]).pop();
    expect(() => opt.loadStateDict(shorter as never)).toThrow(/stateDict\.state\[1\]\.exp_avg: expected a Float32Array or number\[\] of length 5/);
    const withNull = structuredClone(adam.state_dict);
    (withNull.state['0'].exp_avg_sq as Nested[][])[1][2] = null as never;
    expect(() => opt.loadStateDict(withNull as never)).toThrow(SimdoptError);
    expect(() => opt.loadStateDict(withNull as never)).toThrow(/element \[1\]\[2\] is null/);
    expect(JSON.stringify(opt.stateDict({ format: 'torch' }))).toBe(before);
    expect(() => opt.stateDict({ format: 'tf' } as never)).toThrow(/options\.format: expected 'simdopt' or 'torch'/);
    opt.dispose();
    groups.flat().forEach((p) => p.dispose());
  });

  it('simdopt reads its own torch layout back (round trip through JSON)', async () => {
    await init();
    const groups = params(adam, adam.params_at_k);
    const opt = optimizer(adam, groups, { lr: 0.5 });
    opt.loadStateDict(structuredClone(adam.state_dict) as never);
    const text = JSON.stringify(opt.stateDict({ format: 'torch' }));
    const again = optimizer(adam, groups, { lr: 0.5 });
    again.loadStateDict(JSON.parse(text));
    expect(JSON.stringify(again.stateDict())).toBe(JSON.stringify(opt.stateDict()));
    opt.dispose();
    again.dispose();
    groups.flat().forEach((p) => p.dispose());
  });
});
