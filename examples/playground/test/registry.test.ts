/**
 * The playground's registry and test functions, in Node: feature detection, option mapping, that
 * every offered entry's defaults are accepted by the real simdopt class (so an optimizer or
 * scheduler merged later is checked as soon as it is exported), and analytic gradients.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as simdopt from 'simdopt';
import { FUNCTIONS } from '../src/functions.js';
import { available, construct, defaults, describeChoice, fromRegistry, knobsOf, OPTIMIZERS, runStep, SCHEDULERS, toOptions, withRegistry, type Context } from '../src/registry.js';
import { OPTIMIZERS as REGISTRY } from '../../../packages/simdopt/src/optim/registry.js';

const ctx: Context = { steps: 1000, lr: { sgd: 0.01, adaptive: 0.05 }, optimizerLr: 0.05 };

describe('registry', () => {
  beforeAll(async () => {
    await simdopt.init();
  });

  it('offers exactly the entries whose class the module exports', () => {
    class Fake {}
    const module = { Adam: Fake, StepLR: Fake, Lion: 'not a class', Unknown: Fake };
    expect(available(OPTIMIZERS, module).map((s) => s.name)).toEqual(['Adam']);
    expect(available(SCHEDULERS, module).map((s) => s.name)).toEqual(['StepLR']);
    expect(available(OPTIMIZERS, simdopt).map((s) => s.name)).toEqual(expect.arrayContaining(['SGD', 'Adam', 'AdamW']));
  });

  it('builds options: betas from beta1/beta2, integers rounded, defaults from the context', () => {
    const adam = OPTIMIZERS.find((s) => s.name === 'Adam')!;
    expect(toOptions(adam, { ...defaults(adam, ctx), beta2: 0.99 })).toEqual({
      lr: 0.05,
      betas: [0.9, 0.99],
      eps: 1e-8,
      amsgrad: false,
      weightDecay: 0,
    });
    const step = SCHEDULERS.find((s) => s.name === 'StepLR')!;
    expect(toOptions(step, { stepSize: 249.6, gamma: 0.5 })).toEqual({ stepSize: 250, gamma: 0.5 });
    expect(defaults(step, ctx)).toEqual({ stepSize: 250, gamma: 0.5 });
    const sgd = OPTIMIZERS.find((s) => s.name === 'SGD')!;
    expect(defaults(sgd, ctx).lr).toBe(0.01);
    expect(describeChoice(sgd, { ...defaults(sgd, ctx), nesterov: true }, ctx)).toBe('SGD lr=0.01 nesterov=true');
  });

  it('offers every registered optimizer: the tuned lines, then one from the schema for each other', () => {
    expect(OPTIMIZERS.map((s) => s.name).sort()).toEqual(REGISTRY.map((e) => e.name).sort());
    expect(available(OPTIMIZERS, withRegistry(simdopt)).map((s) => s.name)).toEqual(OPTIMIZERS.map((s) => s.name));
    expect(() => fromRegistry(REGISTRY.filter((e) => e.name !== 'Lion'), OPTIMIZERS)).toThrow(/Lion is not in the optimizer registry/);
    // An optimizer registered later, with no line here: offered with its schema's knobs, built from its class.
    class AdamaxCopy extends simdopt.Adamax {}
    const adamax = REGISTRY.find((e) => e.name === 'Adamax')!;
    const specs = fromRegistry([...REGISTRY, { ...adamax, name: 'AdamaxCopy', cls: AdamaxCopy }], OPTIMIZERS);
    const copy = specs[specs.length - 1];
    expect(copy.name).toBe('AdamaxCopy');
    expect(copy.knobs).toEqual([
      { key: 'lr', default: 0.002, min: 0 },
      { key: 'beta1', default: 0.9, min: 0, max: 0.9999 },
      { key: 'beta2', default: 0.999, min: 0, max: 0.9999 },
      { key: 'eps', default: 1e-8, min: 0 },
      { key: 'weightDecay', default: 0, min: 0 },
    ]);
    expect(toOptions(copy, defaults(copy, ctx))).toEqual({ lr: 0.002, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
    // Integers, bounds and flags as the option's check has them.
    const sf = knobsOf(REGISTRY.find((e) => e.name === 'ScheduleFreeSGD')!);
    expect(sf.find((k) => k.key === 'warmupSteps')).toEqual({ key: 'warmupSteps', default: 0, min: 0, integer: true });
    expect(knobsOf(REGISTRY.find((e) => e.name === 'Adam')!).filter((k) => typeof k.default === 'boolean').map((k) => k.key)).toEqual(['amsgrad', 'decoupledWeightDecay']);
  });

  it('hands the options to the class it names', () => {
    const seen: unknown[] = [];
    class Recorder {
      constructor(...args: unknown[]) {
        seen.push(...args);
      }
    }
    const cosine = SCHEDULERS.find((s) => s.name === 'CosineAnnealingLR')!;
    construct({ CosineAnnealingLR: Recorder }, cosine, 'the optimizer', defaults(cosine, ctx));
    expect(seen).toEqual(['the optimizer', { tMax: 1000, etaMin: 0 }]);
    expect(() => construct({}, cosine, null, {})).toThrow(/exports no CosineAnnealingLR/);
  });

  it.each(available(OPTIMIZERS, withRegistry(simdopt)).map((s) => [s.name, s] as const))('simdopt.%s accepts its defaults and steps', (_name, spec) => {
    const p = simdopt.Parameter.from([1, -1], spec.matricesOnly ? { shape: [1, 2] } : {});
    const opt = construct<simdopt.Optimizer<simdopt.BaseOptions>>(simdopt, spec, [p], defaults(spec, ctx));
    // runStep: L-BFGS evaluates the closure (½|p|², gradient p) itself, the others once before step().
    runStep(opt, () => (p.grad.set(p.data), 0.5 * (p.data[0] ** 2 + p.data[1] ** 2)));
    // ADOPT's first step only initialises its second moment (the reference's step 0).
    if (spec.name === 'ADOPT') runStep(opt, () => (p.grad.set(p.data), 0.5 * (p.data[0] ** 2 + p.data[1] ** 2)));
    expect(Array.from(p.data)).not.toEqual([1, -1]);
    opt.dispose();
    // Each available scheduler accepts its defaults on a fresh optimizer of this kind and steps.
    for (const sched of available(SCHEDULERS, simdopt)) {
      const fresh = construct<simdopt.Optimizer<simdopt.BaseOptions>>(simdopt, spec, [p], defaults(spec, ctx));
      const s = construct<{ step(m?: number): void; getLastLr(): number[] }>(simdopt, sched, fresh, defaults(sched, { ...ctx, optimizerLr: fresh.paramGroups[0].lr }));
      sched.stepsOnMetric ? s.step(1) : s.step();
      expect(s.getLastLr()[0], sched.name).toBeGreaterThanOrEqual(0);
      fresh.dispose();
    }
    p.dispose();
  });
});

describe('test functions', () => {
  it.each(FUNCTIONS.map((f) => [f.id, f] as const))('%s: analytic gradient = finite differences; minima are minima', (_id, fn) => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const grad = [0, 0];
    for (let k = 0; k < 50; k++) {
      const x = fn.xRange[0] + random() * (fn.xRange[1] - fn.xRange[0]);
      const y = fn.yRange[0] + random() * (fn.yRange[1] - fn.yRange[0]);
      fn.f(x, y, grad);
      const h = 1e-6;
      const gx = (fn.f(x + h, y) - fn.f(x - h, y)) / (2 * h);
      const gy = (fn.f(x, y + h) - fn.f(x, y - h)) / (2 * h);
      const scale = 1 + Math.abs(gx) + Math.abs(gy);
      expect(Math.abs(grad[0] - gx) / scale).toBeLessThan(1e-5);
      expect(Math.abs(grad[1] - gy) / scale).toBeLessThan(1e-5);
    }
    for (const [mx, my] of fn.minima) {
      expect(fn.f(mx, my, grad) - fn.fMin).toBeLessThan(1e-8);
      expect(Math.hypot(grad[0], grad[1])).toBeLessThan(1e-4);
    }
    expect(fn.f(fn.start[0], fn.start[1])).toBeGreaterThan(fn.fMin);
  });
});
