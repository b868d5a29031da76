/**
 * Per-group learning rates: two groups with different lrs follow PyTorch (each from its own
 * base; per-group option lists where PyTorch takes them). Expected values are computed here from
 * the closed forms, independently of the implementation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CosineAnnealingLR,
  CyclicLR,
  ExponentialLR,
  init,
  LambdaLR,
  LinearLR,
  MultiplicativeLR,
  OneCycleLR,
  ReduceLROnPlateau,
  StepLR,
} from 'simdopt';
import { adam, lrsOf, sgd } from './support/optimizers.js';

beforeAll(async () => {
  await init({ backend: 'js' });
});

const BASES = [0.1, 0.01];

function expectClose(got: number[], want: number[], rel = 1e-13): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => {
    if (!(Math.abs(g - want[i]) <= rel * Math.abs(want[i]) + 1e-18)) expect.fail(`group ${i}: ${g} vs ${want[i]}`);
  });
}

describe('two param groups with different lrs', () => {
  it('store each group’s own initialLr', () => {
    const opt = sgd(BASES);
    new StepLR(opt, { stepSize: 3 });
    expect(opt.paramGroups.map((g) => (g as { initialLr?: number }).initialLr)).toEqual(BASES);
  });

  it('StepLR scales both', () => {
    const opt = sgd(BASES);
    const s = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    for (let e = 1; e <= 9; e++) {
      s.step();
      expect(s.getLastLr()).toEqual(BASES.map((b) => b * 0.5 ** Math.floor(e / 2)));
      expect(lrsOf(opt)).toEqual(s.getLastLr());
    }
  });

  it('ExponentialLR scales both, and a manual change of one group persists', () => {
    const opt = sgd(BASES);
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    opt.paramGroups[1].lr = 1;
    s.step();
    expect(s.getLastLr()).toEqual([0.1 * 0.25, 0.5]);
  });

  it('LinearLR warms both up from their own bases', () => {
    const opt = sgd(BASES);
    const s = new LinearLR(opt, { startFactor: 0.25, totalIters: 4 });
    for (let e = 0; e <= 6; e++) {
      expectClose(s.getLastLr(), BASES.map((b) => b * (0.25 + (0.75 * Math.min(e, 4)) / 4)));
      s.step();
    }
  });

  it('CosineAnnealingLR anneals both to the shared etaMin (past tMax too)', () => {
    const opt = sgd(BASES);
    const etaMin = 0.001;
    const s = new CosineAnnealingLR(opt, { tMax: 10, etaMin });
    for (let e = 0; e <= 35; e++) {
      expectClose(s.getLastLr(), BASES.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((Math.PI * e) / 10))) / 2));
      s.step();
    }
  });

  it('LambdaLR takes one function per group', () => {
    const opt = sgd(BASES);
    const s = new LambdaLR(opt, { lrLambda: [(e) => 0.9 ** e, (e) => 1 / (e + 1)] });
    for (let e = 0; e <= 5; e++) {
      expect(s.getLastLr()).toEqual([0.1 * 0.9 ** e, 0.01 * (1 / (e + 1))]);
      s.step();
    }
  });

  it('MultiplicativeLR takes one function per group', () => {
    const opt = sgd(BASES);
    const s = new MultiplicativeLR(opt, { lrLambda: [() => 0.5, (e) => (e % 2 ? 1 : 0.25)] });
    expect(s.getLastLr()).toEqual(BASES); // no factor at construction
    s.step(); // e = 1
    s.step(); // e = 2
    expect(s.getLastLr()).toEqual([0.1 * 0.25, 0.01 * 0.25]);
  });

  it('CyclicLR takes lists of boundaries and momenta (SGD momentum)', () => {
    const opt = sgd(BASES);
    const baseLr = [0.01, 0.001];
    const maxLr = [0.1, 0.02];
    const baseMomentum = [0.8, 0.85];
    const maxMomentum = [0.9, 0.95];
    const s = new CyclicLR(opt, { baseLr, maxLr, stepSizeUp: 4, baseMomentum, maxMomentum });
    for (let e = 0; e <= 20; e++) {
      const x = (e % 8) / 8; // position in the cycle of 8
      const height = x <= 0.5 ? x / 0.5 : (x - 1) / -0.5;
      expectClose(s.getLastLr(), [0, 1].map((i) => baseLr[i] + (maxLr[i] - baseLr[i]) * height));
      expectClose(opt.paramGroups.map((g) => g.momentum), [0, 1].map((i) => maxMomentum[i] - (maxMomentum[i] - baseMomentum[i]) * height));
      s.step();
    }
  });

  it('CyclicLR cycles beta1 per group on Adam and keeps beta2', () => {
    const opt = adam(BASES);
    opt.paramGroups[1].betas = [0.9, 0.98];
    const s = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, baseMomentum: [0.7, 0.75], maxMomentum: [0.9, 0.95] });
    expect(opt.paramGroups.map((g) => g.betas)).toEqual([[0.9, 0.999], [0.95, 0.98]]);
    s.step();
    s.step(); // the peak
    expect(opt.paramGroups.map((g) => g.betas)).toEqual([[0.7, 0.999], [0.75, 0.98]]);
    expect(opt.step()).toBe(true); // Adam accepts the cycled betas
  });

  it('OneCycleLR takes one maxLr per group', () => {
    const opt = sgd(BASES);
    const s = new OneCycleLR(opt, { maxLr: [0.1, 0.05], totalSteps: 20, pctStart: 0.3 });
    const g = opt.paramGroups as unknown as Record<string, number>[];
    expect(g.map((x) => x.initialLr)).toEqual([0.1 / 25, 0.05 / 25]);
    expect(g.map((x) => x.minLr)).toEqual([0.1 / 25 / 1e4, 0.05 / 25 / 1e4]);
    for (let e = 1; e <= 5; e++) s.step();
    expect(s.getLastLr()).toEqual([0.1, 0.05]); // the peak, at step pctStart·N − 1
    for (let e = 6; e <= 19; e++) s.step();
    expect(s.getLastLr()).toEqual(g.map((x) => x.minLr)); // the end, at step N − 1
  });

  it('ReduceLROnPlateau takes one minLr per group', () => {
    const opt = sgd(BASES);
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.1, minLr: [0.05, 0.0005] });
    s.step(1);
    s.step(2); // worse: reduce, clamped per group
    expect(s.getLastLr()).toEqual([0.05, 0.001]);
    s.step(3); // worse again: group 0 is at its floor (a change of 0 ≤ eps is skipped)
    expect(s.getLastLr()).toEqual([0.05, 0.0005]);
  });
});
