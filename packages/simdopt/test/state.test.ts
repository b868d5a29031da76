/** saveState / loadState: lossless JSON text for optimizer state dicts and any other state. */
import { beforeAll, describe, expect, it } from 'vitest';
import { init, loadState, Parameter, saveState, SimdoptError, type OptimizerState } from 'simdopt';
import { build, makeParams, RICH_OPTIONS, runSteps, sameBits, sameState } from './support/harness.js';
import { FLAT_OPTIMIZERS } from './support/reference.js';

beforeAll(async () => {
  await init({ backend: 'wasm-simd', initialMemoryBytes: 1 << 20 });
});

function f32FromBits(bits: number[]): Float32Array {
  return new Float32Array(new Uint32Array(bits).buffer);
}

function bitsOf(a: Float32Array | Float64Array): number[] {
  return Array.from(a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length) : new Uint32Array(a.buffer, a.byteOffset, a.length * 2));
}

function argumentOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SimdoptError);
    return (e as SimdoptError).argument;
  }
  expect.fail('expected a SimdoptError');
}

describe('saveState / loadState', () => {
  it.each(FLAT_OPTIMIZERS)('%s: a saved state dict loads and continues bit-identically', (className) => {
    const params = makeParams([5, 11]);
    const opt = build(className, params, RICH_OPTIONS[className]);
    runSteps(opt, params, 1, 3);
    const text = saveState(opt.stateDict());
    const dataAt3 = params.map((p) => p.data.slice());
    runSteps(opt, params, 4, 7);
    const loaded = loadState<OptimizerState>(text);
    for (const entry of Object.values(loaded.state)) {
      for (const [name, v] of Object.entries(entry)) {
        if (!['step', 'mu_product', 'eta', 'mu'].includes(name)) expect(v).toBeInstanceOf(Float32Array);
      }
    }
    const copies = dataAt3.map((d) => Parameter.from(d));
    const resumed = build(className, copies, {});
    resumed.loadStateDict(loaded);
    runSteps(resumed, copies, 4, 7);
    copies.forEach((c, i) => expect(sameBits(c.data, params[i].data)).toBe(true));
    expect(sameState(resumed.stateDict().state, opt.stateDict().state)).toBe(true);
  });

  it('keeps every float32 bit: NaN payloads (signalling too), ±Infinity, −0, subnormals', () => {
    const bits = [0x7fc00000, 0x7fc00001, 0xffc12345, 0x7f800001, 0xff800000, 0x7f800000, 0x80000000, 0x00000001, 0x3f800000];
    const payload = f32FromBits(bits);
    const back = loadState<{ w: Float32Array }>(saveState({ w: payload }));
    expect(back.w).toBeInstanceOf(Float32Array);
    expect(bitsOf(back.w)).toEqual(bits);
  });

  it('keeps numbers JSON cannot spell, other typed arrays, undefined, null, nesting and "$" keys', () => {
    const value = {
      nan: NaN,
      inf: Infinity,
      ninf: -Infinity,
      negZero: -0,
      tiny: 5e-324,
      big: 1.7976931348623157e308,
      third: 1 / 3,
      list: [NaN, -0, 2, [Infinity]],
      f64: new Float64Array([NaN, -0, Math.PI, -Infinity]),
      i32: new Int32Array([-1, 2 ** 31 - 1]),
      u8: new Uint8Array([0, 255]),
      view: new Float32Array([1, 2, 3, 4]).subarray(1, 3),
      empty: new Float32Array(0),
      missing: undefined,
      inList: [undefined, null],
      nothing: null,
      text: 'lr',
      flag: true,
      $: 'a key named $',
      nested: { $: { $: 1 }, deeper: { x: -0 } },
    };
    const back = loadState<typeof value>(saveState(value));
    expect(Object.keys(back)).toEqual(Object.keys(value));
    expect(Object.is(back.nan, NaN) && Object.is(back.negZero, -0)).toBe(true);
    expect([back.inf, back.ninf, back.tiny, back.big, back.third]).toEqual([Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 1 / 3]);
    expect(Object.is(back.list[1], -0) && Number.isNaN(back.list[0])).toBe(true);
    expect(back.list.slice(2)).toEqual([2, [Infinity]]);
    expect(back.f64).toBeInstanceOf(Float64Array);
    expect(bitsOf(back.f64)).toEqual(bitsOf(value.f64));
    expect(back.i32).toEqual(value.i32);
    expect(back.u8).toEqual(value.u8);
    expect(Array.from(back.view)).toEqual([2, 3]);
    expect(back.empty).toEqual(new Float32Array(0));
    expect('missing' in back && back.missing === undefined).toBe(true);
    expect(back.inList).toEqual([undefined, null]);
    expect([back.nothing, back.text, back.flag, back.$]).toEqual([null, 'lr', true, 'a key named $']);
    expect(back.nested.$).toEqual({ $: 1 });
    expect(Object.is(back.nested.deeper.x, -0)).toBe(true);
  });

  it('writes plain JSON: parseable, deterministic, no NaN tokens', () => {
    const text = saveState({ a: NaN, b: new Float32Array([NaN, 1]) });
    expect(() => JSON.parse(text)).not.toThrow();
    expect(text).not.toMatch(/NaN[,}\]]/);
    expect(saveState({ a: NaN, b: new Float32Array([NaN, 1]) })).toBe(text);
    expect(JSON.parse(text)).toMatchObject({ format: 'simdopt-state', version: 1 });
  });

  it('round-trips a scheduler-like state and a parameter map', () => {
    const scheduler = { lastEpoch: 7, baseLrs: [0.1, 0.01], lastLr: [0.05, 0.005], milestones: { 3: 1, 6: 2 }, verbose: false };
    expect(loadState(saveState(scheduler))).toEqual(scheduler);
    const [w, b] = makeParams([6, 2]);
    const map = { 'layer.weight': w.data.slice(), 'layer.bias': b.data.slice() };
    const back = loadState<typeof map>(saveState(map));
    expect(sameBits(back['layer.weight'], w.data) && sameBits(back['layer.bias'], b.data)).toBe(true);
  });

  it('refuses what it cannot write back, naming where it is', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(argumentOf(() => saveState({ fn: () => 1 }))).toBe('state.fn');
    expect(argumentOf(() => saveState({ m: new Map() }))).toBe('state.m');
    expect(argumentOf(() => saveState({ list: [1, makeParams([1])[0]] }))).toBe('state.list[1]');
    expect(argumentOf(() => saveState(cyclic))).toBe('state.self');
    expect(argumentOf(() => saveState({ n: 1n }))).toBe('state.n');
    expect(argumentOf(() => saveState({ v: new DataView(new ArrayBuffer(4)) }))).toBe('state.v');
    expect(argumentOf(() => saveState({ v: new BigInt64Array(1) }))).toBe('state.v');
  });

  it('refuses text it did not write', () => {
    const good = JSON.parse(saveState({ w: new Float32Array([1, 2]) }));
    expect(argumentOf(() => loadState('{not json'))).toBe('text');
    expect(argumentOf(() => loadState(JSON.stringify({ w: 1 })))).toBe('text');
    expect(argumentOf(() => loadState(42 as unknown as string))).toBe('text');
    expect(argumentOf(() => loadState(JSON.stringify({ ...good, version: 2 })))).toBe('text.version');
    expect(argumentOf(() => loadState(JSON.stringify({ ...good, value: { w: { $: 'Float16Array', base64: '' } } })))).toBe('value.w.$');
    expect(argumentOf(() => loadState(JSON.stringify({ ...good, value: { w: { $: 'Float32Array', base64: 'AAA' } } })))).toBe('value.w.base64');
    expect(argumentOf(() => loadState(JSON.stringify({ ...good, value: { w: { $: 'Float32Array', base64: 'AAAAAAA=' } } })))).toBe('value.w.base64');
    expect(argumentOf(() => loadState(JSON.stringify({ ...good, value: { x: { $: 'number', value: 'constructor' } } })))).toBe('value.x.value');
  });
});
