/**
 * Every case of test/vectors/schedulers.json through the public API (lrs, and momentum where a
 * scheduler cycles it), and resumption from state dicts at several cut points.
 *
 * Tolerance: |got − want| ≤ 1e-12·|want| + 1e-15·initial_lr. Both sides are float64; the only
 * legitimate difference is the libm (V8's Math.cos vs the reference's C cos, ≤ 1 ulp per call),
 * measured at ≤ 5e-16 relative here. The absolute term (≈ 5 ulp of 1, relative to the base lr)
 * covers the cancellation in 1 + cos(·) next to the cosine's minimum. A formula error moves values
 * by far more; the one error this cannot see (closed form instead of recurrence, ≤ 2e-14) is
 * caught by the bit-exact check below.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from 'simdopt';
import { linearLRAt } from '../src/lr_scheduler/factor.js';
import { stepLRAt } from '../src/lr_scheduler/step.js';
import { runCase, SCHEDULER_CASES, type SchedulerCase } from './support/schedulers.js';

beforeAll(async () => {
  await init({ backend: 'js' });
});

function within(got: number, want: number, scale: number): boolean {
  return Math.abs(got - want) <= 1e-12 * Math.abs(want) + 1e-15 * scale;
}

/**
 * Cases whose arithmetic is only + − × ÷ (and integer powers), so that following PyTorch's
 * recurrence in PyTorch's operand order reproduces the reference bit for bit. The closed form
 * differs from it by an ulp or two at most steps (e.g. StepLR/step1_gamma0.9 at 37 of 41).
 */
const EXACT = [
  'StepLR', 'MultiStepLR', 'ExponentialLR', 'LinearLR', 'ConstantLR', 'PolynomialLR', 'CyclicLR',
  'ReduceLROnPlateau', 'ChainedScheduler', 'SequentialLR/constant_then_exponential',
  'SequentialLR/warmup_then_multistep', 'OneCycleLR/three_phase_linear',
];
const isExact = (c: SchedulerCase) => EXACT.some((p) => c.id === p || c.id.startsWith(`${p}/`));

describe('scheduler reference vectors', () => {
  it.each(SCHEDULER_CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const run = runCase(c);
    expect(run.lrs).toHaveLength(c.lrs.length);
    for (let k = 0; k <= c.steps; k++) {
      if (!within(run.lrs[k], c.lrs[k], c.initial_lr)) expect.fail(`lrs[${k}]: ${run.lrs[k]} vs ${c.lrs[k]}`);
    }
    const want = c.momentum ?? c.beta1;
    if (want) {
      for (let k = 0; k <= c.steps; k++) {
        if (!within(run.momenta[k], want[k], 1)) expect.fail(`momentum[${k}]: ${run.momenta[k]} vs ${want[k]}`);
      }
    } else {
      // Not cycled: the optimizer's own momentum stays.
      expect(new Set(run.momenta)).toEqual(new Set([c.optimizer_momentum ?? 0]));
    }
    if (isExact(c)) expect(run.lrs).toEqual(c.lrs);
  });

  it('the bit-exact check tells the recurrence from the closed form', () => {
    // Had StepLR or LinearLR used their closed forms, the check above would fail on these cases.
    const step = SCHEDULER_CASES.find((c) => c.id === 'StepLR/step1_gamma0.9')!;
    const closedStep = step.lrs.map((_, e) => stepLRAt(e, step.initial_lr, { stepSize: 1, gamma: 0.9 }));
    expect(closedStep).not.toEqual(step.lrs);
    const linear = SCHEDULER_CASES.find((c) => c.id === 'LinearLR/warmup10')!;
    const closedLinear = linear.lrs.map((_, e) => linearLRAt(e, linear.initial_lr, { startFactor: 0.1, endFactor: 1, totalIters: 10 }));
    expect(closedLinear).not.toEqual(linear.lrs);
    expect(runCase(step).lrs).toEqual(step.lrs);
    expect(runCase(linear).lrs).toEqual(linear.lrs);
  });
});

describe('stateDict → new optimizer and scheduler → loadStateDict continues the same sequence', () => {
  const CUTS = [1, 5, 13, 27, 39];
  it.each(SCHEDULER_CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const whole = runCase(c);
    for (const k of CUTS) {
      const head = runCase(c, k);
      // The scheduler state through JSON text, the optimizer's (Float32Array payloads) through structured clone.
      const scheduler = JSON.parse(JSON.stringify(head.sched.stateDict()));
      const optimizer = structuredClone(head.opt.stateDict());
      const tail = runCase(c, c.steps, { k, optimizer, scheduler });
      expect(tail.lrs, `resumed after ${k} steps`).toEqual(whole.lrs.slice(k + 1));
      expect(tail.momenta, `momentum resumed after ${k} steps`).toEqual(whole.momenta.slice(k + 1));
      expect(tail.sched.getLastLr()).toEqual(whole.sched.getLastLr());
      // Structured clone of the scheduler state works too (it holds only plain data).
      expect(structuredClone(head.sched.stateDict())).toEqual(head.sched.stateDict());
    }
  });
});
