/** Bad input throws a SimdoptError naming the argument, before any memory is written. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, AdamW, init, Parameter, SGD, SimdoptError } from 'simdopt';

describe('bad input', () => {
  beforeAll(async () => {
    await init();
  });

  const cases: [string, () => unknown, RegExp][] = [
    ['negative lr', () => new SGD([Parameter.zeros(2)], { lr: -1 }), /^lr:/],
    ['NaN lr', () => new Adam([Parameter.zeros(2)], { lr: NaN }), /^lr:/],
    ['infinite lr', () => new Adam([Parameter.zeros(2)], { lr: Infinity }), /^lr:/],
    ['beta1 = 1', () => new Adam([Parameter.zeros(2)], { betas: [1, 0.999] }), /betas\[0\]/],
    ['beta2 < 0', () => new AdamW([Parameter.zeros(2)], { betas: [0.9, -0.1] }), /betas\[1\]/],
    ['betas not a pair', () => new Adam([Parameter.zeros(2)], { betas: [0.9] as never }), /betas/],
    ['negative eps', () => new Adam([Parameter.zeros(2)], { eps: -1e-8 }), /^eps:/],
    ['negative weightDecay', () => new SGD([Parameter.zeros(2)], { weightDecay: -0.1 }), /weightDecay/],
    ['negative momentum', () => new SGD([Parameter.zeros(2)], { momentum: -0.5 }), /momentum/],
    ['nesterov without momentum', () => new SGD([Parameter.zeros(2)], { nesterov: true }), /nesterov/],
    ['nesterov with dampening', () => new SGD([Parameter.zeros(2)], { nesterov: true, momentum: 0.9, dampening: 0.1 }), /nesterov/],
    ['non-boolean amsgrad', () => new Adam([Parameter.zeros(2)], { amsgrad: 1 as never }), /amsgrad/],
    ['empty parameter list', () => new Adam([]), /params/],
    ['not an iterable', () => new Adam(5 as never), /params/],
    ['a non-parameter', () => new Adam([{} as never]), /params/],
    ['a group with a bad lr', () => new SGD([{ params: [Parameter.zeros(1)], lr: -2 }]), /paramGroups\[0\]\.lr/],
  ];

  it.each(cases)('%s', (_name, make, message) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimdoptError);
    expect((error as Error).message).toMatch(message);
    expect((error as SimdoptError).argument).toBeTruthy();
  });

  it('a parameter in two groups is refused', () => {
    const p = Parameter.zeros(2);
    expect(() => new SGD([{ params: [p] }, { params: [p] }])).toThrow(/another group|no other group/);
    const opt = new SGD([p]);
    expect(() => opt.addParamGroup({ params: [p] })).toThrow(SimdoptError);
    expect(opt.paramGroups).toHaveLength(1);
  });

  it('an option made invalid between steps throws at step and changes nothing', () => {
    const a = Parameter.from([1, 2, 3]);
    const b = Parameter.from([4, 5]);
    const opt = new Adam([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    a.grad.set([1, 1, 1]);
    b.grad.set([1, 1]);
    opt.step();
    const data = [a.data.slice(), b.data.slice()];
    const state = structuredClone(opt.stateDict());
    opt.paramGroups[1].lr = -1;
    expect(() => opt.step()).toThrow(/paramGroups\[1\]\.lr/);
    expect(a.data).toEqual(data[0]);
    expect(b.data).toEqual(data[1]);
    expect(opt.stateDict()).toEqual({ ...state, paramGroups: opt.stateDict().paramGroups });
    b.dispose();
    opt.paramGroups[1].lr = 0.1;
    expect(() => opt.step()).toThrow(/disposed/);
    expect(a.data).toEqual(data[0]);
  });
});
