/**
 * Adafactor and Muon through the public API: the three backends bit for bit on odd shapes (NaN
 * and ±∞ included), state dicts and checkpoints that resume bit-identically, skipNonFinite,
 * Muon's 2-D rule, and PyTorch's state layout. The reference trajectories are in vectors.test.ts,
 * convergence in closed-loop.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Adafactor, AdamW, checkpoint, backendInfo, init, loadState, Muon, Parameter, restore, saveState, SimdoptError, type Optimizer } from 'simdopt';
import { build, sameBits, sameState, values } from './support/harness.js';
import { BACKENDS } from './support/vectors.js';

type Any = Optimizer<never>;

const ADAFACTOR_SHAPES: number[][] = [
  ...Array.from({ length: 68 }, (_, n) => [n]),
  [],
  [1, 1],
  [3, 5],
  [7, 67],
  [67, 7],
  [2, 3, 5],
  [4, 1, 9],
  [0, 3],
  [1, 1030],
];
const MUON_SHAPES: number[][] = [[1, 1], [3, 5], [5, 3], [7, 67], [67, 7], [1, 9], [9, 1], [13, 13], [0, 4]];

const CONFIGS: { className: 'Adafactor' | 'Muon'; shapes: number[][]; options: Record<string, unknown> }[] = [
  { className: 'Adafactor', shapes: ADAFACTOR_SHAPES, options: { lr: 0.05, weightDecay: 0.1, maximize: true } },
  { className: 'Adafactor', shapes: ADAFACTOR_SHAPES, options: { eps: [1e-3, 1e-3], d: 2, beta2Decay: -0.5 } },
  { className: 'Muon', shapes: MUON_SHAPES, options: { lr: 0.02 } },
  { className: 'Muon', shapes: MUON_SHAPES, options: { lr: 0.02, nesterov: false, adjustLrFn: 'match_rms_adamw', nsSteps: 3 } },
];

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Steps every shape in one optimizer (one group), a poisoned gradient at `poisonStep` if given. */
async function trajectory(backend: (typeof BACKENDS)[number], cfg: (typeof CONFIGS)[number], poison: number | null) {
  await init({ backend });
  const params = cfg.shapes.map((shape, i) => Parameter.from(values(10 + i, size(shape)), { shape }));
  const opt = build(cfg.className, params, cfg.options);
  for (let k = 1; k <= 4; k++) {
    params.forEach((p, i) => {
      p.grad.set(values(1000 * k + i, p.size, 1.5));
      if (poison !== null && k === 2 && p.size > 0) p.grad[Math.floor(p.size / 2)] = poison;
    });
    opt.step();
  }
  const out = { data: params.map((p) => p.data.slice()), state: opt.stateDict().state };
  opt.dispose();
  params.forEach((p) => p.dispose());
  return out;
}

describe('Adafactor and Muon: backends agree bit for bit', () => {
  it.each(CONFIGS.flatMap((cfg, i) => [null, NaN, Infinity, -Infinity].map((poison) => [`${cfg.className} #${i}`, String(poison), cfg, poison] as const)))(
    '%s with gradient poison %s',
    async (_label, _poison, cfg, poison) => {
      const [simd, scalar, js] = [await trajectory('wasm-simd', cfg, poison), await trajectory('wasm', cfg, poison), await trajectory('js', cfg, poison)];
      cfg.shapes.forEach((shape, i) => {
        expect(sameBits(simd.data[i], scalar.data[i]), `wasm-simd vs wasm [${shape}]`).toBe(true);
        expect(sameBits(simd.data[i], js.data[i]), `wasm-simd vs js [${shape}]`).toBe(true);
      });
      for (const k of Object.keys(simd.state)) {
        expect(sameState(simd.state[+k], scalar.state[+k]), `state ${k}`).toBe(true);
        expect(sameState(simd.state[+k], js.state[+k]), `state ${k}`).toBe(true);
      }
      // Not vacuous: the parameters moved (and the poison propagated to its parameter).
      const moved = cfg.shapes.some((shape, i) => size(shape) > 0 && !sameBits(simd.data[i], values(10 + i, size(shape))));
      expect(moved).toBe(true);
      if (poison !== null) expect(simd.data.some((d) => d.some((x) => Number.isNaN(x) || !Number.isFinite(x)))).toBe(true);
    },
  );
});

describe.each(BACKENDS)('Adafactor and Muon on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  it('Adafactor keeps PyTorch state: step, row_var (B·R) and col_var (B·C), or variance', () => {
    const [m, t, v] = [Parameter.zeros([3, 5]), Parameter.zeros([2, 3, 4]), Parameter.zeros(7)];
    for (const p of [m, t, v]) p.grad.set(values(p.size, p.size));
    const opt = new Adafactor([m, t, v]);
    opt.step();
    const s = opt.stateDict().state;
    expect(Object.keys(s[0]).sort()).toEqual(['col_var', 'row_var', 'step']);
    expect([(s[0].row_var as Float32Array).length, (s[0].col_var as Float32Array).length]).toEqual([3, 5]);
    expect([(s[1].row_var as Float32Array).length, (s[1].col_var as Float32Array).length]).toEqual([6, 8]);
    expect(Object.keys(s[2]).sort()).toEqual(['step', 'variance']);
    expect((s[2].variance as Float32Array).length).toBe(7);
    expect(s[0].step).toBe(1);
    opt.dispose();
  });

  it('Muon keeps only momentum_buffer (no step counter, as PyTorch)', () => {
    const w = Parameter.from(values(1, 12), { shape: [3, 4] });
    w.grad.set(values(2, 12));
    const opt = new Muon([w]);
    opt.step();
    expect(Object.keys(opt.stateDict().state[0])).toEqual(['momentum_buffer']);
    opt.dispose();
  });

  it('Muon refuses parameters that are not matrices, in the constructor and addParamGroup', () => {
    const w = Parameter.zeros([2, 3]);
    const b = Parameter.zeros(3);
    const cube = Parameter.zeros([2, 2, 2]);
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(SimdoptError);
        return (e as SimdoptError).argument;
      }
      return null;
    };
    expect(err(() => new Muon([w, b]))).toBe('paramGroups[0].params[1]');
    expect(err(() => new Muon([cube]))).toBe('paramGroups[0].params[0]');
    const opt = new Muon([w]);
    expect(err(() => opt.addParamGroup({ params: [b] }))).toBe('paramGroup.params[0]');
    expect(opt.paramGroups.length).toBe(1);
    opt.dispose();
  });

  it.each(['Adafactor', 'Muon'] as const)('%s: a state dict and a checkpoint resume bit-identically', (className) => {
    const shapes = className === 'Muon' ? [[4, 6], [6, 4], [5, 5]] : [[4, 6], [9], [2, 3, 3]];
    const options = className === 'Muon' ? { lr: 0.02, adjustLrFn: 'original' } : { lr: 0.05, weightDecay: 0.01 };
    const make = () => shapes.map((shape, i) => Parameter.from(values(i + 1, size(shape)), { shape }));
    const run = (opt: Any, ps: Parameter[], from: number, to: number) => {
      for (let k = from; k <= to; k++) {
        ps.forEach((p, i) => p.grad.set(values(100 * k + i, p.size, 1.5)));
        opt.step();
      }
    };
    const straightP = make();
    const straight = build(className, straightP, options) as unknown as Any;
    run(straight, straightP, 1, 6);

    const firstP = make();
    const first = build(className, firstP, options) as unknown as Any;
    run(first, firstP, 1, 3);
    const dict = loadState<ReturnType<Any['stateDict']>>(saveState(first.stateDict()));
    const ckpt = loadState<ReturnType<typeof checkpoint>>(saveState(checkpoint({ parameters: firstP, optimizer: first })));

    const viaDictP = firstP.map((p) => Parameter.from(p.data, { shape: [...p.shape] }));
    const viaDict = build(className, viaDictP, {}) as unknown as Any;
    viaDict.loadStateDict(dict);
    run(viaDict, viaDictP, 4, 6);

    const viaCkptP = make();
    const viaCkpt = build(className, viaCkptP, {}) as unknown as Any;
    restore(ckpt, { parameters: viaCkptP, optimizer: viaCkpt });
    run(viaCkpt, viaCkptP, 4, 6);

    straightP.forEach((p, i) => {
      expect(sameBits(p.data, viaDictP[i].data), `state dict, parameter ${i}`).toBe(true);
      expect(sameBits(p.data, viaCkptP[i].data), `checkpoint, parameter ${i}`).toBe(true);
    });
    expect(sameState(straight.stateDict().state as never, viaDict.stateDict().state as never)).toBe(true);
    // A state payload of the wrong length is refused, naming it, and nothing changes.
    const bad = structuredClone(dict);
    const key = className === 'Muon' ? 'momentum_buffer' : 'row_var';
    (bad.state[0] as Record<string, unknown>)[key] = new Float32Array(3);
    const before = viaDict.stateDict();
    expect(() => viaDict.loadStateDict(bad)).toThrow(`stateDict.state[0].${key}`);
    expect(sameState(viaDict.stateDict().state as never, before.state as never)).toBe(true);
    for (const o of [straight, first, viaDict, viaCkpt]) o.dispose();
  });

  it.each(['Adafactor', 'Muon'] as const)('%s: skipNonFinite skips the whole step; by default NaN propagates', (className) => {
    const shapes = [[3, 4], [4, 3]];
    const make = () => shapes.map((shape, i) => Parameter.from(values(i + 5, 12), { shape }));
    const skipping = make();
    const plain = make();
    const a = build(className, skipping, { skipNonFinite: true }) as unknown as Any;
    const b = build(className, plain, {}) as unknown as Any;
    for (const [opt, ps] of [[a, skipping], [b, plain]] as const) {
      ps.forEach((p, i) => p.grad.set(values(i + 50, 12)));
      opt.step();
    }
    const dataBefore = skipping.map((p) => p.data.slice());
    const stateBefore = a.stateDict();
    for (const [, ps] of [[a, skipping], [b, plain]] as const) {
      ps.forEach((p, i) => p.grad.set(values(i + 60, 12)));
      ps[1].grad[7] = NaN;
    }
    expect(a.step()).toBe(false);
    expect(b.step()).toBe(true);
    skipping.forEach((p, i) => expect(sameBits(p.data, dataBefore[i])).toBe(true));
    expect(sameState(a.stateDict().state as never, stateBefore.state as never)).toBe(true);
    expect(plain[1].data.some(Number.isNaN)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it("Adafactor: stateDict({ format: 'torch' }) nests row_var [.., R, 1] and col_var [.., 1, C] as PyTorch; it loads back", () => {
    const make = () => [Parameter.from(values(1, 6), { shape: [2, 3] }), Parameter.from(values(2, 12), { shape: [2, 2, 3] }), Parameter.from(values(3, 4), { shape: [4] })];
    const ps = make();
    const opt = new Adafactor(ps, { lr: 0.05, eps: [1e-30, 1e-3] });
    ps.forEach((p, i) => p.grad.set(values(10 + i, p.size)));
    opt.step();
    const torch = JSON.parse(JSON.stringify(opt.stateDict({ format: 'torch' })));
    const own = opt.stateDict().state;
    const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
    const shape = (x: unknown): number[] => (Array.isArray(x) ? [x.length, ...shape(x[0])] : []);
    expect(shape(torch.state[0].row_var)).toEqual([2, 1]);
    expect(shape(torch.state[0].col_var)).toEqual([1, 3]);
    expect(shape(torch.state[1].row_var)).toEqual([2, 2, 1]);
    expect(shape(torch.state[1].col_var)).toEqual([2, 1, 3]);
    expect(shape(torch.state[2].variance)).toEqual([4]);
    expect(Object.keys(torch.state[2]).sort()).toEqual(['step', 'variance']);
    expect(flat(torch.state[1].col_var)).toEqual([...(own[1].col_var as Float32Array)]);
    expect(torch.param_groups[0]).toMatchObject({ lr: 0.05, beta2_decay: -0.8, eps: [1e-30, 1e-3], d: 1, weight_decay: 0, maximize: false });
    const back = make();
    const loaded = new Adafactor(back);
    loaded.loadStateDict(torch);
    expect(sameState(loaded.stateDict().state as never, own as never)).toBe(true);
    // A vector's state has no row_var: refused, naming it.
    const bad = structuredClone(torch);
    bad.state[2].row_var = [0];
    expect(() => loaded.loadStateDict(bad)).toThrow('stateDict.state[2].row_var');
    opt.dispose();
    loaded.dispose();
  });

  it("Muon: stateDict({ format: 'torch' }) round trip, and the workspace is kept between steps", () => {
    const w = Parameter.from(values(1, 20), { shape: [4, 5] });
    const opt = new Muon([w], { adjustLrFn: 'match_rms_adamw' });
    w.grad.set(values(2, 20));
    opt.step();
    const live = backendInfo().liveBytes;
    w.grad.set(values(3, 20));
    opt.step();
    expect(backendInfo().liveBytes).toBe(live);
    const torch = JSON.parse(JSON.stringify(opt.stateDict({ format: 'torch' })));
    expect(torch.param_groups[0]).toMatchObject({ adjust_lr_fn: 'match_rms_adamw', ns_coefficients: [3.4445, -4.775, 2.0315], ns_steps: 5 });
    expect(torch.state[0].momentum_buffer.length).toBe(4);
    const w2 = Parameter.from(w.data, { shape: [4, 5] });
    const loaded = new Muon([w2], {});
    loaded.loadStateDict(torch);
    expect(loaded.paramGroups[0].adjustLrFn).toBe('match_rms_adamw');
    expect(sameState(loaded.stateDict().state as never, opt.stateDict().state as never)).toBe(true);
    opt.dispose();
    loaded.dispose();
    expect(backendInfo().liveBytes).toBeLessThan(live);
  });

  it('the schemas refuse bad and unknown options, naming them', () => {
    const w = Parameter.zeros([2, 3]);
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(SimdoptError);
        return (e as SimdoptError).argument;
      }
      return null;
    };
    expect(bad(() => new Adafactor([w], { eps: [-1, 1e-3] }))).toBe('eps[0]');
    expect(bad(() => new Adafactor([w], { eps: [null, Number.NaN] }))).toBe('eps[1]');
    expect(bad(() => new Adafactor([w], { eps: 1e-3 as never }))).toBe('eps');
    expect(bad(() => new Adafactor([w], { eps: [null, 1e-3] }))).toBeNull();
    expect(bad(() => new Adafactor([w], { beta2Decay: 0.1 }))).toBe('beta2Decay');
    expect(bad(() => new Adafactor([w], { d: 0.5 }))).toBe('d');
    expect(bad(() => new Adafactor([w], { beta2decay: -0.8 } as never))).toBe('beta2decay');
    expect(bad(() => new Muon([w], { adjustLrFn: 'match_rms' as never }))).toBe('adjustLrFn');
    expect(bad(() => new Muon([w], { adjustLrFn: 'original' }))).toBeNull();
    expect(bad(() => new Muon([w], { nsCoefficients: [1, 2] as never }))).toBe('nsCoefficients');
    expect(bad(() => new Muon([w], { nsCoefficients: [1, Number.POSITIVE_INFINITY, 2] }))).toBe('nsCoefficients[1]');
    expect(bad(() => new Muon([w], { nsSteps: 100 }))).toBe('nsSteps');
    expect(bad(() => new Muon([w], { nsSteps: 2.5 }))).toBe('nsSteps');
    expect(bad(() => new Muon([w], { eps: -1 }))).toBe('eps');
    expect(bad(() => new Muon([w], { ns_steps: 3 } as never))).toBe('ns_steps');
    const opt = new Muon([w]);
    opt.paramGroups[0].nsSteps = -1;
    expect(bad(() => opt.step())).toBe('paramGroups[0].nsSteps');
    opt.dispose();
  });

  it('Muon pairs with AdamW for the other parameters (PyTorch usage)', () => {
    const w = Parameter.from(values(1, 20), { shape: [4, 5] });
    const bias = Parameter.from(values(2, 4));
    const muon = new Muon([w], { lr: 0.02 });
    const adamw = new AdamW([bias], { lr: 0.01 });
    w.grad.set(values(3, 20));
    bias.grad.set(values(4, 4));
    muon.step();
    adamw.step();
    expect(sameBits(w.data, values(1, 20))).toBe(false);
    expect(sameBits(bias.data, values(2, 4))).toBe(false);
    muon.dispose();
    adamw.dispose();
  });
});
