/// <reference types="vite/client" />
/**
 * test/vectors/torch: trajectories, schedules and clipped gradients computed by real PyTorch 1.13
 * (scripts/torch-vectors.py), through the public API on every backend. Tolerances (see
 * test/vectors/torch/README.md): optimizers `4·(PyTorch's float32 drift at step k) + 1e-6·max(1,
 * |want|)`; schedulers as lr_scheduler.vectors.test.ts; clipping `4·|f32 − f64| + 2^−21·|want|`.
 *
 * Every file is accounted for: an optimizer file whose `optimizer` names no class of the registry
 * (support/vectors.ts classOfOptimizer) fails, and so does a file of any other kind this test
 * does not read — unless its name is in PENDING or CHECKED_BY below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue, init, Parameter } from 'simdopt';
import { BACKENDS, camelOptions, classOfOptimizer, optimizerClass, type OptimizerCase } from './support/vectors.js';
import { runCase, type SchedulerCase } from './support/schedulers.js';

/**
 * Torch vector files (file names) that may exist without being checked here: written by another
 * branch's scripts/torch_vectors module before simdopt implements the algorithm. Keep it empty on
 * main; an entry says which branch will remove it.
 */
const PENDING = new Set<string>([]);

/**
 * Torch vector files that a suite of their own checks case by case, named here with that suite
 * (the test below checks that it imports the file). Not the loop of this file because L-BFGS steps
 * through a closure on an objective, AveragedModel and SWALR are no optimizers, and ASGD's η, μ
 * (scalar state) are float32 in simdopt where the float64 run's are exact float64 values.
 */
const CHECKED_BY: Record<string, string> = {
  'asgd.json': 'torch-vectors-extras.test.ts',
  'rprop.json': 'torch-vectors-extras.test.ts',
  'lbfgs.json': 'torch-vectors-extras.test.ts',
  'swa_utils.json': 'torch-vectors-extras.test.ts',
  'state_dicts.json': 'torch-state-dict.test.ts',
};
const SUITES = import.meta.glob<string>('./*.test.ts', { query: '?raw', import: 'default', eager: true });

const FILES = import.meta.glob<Record<string, unknown>>('../../../test/vectors/torch/*.json', { eager: true, import: 'default' });
const files = Object.entries(FILES).map(([path, content]) => ({ name: path.slice(path.lastIndexOf('/') + 1), content }));

interface TorchOptimizerCase extends OptimizerCase {
  expected_f32: number[][];
}
interface ClipCase {
  id: string;
  fn: string;
  max_norm?: number;
  norm_type?: number | 'inf';
  clip_value?: number;
  grads: number[][];
  total_norm?: number;
  total_norm_f32?: number;
  expected: number[][];
  expected_f32: number[][];
}

/** Files that are not optimizer trajectories (schedulers.json's `optimizer` key describes its setup). */
const OTHER_KINDS = ['schedulers.json', 'clip.json'];
const optimizerFiles = files.filter((f) => !OTHER_KINDS.includes(f.name) && !PENDING.has(f.name) && !(f.name in CHECKED_BY));
const optimizerCases = optimizerFiles.flatMap((f) => {
  const className = classOfOptimizer(f.content.optimizer as string);
  return (f.content.cases as TorchOptimizerCase[]).map((c) => ({ className, c, file: f.name }));
});
const schedulerCases = (files.find((f) => f.name === 'schedulers.json')?.content.cases ?? []) as SchedulerCase[];
const clipCases = (files.find((f) => f.name === 'clip.json')?.content.cases ?? []) as ClipCase[];

describe('torch vector files', () => {
  it('every file is read by this test or listed as pending, and names its source', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const { name, content } of files) {
      expect(content.source, name).toMatch(/^torch 1\.13/);
      if (PENDING.has(name) || OTHER_KINDS.includes(name) || name in CHECKED_BY) continue;
      expect(typeof content.optimizer, `${name}: a torch vector file this test does not read`).toBe('string');
      expect(classOfOptimizer(content.optimizer as string), `${name}: no class for optimizer '${content.optimizer}'`).toBeDefined();
    }
    expect(optimizerCases.length).toBeGreaterThanOrEqual(35);
    expect(schedulerCases.length).toBeGreaterThanOrEqual(41);
    expect(clipCases.length).toBeGreaterThanOrEqual(11);
  });

  it.each(Object.entries(CHECKED_BY))('%s is checked by %s', (file, suite) => {
    expect(files.map((f) => f.name)).toContain(file);
    const source = SUITES[`./${suite}`];
    expect(source, `${suite} exists`).toBeTypeOf('string');
    expect(source).toContain(`test/vectors/torch/${file}'`);
  });
});

/** Largest error/tolerance per optimizer class over every backend (printed at the end). */
const worst = new Map<string, number>();
const note = (key: string, ratio: number) => worst.set(key, Math.max(worst.get(key) ?? 0, ratio));
afterAll(() => {
  console.log(`torch vectors, worst error/tolerance: ${[...worst].map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
});

/**
 * Runs a case through the public API on the active backend: the largest error/tolerance over all
 * steps and elements, the first failure (if any), and the final state dict entry.
 */
function runOptimizerCase(className: string, c: TorchOptimizerCase): { ratio: number; failure?: string; state: Record<string, unknown> } {
  const p = Parameter.from(c.init);
  const opt = new (optimizerClass(className))([p], camelOptions(c.hyper));
  let ratio = 0;
  let failure: string | undefined;
  try {
    for (let k = 0; k < c.steps; k++) {
      p.grad.set(c.grads[k]);
      opt.step();
      const drift = c.expected_f32[k].reduce((m, x, i) => Math.max(m, Math.abs(x - c.expected[k][i])), 0);
      for (let i = 0; i < p.size; i++) {
        const want = c.expected[k][i];
        const tol = 4 * drift + 1e-6 * Math.max(1, Math.abs(want));
        const err = Math.abs(p.data[i] - want);
        ratio = Math.max(ratio, err / tol);
        if (!(err <= tol)) failure ??= `${c.id} step ${k + 1} element ${i}: ${p.data[i]} vs ${want} (tolerance ${tol})`;
      }
    }
    return { ratio, failure, state: (opt.stateDict().state[0] ?? {}) };
  } finally {
    opt.dispose();
    p.dispose();
  }
}

describe.each(BACKENDS)('torch vectors on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  it.each(optimizerCases.map(({ className, c }) => [c.id, className!, c] as const))('%s', (_id, className, c) => {
    const { ratio, failure, state } = runOptimizerCase(className, c);
    if (failure) expect.fail(failure);
    expect(Object.keys(state).sort()).toEqual(Object.keys(c.final_state).sort());
    for (const [name, want] of Object.entries(c.final_state)) {
      if (Array.isArray(want)) {
        const got = state[name] as Float32Array;
        const scale = Math.max(1e-30, ...want.map(Math.abs));
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(got[i] - want[i]) <= scale * 2e-5 + 1e-12)) expect.fail(`${c.id} ${name}[${i}]: ${got[i]} vs ${want[i]}`);
        }
      } else {
        expect(state[name], name).toBe(want);
      }
    }
    note(className, ratio);
  });

  // The tolerance is tight enough to see a formula that is only slightly wrong.
  it.each([
    ['sgd/momentum_dampening', { dampening: 0 }],
    ['adam/betas_large_eps', { eps: 0.11 }],
    ['adamw/default_wd', { weight_decay: 0.02 }],
    ['rmsprop/centered_momentum_wd', { centered: false }],
    ['adagrad/lr_decay_initial_accumulator', { lr_decay: 0.055 }],
    ['adadelta/rho_eps_wd', { eps: 1.1e-3 }],
    ['adamax/maximize_betas_eps', { eps: 1.1e-2 }],
    ['radam/beta2_0.99_eps', { eps: 1.1e-3 }],
  ] as const)('a changed option fails %s %j', (id, change) => {
    const found = optimizerCases.find(({ c }) => c.id === id)!;
    expect(found, id).toBeDefined();
    const { ratio } = runOptimizerCase(found.className!, { ...found.c, hyper: { ...found.c.hyper, ...change } });
    expect(ratio).toBeGreaterThan(1);
  });

  it.each(clipCases.map((c) => [c.id, c] as const))('clip %s', (_id, c) => {
    const ps = c.grads.map((g) => {
      const p = Parameter.zeros(g.length);
      p.grad.set(g);
      return p;
    });
    let ratio = 0;
    const check = (got: number, want: number, f32: number, what: string) => {
      const tol = 4 * Math.abs(f32 - want) + 2 ** -21 * Math.abs(want);
      const err = Math.abs(got - want);
      if (err > 0) ratio = Math.max(ratio, err / tol);
      if (!(err <= tol)) expect.fail(`${c.id} ${what}: ${got} vs ${want} (tolerance ${tol})`);
    };
    if (c.fn === 'clip_grad_norm_') {
      const total = clipGradNorm(ps, c.max_norm!, { normType: c.norm_type === 'inf' ? Infinity : c.norm_type! });
      check(total, c.total_norm!, c.total_norm_f32!, 'total norm');
    } else {
      expect(c.fn).toBe('clip_grad_value_');
      clipGradValue(ps, c.clip_value!);
    }
    ps.forEach((p, t) => c.expected[t].forEach((want, i) => check(p.grad[i], want, c.expected_f32[t][i], `tensor ${t} element ${i}`)));
    note('clip', ratio);
    ps.forEach((p) => p.dispose());
  });
});

describe('torch scheduler vectors', () => {
  beforeAll(async () => {
    await init({ backend: 'js' });
  });

  it.each(schedulerCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const run = runCase(c);
    const within = (got: number, want: number, scale: number) => Math.abs(got - want) <= 1e-12 * Math.abs(want) + 1e-15 * scale;
    expect(run.lrs).toHaveLength(c.steps + 1);
    for (let k = 0; k <= c.steps; k++) {
      if (!within(run.lrs[k], c.lrs[k], c.initial_lr)) expect.fail(`lrs[${k}]: ${run.lrs[k]} vs ${c.lrs[k]}`);
    }
    const want = c.momentum ?? c.beta1;
    if (want) {
      for (let k = 0; k <= c.steps; k++) {
        if (!within(run.momenta[k], want[k], 1)) expect.fail(`momentum[${k}]: ${run.momenta[k]} vs ${want[k]}`);
      }
    } else {
      expect(new Set(run.momenta)).toEqual(new Set([c.optimizer_momentum ?? 0]));
    }
  });
});
