/**
 * LBFGS outside the step()-driven tables (its step takes a closure): state dicts and checkpoints
 * that resume bit for bit (also on another backend), skipNonFinite that puts everything back,
 * bad input that changes nothing, bounded history and memory, frozen parameters, maxEval.
 * Its trajectories against PyTorch are in torch-vectors-extras.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendInfo, checkpoint, init, LBFGS, loadState, Parameter, restore, saveState, SimdoptError, StepLR, type OptimizerState, type TorchOptimizerState } from 'simdopt';
import { evaluate, lbfgsClosure, type Objective } from './support/objectives.js';
import { sameBits, thrown } from './support/harness.js';
import { BACKENDS } from './support/vectors.js';

const ROSEN: Objective = { kind: 'rosenbrock' };
const START = [-1.2, 1, -0.5, 0.8, 1.3, 0.7, 0.2];

function model(start = START, sizes = [4, 3]): Parameter[] {
  let off = 0;
  return sizes.map((s) => {
    const p = Parameter.from(start.slice(off, off + s));
    off += s;
    return p;
  });
}

const flat = (ps: Parameter[]) => Float32Array.from(ps.flatMap((p) => [...p.data]));


describe.each(BACKENDS)('LBFGS on %s', (backend) => {
  beforeEach(async () => {
    await init({ backend, initialMemoryBytes: 1 << 22 });
  });

  for (const lineSearchFn of [null, 'strong_wolfe'] as const) {
    it(`${lineSearchFn}: stateDict (structuredClone, saveState text, number[] payloads) resumes bit for bit`, () => {
      const params = model();
      const opt = new LBFGS(params, { lineSearchFn, lr: lineSearchFn ? 1 : 0.2, maxIter: 4, historySize: 3 });
      const closure = lbfgsClosure(ROSEN, params);
      opt.step(closure);
      opt.step(closure);
      const saved = opt.stateDict();
      // PyTorch's layout, as Python's json.dumps would hand it over: flat lists, snake_case options.
      const torchSaved = JSON.parse(JSON.stringify(opt.stateDict({ format: 'torch' }))) as TorchOptimizerState;
      expect(torchSaved.param_groups[0]).toMatchObject({ max_iter: 4, history_size: 3, line_search_fn: lineSearchFn, params: [0, 1] });
      expect((torchSaved.state[0] as Record<string, unknown>).old_dirs).toHaveLength(3);
      const at2 = params.map((p) => p.data.slice());
      const losses = [opt.step(closure), opt.step(closure)];
      const st = saved.state[0] as Record<string, unknown>;
      expect(Object.keys(st).sort()).toEqual(['H_diag', 'd', 'func_evals', 'n_iter', 'old_dirs', 'old_stps', 'prev_flat_grad', 'prev_loss', 'ro', 't']);
      expect((st.old_dirs as Float32Array[]).length).toBe(3); // historySize bounds the pairs
      expect(st.d).toBeInstanceOf(Float32Array);
      expect((st.d as Float32Array).length).toBe(7);
      const asNumbers = JSON.parse(JSON.stringify(saved, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v))) as OptimizerState;
      const plainJson = JSON.parse(JSON.stringify(saved)) as OptimizerState; // Float32Arrays become index-keyed objects
      for (const copy of [structuredClone(saved), loadState<OptimizerState>(saveState(saved)), asNumbers, plainJson, torchSaved]) {
        const ps = at2.map((d) => Parameter.from(d));
        const resumed = new LBFGS(ps, {});
        resumed.loadStateDict(copy);
        expect(resumed.paramGroups[0].lineSearchFn).toBe(lineSearchFn);
        const c = lbfgsClosure(ROSEN, ps);
        expect([resumed.step(c), resumed.step(c)]).toEqual(losses);
        expect(sameBits(flat(ps), flat(params))).toBe(true);
        expect(saveState(resumed.stateDict())).toBe(saveState(opt.stateDict()));
        resumed.dispose();
        ps.forEach((p) => p.dispose());
      }
      opt.dispose();
      params.forEach((p) => p.dispose());
    });
  }

  it('checkpoint/restore with a scheduler resumes bit for bit', () => {
    const params = model();
    const opt = new LBFGS(params, { lr: 0.5, maxIter: 3 });
    const sched = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    const closure = lbfgsClosure(ROSEN, params);
    opt.step(closure);
    sched.step();
    const text = saveState(checkpoint({ parameters: params, optimizer: opt, scheduler: sched }));
    opt.step(closure);
    sched.step();
    opt.step(closure);
    const ps = model([0, 0, 0, 0, 0, 0, 0]);
    const o2 = new LBFGS(ps, { lr: 0.5, maxIter: 3 });
    const s2 = new StepLR(o2, { stepSize: 1, gamma: 0.5 });
    restore(loadState(text), { parameters: ps, optimizer: o2, scheduler: s2 });
    const c2 = lbfgsClosure(ROSEN, ps);
    o2.step(c2);
    s2.step();
    o2.step(c2);
    expect(sameBits(flat(ps), flat(params))).toBe(true);
    expect(o2.paramGroups[0].lr).toBe(opt.paramGroups[0].lr);
  });

  it('skipNonFinite: a non-finite loss or gradient at any evaluation puts parameters and state back', () => {
    for (const lineSearchFn of [null, 'strong_wolfe'] as const) {
      for (const where of ['loss', 'grad'] as const) {
        for (const bad of [NaN, Infinity]) {
          const params = model();
          const opt = new LBFGS(params, { lineSearchFn, lr: 0.3, maxIter: 5, skipNonFinite: true });
          const good = lbfgsClosure(ROSEN, params);
          opt.step(good);
          const before = { data: flat(params), state: saveState(opt.stateDict()), live: backendInfo().liveBytes };
          // Fine at the first evaluation, bad from the third: the step is stopped midway.
          let calls = 0;
          const poisoned = () => {
            const loss = good();
            if (++calls < 3) return loss;
            if (where === 'grad') params[1].grad[1] = bad;
            return where === 'loss' ? bad : loss;
          };
          const first = opt.step(poisoned);
          expect(calls).toBe(3);
          expect(first).toBe(evaluate(ROSEN, before.data).loss);
          expect(opt.lastStepSkipped).toBe(true);
          expect(sameBits(flat(params), before.data)).toBe(true);
          expect(saveState(opt.stateDict())).toBe(before.state);
          expect(backendInfo().liveBytes).toBeLessThanOrEqual(before.live + 16 * 7 * 4 * 4);
          // A bad first evaluation: nothing at all happens.
          calls = 0;
          const allBad = () => {
            good();
            calls++;
            if (where === 'grad') params[0].grad[0] = bad;
            return where === 'loss' ? bad : 1;
          };
          expect(Object.is(opt.step(allBad), where === 'loss' ? bad : 1)).toBe(true);
          expect(calls).toBe(1);
          expect(sameBits(flat(params), before.data)).toBe(true);
          expect(saveState(opt.stateDict())).toBe(before.state);
          // The next good step runs.
          opt.step(good);
          expect(opt.lastStepSkipped).toBe(false);
          expect(sameBits(flat(params), before.data)).toBe(false);
          opt.dispose();
          params.forEach((p) => p.dispose());
        }
      }
    }
  });

  it('without skipNonFinite a NaN gradient propagates, as in PyTorch', () => {
    const params = model();
    const opt = new LBFGS(params, { maxIter: 3 });
    const good = lbfgsClosure(ROSEN, params);
    opt.step(good);
    opt.step(() => {
      const l = good();
      params[0].grad[2] = NaN;
      return l;
    });
    expect(opt.lastStepSkipped).toBe(false);
    expect(flat(params).some(Number.isNaN)).toBe(true);
  });

  it('bad input is a SimdoptError naming the argument, and changes nothing', () => {
    const params = model();
    const opt = new LBFGS(params, { maxIter: 3 });
    const closure = lbfgsClosure(ROSEN, params);
    opt.step(closure);
    const before = { data: flat(params), state: saveState(opt.stateDict()) };
    const [p0] = params;
    const cases: [string, () => unknown][] = [
      ['closure', () => (opt.step as (c?: unknown) => number)()],
      ['closure', () => (opt.step as (c: unknown) => number)(42)],
      ['closure', () => opt.step(() => 'loss' as unknown as number)],
      ['paramGroup', () => opt.addParamGroup({ params: [Parameter.zeros(2)] })],
      ['params', () => new LBFGS([{ params: [p0] }, { params: [params[1]] }])],
      ['maxIter', () => new LBFGS([p0], { maxIter: 0 })],
      ['maxEval', () => new LBFGS([p0], { maxEval: 1.5 })],
      ['historySize', () => new LBFGS([p0], { historySize: 0 })],
      ['lineSearchFn', () => new LBFGS([p0], { lineSearchFn: 'armijo' as 'strong_wolfe' })],
      ['toleranceGrad', () => new LBFGS([p0], { toleranceGrad: -1 })],
      ['lr', () => new LBFGS([p0], { lr: NaN })],
      ['stateDict.optimizer', () => opt.loadStateDict({ ...opt.stateDict(), optimizer: 'SGD' })],
      ['stateDict.state[0].d', () => opt.loadStateDict(withEntry(opt.stateDict(), 'd', new Float32Array(6)))],
      ['stateDict.state[0].old_dirs[0]', () => opt.loadStateDict(withEntry(opt.stateDict(), 'old_dirs', [new Float32Array(3)]))],
      ['stateDict.state[0].ro', () => opt.loadStateDict(withEntry(opt.stateDict(), 'ro', []))],
      ['stateDict.state[0].momentum', () => opt.loadStateDict(withEntry(opt.stateDict(), 'momentum', 1))],
      ['stateDict.paramGroups[0].maxIter', () => opt.loadStateDict({ ...opt.stateDict(), paramGroups: [{ ...opt.stateDict().paramGroups[0], maxIter: -1 }] })],
    ];
    for (const [argument, f] of cases) expect(thrown(f).argument, argument).toBe(argument);
    // A closure that fails midway (third call) puts everything back before its error propagates.
    let calls = 0;
    expect(thrown(() => opt.step(() => (++calls < 3 ? closure() : ('x' as unknown as number)))).argument).toBe('closure');
    expect(() =>
      opt.step(() => {
        if (++calls > 4) throw new SimdoptError('from the closure', 'mine');
        return closure();
      }),
    ).toThrow('from the closure');
    opt.paramGroups[0].historySize = 0;
    expect(thrown(() => opt.step(closure)).argument).toBe('paramGroups[0].historySize');
    opt.paramGroups[0].historySize = 100;
    expect(sameBits(flat(params), before.data)).toBe(true);
    expect(saveState(opt.stateDict())).toBe(before.state);
    opt.dispose();
    expect(thrown(() => opt.step(closure)).argument).toBe('optimizer');
  });

  it("defaults as API.md; maxEval null or absent is ⌊maxIter·5/4⌋ as PyTorch's None", () => {
    const [p] = model();
    const { params: _p, ...group } = new LBFGS([p]).paramGroups[0];
    expect(group).toEqual({ lr: 1, maxIter: 20, maxEval: 25, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null, skipNonFinite: false });
    expect(new LBFGS([p], { maxIter: 7 }).paramGroups[0].maxEval).toBe(8);
    expect(new LBFGS([p], { maxIter: 7, maxEval: null as never, lineSearchFn: null }).paramGroups[0].maxEval).toBe(8);
    expect(new LBFGS([p], { maxIter: 7, maxEval: 3 }).paramGroups[0].maxEval).toBe(3);
  });

  it('maxEval bounds the closure calls of a fixed-step call; a frozen parameter never moves', () => {
    const params = model();
    params[1].requiresGrad = false;
    const frozen = params[1].data.slice();
    const opt = new LBFGS(params, { lr: 0.1, maxIter: 50, maxEval: 7 });
    let calls = 0;
    const inner = lbfgsClosure(ROSEN, params);
    const closure = () => {
      calls++;
      return inner();
    };
    for (let k = 0; k < 3; k++) {
      calls = 0;
      opt.step(closure);
      expect(calls).toBeLessThanOrEqual(7);
      expect(calls).toBeGreaterThan(1);
    }
    expect(sameBits(params[1].data, frozen)).toBe(true);
    expect(sameBits(params[0].data, Float32Array.from(START.slice(0, 4)))).toBe(false);
  });

  it('an optimizer of a replaced backend is refused by name', async () => {
    const params = model();
    const opt = new LBFGS(params);
    await init({ backend: backend === 'js' ? 'wasm' : 'js' });
    expect(thrown(() => opt.step(() => 0)).argument).toBe('LBFGS optimizer');
    expect(thrown(() => opt.stateDict()).argument).toBe('LBFGS optimizer');
  });

  it('memory: steady across steps, all returned by dispose', () => {
    const live0 = backendInfo().liveBytes;
    const params = model();
    const withParams = backendInfo().liveBytes;
    const opt = new LBFGS(params, { lineSearchFn: 'strong_wolfe', historySize: 4 });
    const closure = lbfgsClosure(ROSEN, params);
    for (let k = 0; k < 3; k++) opt.step(closure);
    const steady = backendInfo().liveBytes;
    for (let k = 0; k < 5; k++) opt.step(closure);
    expect(backendInfo().liveBytes).toBe(steady);
    opt.dispose();
    expect(backendInfo().liveBytes).toBe(withParams);
    params.forEach((p) => p.dispose());
    expect(backendInfo().liveBytes).toBe(live0);
  });
});

function withEntry(s: OptimizerState, key: string, value: unknown): OptimizerState {
  return { ...s, state: { 0: { ...s.state[0], [key]: value } as never } };
}

afterEach(() => {});
