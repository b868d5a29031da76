/**
 * AveragedModel beyond the PyTorch vectors (torch-vectors-extras.test.ts): an nn Module as input,
 * the state dict resuming bit for bit (also on another backend), bad input changing nothing,
 * memory returned by dispose; SWA with SWALR and SGD end to end against a float64 running mean.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AveragedModel, backendInfo, init, loadState, nn, Parameter, saveState, SGD, SWALR, type AveragedModelState } from 'simdopt';
import { sameBits, values, thrown } from './support/harness.js';
import { BACKENDS } from './support/vectors.js';


describe.each(BACKENDS)('AveragedModel on %s', (backend) => {
  beforeEach(async () => {
    await init({ backend, initialMemoryBytes: 1 << 21 });
  });

  it('averages an nn Module; the first update copies; SWA is the running mean', () => {
    const model = new nn.Sequential(new nn.Linear(3, 5, { seed: 1 }), new nn.ReLU(), new nn.Linear(5, 2, { seed: 2 }));
    const params = model.parameters();
    const avg = new AveragedModel(model);
    expect(avg.parameters().map((p) => p.size)).toEqual(params.map((p) => p.size));
    expect(avg.parameters().every((a, i) => a !== params[i] && sameBits(a.data, params[i].data))).toBe(true);
    const sums = params.map((p) => new Float64Array(p.size));
    for (let k = 0; k < 9; k++) {
      params.forEach((p, i) => p.data.set(values(100 * k + i, p.size)));
      params.forEach((p, i) => p.data.forEach((x, j) => (sums[i][j] += x)));
      avg.updateParameters(model);
      if (k === 0) expect(avg.parameters().every((a, i) => sameBits(a.data, params[i].data))).toBe(true);
    }
    expect(avg.nAveraged).toBe(9);
    avg.parameters().forEach((a, i) => a.data.forEach((x, j) => expect(Math.abs(x - sums[i][j] / 9)).toBeLessThanOrEqual(1e-6)));
    avg.dispose();
    model.dispose();
  });

  for (const strategy of ['swa', 'ema'] as const) {
    it(`${strategy}: stateDict (structuredClone, saveState) resumes bit for bit, also on another backend`, async () => {
      const ps = [Parameter.from(values(1, 37)), Parameter.from(values(2, 6))];
      const opts = strategy === 'ema' ? { strategy, decay: 0.9 } : {};
      const avg = new AveragedModel(ps, opts);
      const feed = (k: number, target: Parameter[]) => target.forEach((p, i) => p.data.set(values(50 + 7 * k + i, p.size)));
      for (let k = 0; k < 4; k++) {
        feed(k, ps);
        avg.updateParameters(ps);
      }
      const saved = avg.stateDict();
      const text = saveState(saved);
      for (let k = 4; k < 8; k++) {
        feed(k, ps);
        avg.updateParameters(ps);
      }
      const want = avg.parameters().map((a) => a.data.slice());
      for (const [other, state] of [
        [backend, structuredClone(saved)],
        [backend === 'js' ? 'wasm-simd' : 'js', loadState<AveragedModelState>(text)],
      ] as const) {
        await init({ backend: other, initialMemoryBytes: 1 << 21 });
        const qs = [Parameter.zeros(37), Parameter.zeros(6)];
        const b = new AveragedModel(qs, opts);
        b.loadStateDict(state);
        expect(b.nAveraged).toBe(4);
        for (let k = 4; k < 8; k++) {
          feed(k, qs);
          b.updateParameters(qs);
        }
        b.parameters().forEach((a, i) => expect(sameBits(a.data, want[i]), `${other}`).toBe(true));
      }
    });
  }

  it('bad input is a SimdoptError naming the argument and changes nothing; dispose frees the copies', () => {
    const live0 = backendInfo().liveBytes;
    const ps = [Parameter.from(values(3, 10)), Parameter.from(values(4, 3))];
    const other = Parameter.zeros(4);
    const withParams = backendInfo().liveBytes;
    const avg = new AveragedModel(ps, { strategy: 'ema' });
    expect(avg.decay).toBe(0.999);
    avg.updateParameters(ps);
    const before = saveState(avg.stateDict());
    const good = avg.stateDict();
    const cases: [string, () => unknown][] = [
      ['paramsOrModule', () => avg.updateParameters([ps[0]])],
      ['paramsOrModule[1]', () => avg.updateParameters([ps[0], other])],
      ['paramsOrModule', () => avg.updateParameters(5 as never)],
      ['stateDict.averagedModel', () => avg.loadStateDict({ ...good, averagedModel: 'swa' })],
      ['stateDict.decay', () => avg.loadStateDict({ ...good, decay: 0.5 })],
      ['stateDict.nAveraged', () => avg.loadStateDict({ ...good, nAveraged: -1 })],
      ['stateDict.parameters[1]', () => avg.loadStateDict({ ...good, parameters: [good.parameters[0], new Float32Array(2)] })],
      ['options.strategy', () => new AveragedModel(ps, { strategy: 'mean' as never })],
      ['options.decay', () => new AveragedModel(ps, { strategy: 'ema', decay: NaN })],
      ['options.other', () => new AveragedModel(ps, { other: 1 } as never)],
      ['paramsOrModule', () => new AveragedModel([])],
    ];
    for (const [argument, f] of cases) expect(thrown(f).argument, argument).toBe(argument);
    expect(saveState(avg.stateDict())).toBe(before);
    avg.dispose();
    avg.dispose();
    expect(backendInfo().liveBytes).toBe(withParams);
    expect(thrown(() => avg.updateParameters(ps)).argument).toBe('averagedModel');
    ps.forEach((p) => p.dispose());
    other.dispose();
    expect(backendInfo().liveBytes).toBe(live0);
  });
});

describe('SWA end to end', () => {
  it('SGD + SWALR + AveragedModel: the average is the float64 mean of the visited points', async () => {
    await init();
    const w = Parameter.from(values(9, 8));
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    const sched = new SWALR(opt, { swaLr: 0.05, annealEpochs: 3 });
    const avg = new AveragedModel([w]);
    const mean = new Float64Array(8);
    for (let k = 1; k <= 12; k++) {
      w.grad.set(values(300 + k, 8));
      opt.step();
      sched.step();
      avg.updateParameters([w]);
      w.data.forEach((x, j) => (mean[j] += (x - mean[j]) / k));
    }
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.05, 15);
    avg.parameters()[0].data.forEach((x, j) => expect(Math.abs(x - mean[j])).toBeLessThanOrEqual(1e-6));
  });
});
