/**
 * ASGD, Rprop, LBFGS (both line-search modes), AveragedModel and SWALR against runs of real
 * PyTorch (test/vectors/torch, written by scripts/torch_vectors/*.py), on every backend, and the
 * three backends bit for bit against each other on the same runs.
 *
 * Tolerance of step k: tol_k = 4·max_i|expected_f32 − expected| + 1e-6·max(1, |expected|): the
 * reference's own float32-vs-float64 drift, plus a float32-level floor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AveragedModel, init, LBFGS, Parameter, SGD, SWALR } from 'simdopt';
import asgd from '../../../test/vectors/torch/asgd.json';
import rprop from '../../../test/vectors/torch/rprop.json';
import lbfgs from '../../../test/vectors/torch/lbfgs.json';
import swa from '../../../test/vectors/torch/swa_utils.json';
import { BACKENDS, camelOptions, optimizerClass } from './support/vectors.js';
import { lbfgsClosure, type Objective } from './support/objectives.js';

interface Trajectory {
  id: string;
  expected: number[][];
  expected_f32: number[][];
}

function tolerance(c: Trajectory, k: number, i: number): number {
  let drift = 0;
  for (let j = 0; j < c.expected[k].length; j++) drift = Math.max(drift, Math.abs(c.expected_f32[k][j] - c.expected[k][j]));
  return 4 * drift + 1e-6 * Math.max(1, Math.abs(c.expected[k][i]));
}

/** Checks `got` against step k of `c`; returns the worst error/tolerance. */
function check(c: Trajectory, k: number, got: ArrayLike<number>): number {
  let worst = 0;
  expect(got.length).toBe(c.expected[k].length);
  for (let i = 0; i < got.length; i++) {
    const tol = tolerance(c, k, i);
    const err = Math.abs(got[i] - c.expected[k][i]);
    if (!(err <= tol)) expect.fail(`${c.id} step ${k + 1} element ${i}: ${got[i]} vs ${c.expected[k][i]} (tolerance ${tol})`);
    worst = Math.max(worst, err / tol);
  }
  return worst;
}

interface OptCase extends Trajectory {
  hyper: Record<string, unknown>;
  steps: number;
  init: number[];
  grads: number[][];
  final_state: Record<string, number | number[]>;
}

const OPEN_LOOP = [
  { className: 'ASGD', cases: asgd.cases as OptCase[] },
  { className: 'Rprop', cases: rprop.cases as OptCase[] },
];

interface LbfgsCase extends Trajectory {
  hyper: Record<string, unknown>;
  objective: Objective;
  param_sizes: number[];
  steps: number;
  init: number[];
  losses: number[];
  final_state: { func_evals: number; n_iter: number; history?: number; t?: number; H_diag?: number };
}

/** Final values of every run per backend, to compare the backends bit for bit. */
const runs = new Map<string, Map<string, Float32Array>>();
function record(id: string, backend: string, values: ArrayLike<number>): void {
  if (!runs.has(id)) runs.set(id, new Map());
  runs.get(id)!.set(backend, Float32Array.from(values));
}
const worst = new Map<string, number>();
afterAll(() => console.log(`torch vectors, worst error/tolerance: ${[...worst].map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`));
const note = (k: string, v: number) => worst.set(k, Math.max(worst.get(k) ?? 0, v));

describe.each(BACKENDS)('PyTorch runs on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  for (const { className, cases } of OPEN_LOOP) {
    it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
      const p = Parameter.from(c.init);
      const opt = new (optimizerClass(className))([p], camelOptions(c.hyper));
      for (let k = 0; k < c.steps; k++) {
        p.grad.set(c.grads[k]);
        expect(opt.step()).toBe(true);
        note(className, check(c, k, p.data));
      }
      const state = opt.stateDict().state[0];
      expect(Object.keys(state).sort()).toEqual(Object.keys(c.final_state).sort());
      for (const [name, want] of Object.entries(c.final_state)) {
        if (Array.isArray(want)) {
          const got = state[name] as Float32Array;
          const scale = Math.max(1, ...want.map(Math.abs));
          // ax and prev follow the parameters: the last step's tolerance, scaled.
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `${name}[${i}]`).toBeLessThanOrEqual(1e-4 * scale);
        } else if (name === 'step') {
          expect(state.step).toBe(want);
        } else {
          // eta and mu: float32 scalars in PyTorch's float32 runs; the float64 run's values here.
          expect(Math.abs((state[name] as number) - want), name).toBeLessThanOrEqual(1e-7 * Math.abs(want));
        }
      }
      record(c.id, backend, [...p.data, ...Object.values(state).flatMap((v) => (typeof v === 'number' ? [v] : [...(v as Float32Array)]))]);
      opt.dispose();
      p.dispose();
    });
  }

  it.each((lbfgs.cases as unknown as LbfgsCase[]).map((c) => [c.id, c] as const))('%s', (_id, c) => {
    let off = 0;
    const params = c.param_sizes.map((s) => {
      const p = Parameter.from(c.init.slice(off, off + s));
      off += s;
      return p;
    });
    const opt = new LBFGS(params, camelOptions(c.hyper));
    const closure = lbfgsClosure(c.objective, params);
    const losses: number[] = [];
    for (let k = 0; k < c.steps; k++) {
      const loss = opt.step(closure);
      losses.push(loss);
      // The loss at the parameters of the previous call: 4× its float32 drift plus a floor.
      const lossTol = 4 * tolLoss(c, k);
      expect(Math.abs(loss - c.losses[k]), `loss ${k}`).toBeLessThanOrEqual(lossTol);
      note('LBFGS', check(c, k, params.flatMap((p) => [...p.data])));
    }
    const st = opt.stateDict().state[0] as Record<string, unknown>;
    expect(st.func_evals).toBe(c.final_state.func_evals);
    expect(st.n_iter).toBe(c.final_state.n_iter);
    if (c.final_state.history !== undefined) {
      expect((st.old_dirs as unknown[]).length).toBe(c.final_state.history);
      expect((st.old_stps as unknown[]).length).toBe(c.final_state.history);
      expect(Math.abs((st.t as number) - c.final_state.t!)).toBeLessThanOrEqual(1e-3 * Math.abs(c.final_state.t!));
    }
    record(c.id, backend, [...params.flatMap((p) => [...p.data]), ...losses]);
    opt.dispose();
    for (const p of params) p.dispose();
  });

  it.each(swa.averaged_model.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    let off = 0;
    const model = c.param_sizes.map((s) => {
      const p = Parameter.from(c.models[0].slice(off, off + s));
      off += s;
      return p;
    });
    const avg = new AveragedModel(model, c.strategy === 'ema' ? { strategy: 'ema', decay: c.decay! } : {});
    for (let k = 0; k < c.models.length; k++) {
      let o = 0;
      for (const p of model) {
        p.data.set(c.models[k].slice(o, o + p.size));
        o += p.size;
      }
      avg.updateParameters(model);
      expect(avg.nAveraged).toBe(k + 1);
      note('AveragedModel', check(c, k, avg.parameters().flatMap((p) => [...p.data])));
    }
    expect(avg.nAveraged).toBe(c.n_averaged);
    record(c.id, backend, avg.parameters().flatMap((p) => [...p.data]));
    avg.dispose();
    for (const p of model) p.dispose();
  });

  it.each(swa.swalr.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const params = c.base_lrs.map(() => Parameter.zeros(2));
    const opt = new SGD(params.map((p, i) => ({ params: [p], lr: c.base_lrs[i] })), { lr: c.base_lrs[0] });
    const sched = new SWALR(opt, camelOptions(c.hyper) as never);
    const lrs = () => opt.paramGroups.map((g) => g.lr);
    for (let k = 0; k < c.lrs.length; k++) {
      if (k > 0) {
        opt.step();
        sched.step();
      }
      lrs().forEach((lr, i) => expect(Math.abs(lr - c.lrs[k][i]), `${c.id} step ${k} group ${i}`).toBeLessThanOrEqual(1e-14 * Math.max(1, c.lrs[k][i])));
      expect(sched.getLastLr()).toEqual(lrs());
    }
    opt.dispose();
    for (const p of params) p.dispose();
  });
});

function tolLoss(c: LbfgsCase, k: number): number {
  const lf32 = (c as unknown as { losses_f32: number[] }).losses_f32;
  return Math.abs(lf32[k] - c.losses[k]) + 1e-6 * Math.max(1, Math.abs(c.losses[k]));
}

describe('the three backends agree bit for bit on the PyTorch runs', () => {
  it('same final values (parameters, state, losses) on wasm-simd, wasm and js', () => {
    expect(runs.size).toBe(asgd.cases.length + rprop.cases.length + lbfgs.cases.length + swa.averaged_model.length);
    for (const [id, byBackend] of runs) {
      expect([...byBackend.keys()].sort(), id).toEqual([...BACKENDS].sort());
      const ref = new Uint32Array(byBackend.get('js')!.buffer);
      for (const b of BACKENDS) expect([...new Uint32Array(byBackend.get(b)!.buffer)], `${id} on ${b}`).toEqual([...ref]);
    }
  });
});
