/**
 * State dicts and checkpoints that went through plain JSON (typed arrays become index-keyed
 * objects, NaN/Infinity become null) load; a null says what happened and points to saveState.
 */
import { describe, expect, it } from 'vitest';
import { Adam, checkpoint, init, Parameter, restore, RMSprop, SGD, SimdoptError, StepLR } from 'simdopt';
import { sameBits, values } from './support/harness.js';
import { BACKENDS } from './support/vectors.js';

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function train(opt: { step(): boolean }, ps: Parameter[], from: number, to: number): void {
  for (let t = from; t < to; t++) {
    ps.forEach((p, i) => p.grad.set(values(100 * t + i, p.size)));
    opt.step();
  }
}

describe.each(BACKENDS)('plain JSON state on %s', (backend) => {
  it.each([
    ['Adam amsgrad', (ps: Parameter[]) => new Adam(ps, { lr: 0.01, amsgrad: true })],
    ['SGD nesterov', (ps: Parameter[]) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ['RMSprop centered', (ps: Parameter[]) => new RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5 })],
  ])('%s: loadStateDict(JSON.parse(JSON.stringify(stateDict()))) continues bit-identically', async (_n, make) => {
    await init({ backend });
    const run = (cut: boolean): Float32Array => {
      const ps = [Parameter.from(values(1, 37)), Parameter.from(values(2, 6), { shape: [2, 3] })];
      let opt = make(ps);
      train(opt, ps, 0, 4);
      if (cut) {
        const saved = json(opt.stateDict());
        expect(saved.state[0].exp_avg ?? saved.state[0].momentum_buffer ?? saved.state[0].square_avg).not.toBeInstanceOf(Float32Array);
        opt.dispose();
        opt = make(ps);
        opt.loadStateDict(saved);
      }
      train(opt, ps, 4, 9);
      const out = Float32Array.from([...ps[0].data, ...ps[1].data]);
      opt.dispose();
      ps.forEach((p) => p.dispose());
      return out;
    };
    expect(sameBits(run(true), run(false))).toBe(true);
  });

  it('restore(JSON.parse(JSON.stringify(checkpoint(…)))) restores parameters, optimizer and scheduler', async () => {
    await init({ backend });
    const ps = [Parameter.from(values(3, 9)), Parameter.from(values(4, 2))];
    const opt = new Adam(ps, { lr: 0.1 });
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    train(opt, ps, 0, 3);
    sched.step();
    const text = JSON.stringify(checkpoint({ parameters: ps, optimizer: opt, scheduler: sched }));
    const expected = { p0: ps[0].data.slice(), sd: opt.stateDict(), lr: opt.paramGroups[0].lr };
    train(opt, ps, 3, 6);
    sched.step();
    sched.step();
    restore(JSON.parse(text), { parameters: ps, optimizer: opt, scheduler: sched });
    expect(sameBits(ps[0].data, expected.p0)).toBe(true);
    expect(sameBits(opt.stateDict().state[0].exp_avg as Float32Array, expected.sd.state[0].exp_avg as Float32Array)).toBe(true);
    expect(opt.paramGroups[0].lr).toBe(expected.lr);
    opt.dispose();
    ps.forEach((p) => p.dispose());
  });

  it('a NaN that JSON made null is named, with saveState as the way out; nothing changes', async () => {
    await init({ backend });
    const p = Parameter.from(values(5, 5));
    const opt = new Adam([p]);
    p.grad.set(values(6, 5));
    opt.step();
    const sd = opt.stateDict();
    (sd.state[0].exp_avg as Float32Array)[3] = NaN;
    const before = opt.stateDict();
    let error: unknown;
    try {
      opt.loadStateDict(json(sd));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimdoptError);
    expect((error as SimdoptError).argument).toBe('stateDict.state[0].exp_avg');
    expect((error as Error).message).toMatch(/element \[3\] is null: plain JSON writes NaN and ±Infinity as null/);
    expect((error as Error).message).toContain('saveState()');
    expect(sameBits(opt.stateDict().state[0].exp_avg as Float32Array, before.state[0].exp_avg as Float32Array)).toBe(true);
    // In a checkpoint the same, named under checkpoint.*
    const c = checkpoint({ parameters: [p], optimizer: opt });
    c.parameters['0'][1] = Infinity;
    expect(() => restore(json(c), { parameters: [p], optimizer: opt })).toThrow(/checkpoint\.parameters\.0: element \[1\] is null/);
    opt.dispose();
    p.dispose();
  });

  it('errors read as English: "an object", "1 parameter"', async () => {
    await init({ backend });
    const p = Parameter.zeros(3);
    const opt = new Adam([p]);
    const sd = opt.stateDict();
    expect(() => opt.loadStateDict({ ...sd, state: { 0: { step: 1, exp_avg: { a: 1 }, exp_avg_sq: new Float32Array(3) } } } as never)).toThrow(
      /got an object$/,
    );
    expect(() => opt.loadStateDict({ ...sd, paramGroups: [{ ...sd.paramGroups[0], params: [] }] })).toThrow(/expected 1 parameter, got/);
    opt.dispose();
    p.dispose();
  });
});
