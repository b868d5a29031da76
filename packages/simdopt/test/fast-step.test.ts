/**
 * `step()` re-uses its plan while nothing changed; every change a user can make between steps
 * must still take effect exactly as on a fresh plan. Each case is compared with the same run
 * where every step goes through a new optimizer restored from the state dict (the full path).
 */
import { describe, expect, it } from 'vitest';
import { Adam, init, NAdam, Parameter, ScheduleFreeAdamW, ScheduleFreeSGD, SGD, type Optimizer } from 'simdopt';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any optimizer's options
type AnyOptimizer = Optimizer<any>;
type Make = (ps: Parameter[]) => AnyOptimizer;
type Change = (opt: AnyOptimizer, ps: Parameter[], t: number) => void;

function run(make: Make, change: Change, fresh: boolean): number[][] {
  const ps = [Parameter.from([1, -2, 3, 0.5, 7]), Parameter.from([0.25, -1, 2])];
  let opt = make(ps);
  for (let t = 0; t < 8; t++) {
    change(opt, ps, t);
    if (fresh) {
      const saved = opt.stateDict();
      const groups = opt.paramGroups.map((g) => g.params);
      opt.dispose();
      opt = make(ps);
      for (let i = 1; i < groups.length; i++) opt.addParamGroup({ params: groups[i] });
      opt.paramGroups[0].params.splice(0, Infinity, ...groups[0]);
      opt.loadStateDict(saved);
    }
    ps.forEach((p, j) => p.grad.set(Array.from({ length: p.size }, (_, i) => Math.sin(t + i + 3 * j))));
    opt.step();
  }
  const out = ps.map((p) => Array.from(p.data));
  opt.dispose();
  ps.forEach((p) => p.dispose());
  return out;
}

/** A Schedule-Free optimizer in train mode (it steps only there). */
function trained(o: ScheduleFreeAdamW | ScheduleFreeSGD): AnyOptimizer {
  o.train();
  return o as AnyOptimizer;
}

const CHANGES: [string, Make, Change][] = [
  ['lr changed every step', (ps) => new Adam(ps, { lr: 0.1 }), (o, _p, t) => (o.paramGroups[0].lr = 0.1 / (t + 1))],
  ['betas changed in place', (ps) => new Adam(ps, { lr: 0.1 }), (o, _p, t) => {
    if (t === 3) (o.paramGroups[0].betas as number[])[0] = 0.5;
  }],
  ['requiresGrad toggled', (ps) => new Adam(ps, { lr: 0.1 }), (_o, ps, t) => (ps[1].requiresGrad = t % 3 !== 1)],
  ['momentum switched on (new buffer, first-step copy)', (ps) => new SGD(ps, { lr: 0.1, dampening: 0.5 }), (o, _p, t) => {
    if (t === 4) o.paramGroups[0].momentum = 0.9;
  }],
  ['amsgrad switched on (new slot)', (ps) => new Adam(ps, { lr: 0.1 }), (o, _p, t) => {
    if (t === 2) o.paramGroups[0].amsgrad = true;
  }],
  // Schedule-Free's group bookkeeping advances inside every step (the group changes under the plan).
  ['ScheduleFreeAdamW warm-up, lr changed, eval/train between steps', (ps) => trained(new ScheduleFreeAdamW(ps, { lr: 0.1, warmupSteps: 3 })), (o, _p, t) => {
    o.paramGroups[0].lr = 0.1 / (t + 1);
    if (t === 4) {
      const sf = o as unknown as ScheduleFreeAdamW;
      sf.eval();
      sf.train();
    }
  }],
  ['ScheduleFreeSGD with a frozen parameter', (ps) => trained(new ScheduleFreeSGD(ps, { lr: 0.5, weightDecay: 0.1 })), (_o, ps, t) => (ps[1].requiresGrad = t !== 3)],
  ['NAdam scalar state with a frozen parameter', (ps) => new NAdam(ps, { lr: 0.05 }), (_o, ps, t) => (ps[0].requiresGrad = t !== 2)],
];

describe.each(['wasm-simd', 'js'] as const)('fast step on %s', (backend) => {
  it.each(CHANGES)('%s', async (_name, make, change) => {
    await init({ backend });
    expect(run(make, change, false)).toEqual(run(make, change, true));
  });

  it('a parameter pushed into a group is stepped', async () => {
    await init({ backend });
    const a = Parameter.from([1, 2]);
    const b = Parameter.from([3, 4]);
    const opt = new SGD([a], { lr: 0.5 });
    a.grad.set([1, 1]);
    b.grad.set([1, 1]);
    opt.step();
    opt.paramGroups[0].params.push(b);
    opt.step();
    expect(Array.from(a.data)).toEqual([0, 1]);
    expect(Array.from(b.data)).toEqual([2.5, 3.5]);
  });

  it('a group added between steps is stepped, and exclude skips a parameter once', async () => {
    await init({ backend });
    const a = Parameter.from([1, 2]);
    const b = Parameter.from([3, 4]);
    const opt = new SGD([a], { lr: 0.5 });
    a.grad.set([1, 1]);
    b.grad.set([2, 2]);
    opt.step();
    opt.addParamGroup({ params: [b], lr: 1 });
    opt.step({ exclude: [a] });
    expect(Array.from(a.data)).toEqual([0.5, 1.5]);
    expect(Array.from(b.data)).toEqual([1, 2]);
    opt.step();
    expect(Array.from(a.data)).toEqual([0, 1]);
    expect(Array.from(b.data)).toEqual([-1, 0]);
  });
});
