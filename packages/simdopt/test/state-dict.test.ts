/** stateDict → a new optimizer → loadStateDict continues bit-identically on the same backend. */
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, init, Parameter, SGD, SimdoptError, type Optimizer } from 'simdopt';
import { BACKENDS } from './support/vectors.js';

type Make = (ps: Parameter[]) => Optimizer<never>;
const MAKERS: [string, Make][] = [
  ['SGD momentum', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.2 }) as never],
  ['Adam amsgrad', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true }) as never],
  ['AdamW', (ps) => new AdamW(ps, { lr: 0.01 }) as never],
];

function gradAt(t: number, i: number): number {
  return Math.sin(1.7 * t + 0.3 * i) * (1 + (i % 3));
}

function run(make: Make, steps: number, cut: number | null): Float32Array {
  const p = Parameter.from(Array.from({ length: 37 }, (_, i) => Math.cos(i)));
  let opt = make([p]);
  for (let t = 0; t < steps; t++) {
    if (t === cut) {
      const saved = structuredClone(opt.stateDict());
      opt.dispose();
      opt = make([p]);
      opt.loadStateDict(saved);
    }
    p.grad.set(Array.from({ length: 37 }, (_, i) => gradAt(t, i)));
    opt.step();
  }
  opt.dispose();
  const out = p.data.slice();
  p.dispose();
  return out;
}

describe.each(BACKENDS)('state dicts on %s', (backend) => {
  it.each(MAKERS)('%s resumes bit-identically at every cut point', async (_n, make) => {
    await init({ backend });
    const straight = run(make, 12, null);
    for (const cut of [1, 2, 5, 11]) {
      expect(run(make, 12, cut)).toEqual(straight);
    }
  });

  it('uses PyTorch names and layout, and accepts number[] payloads', async () => {
    await init({ backend });
    const a = Parameter.from([1, 2, 3]);
    const b = Parameter.from([4, 5]);
    const opt = new Adam([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.grad.set([1, 1, 1]);
    b.grad.set([1, 1]);
    opt.step();
    const s = opt.stateDict();
    expect(s.optimizer).toBe('Adam');
    expect(Object.keys(s.state[0]).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'step']);
    expect(s.state[1].step).toBe(1);
    expect(s.paramGroups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(s.paramGroups[1].lr).toBe(0.5);
    const json = JSON.parse(
      JSON.stringify(s, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)),
    );
    const other = new Adam([{ params: [a] }, { params: [b] }]);
    other.loadStateDict(json);
    expect(other.paramGroups[1].lr).toBe(0.5);
    expect(other.stateDict().state[0].exp_avg).toEqual(s.state[0].exp_avg);
  });

  it('a state that does not fit is refused and changes nothing', async () => {
    await init({ backend });
    const p = Parameter.from([1, 2, 3]);
    const opt = new Adam([p], { lr: 0.1 });
    p.grad.set([1, 2, 3]);
    opt.step();
    const good = opt.stateDict();
    const bad = [
      { ...good, version: 99 },
      { ...good, optimizer: 'SGD' },
      { ...good, paramGroups: [...good.paramGroups, good.paramGroups[0]] },
      { ...good, state: { 0: { ...good.state[0], exp_avg: new Float32Array(4) } } },
      { ...good, state: { 0: { ...good.state[0], momentum_buffer: new Float32Array(3) } } },
      { ...good, state: { 7: good.state[0] } },
      { ...good, paramGroups: [{ ...good.paramGroups[0], lr: -1 }] },
    ];
    const before = structuredClone(opt.stateDict());
    for (const s of bad) {
      expect(() => opt.loadStateDict(s as never)).toThrow(SimdoptError);
      expect(opt.stateDict()).toEqual(before);
    }
  });
});
