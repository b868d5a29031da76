/**
 * The benchmark's optimizers come from the registry: every optimizer it can step flat has a spec
 * (hand-written or made from its registry line), and an optimizer registered later is benchmarked
 * and checked against simdopt's other backends with no edit to bench/.
 */
import { Adamax, init } from 'simdopt';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPTIMIZERS as REGISTRY, type OptimizerEntry } from '../../packages/simdopt/src/optim/registry.js';
import { contenderKinds } from '../lib/contenders.js';
import { OPTIMIZERS, optimizerSpecs, registryId, specsFromRegistry } from '../lib/optimizers.js';
import { referenceModuleBytes } from '../lib/ref/assemble.js';
import { checkContenders } from '../lib/suite.js';

class AdamaxCopy extends Adamax {}
const adamax = REGISTRY.find((e) => e.name === 'Adamax')!;
const copy: OptimizerEntry = { ...adamax, name: 'AdamaxCopy', cls: AdamaxCopy };

describe('the benchmark optimizers', () => {
  beforeAll(async () => {
    await init({ backend: 'wasm-simd' });
  });

  it('has a spec for every optimizer the registry steps flat, and the default set is unchanged', () => {
    const benched = new Set(OPTIMIZERS.map((o) => o.optimizer));
    for (const e of REGISTRY) expect(benched.has(e.name), e.name).toBe(e.stepping === 'flat');
    expect(optimizerSpecs(false).map((o) => o.id)).toEqual(['sgd', 'sgd-momentum', 'rmsprop', 'adagrad', 'adam', 'adamw', 'lion']);
    // Made from the registry: ScheduleFreeSGD (nobody wrote its loops).
    const sf = OPTIMIZERS.find((o) => o.id === 'schedulefreesgd')!;
    expect([sf.label, sf.core, sf.naive, sf.tuned, sf.tfjs, sf.ref]).toEqual(['ScheduleFreeSGD', false, null, null, null, null]);
    expect(sf.options).toContain('momentum=0.9');
    expect([sf.slots, sf.bytes]).toEqual([1, 20]);
  });

  it('refuses a hand-written spec of an unregistered optimizer', () => {
    expect(() => specsFromRegistry(REGISTRY.filter((e) => e.name !== 'Lion'), OPTIMIZERS.slice(0, 12))).toThrow(/lion: Lion is not in the optimizer registry/);
  });

  it('benchmarks a newly registered optimizer from its registry line: simdopt on each backend, checked bit for bit', async () => {
    const specs = specsFromRegistry([...REGISTRY, copy], OPTIMIZERS.filter((o) => o.naive !== null));
    const spec = specs.find((o) => o.id === registryId('AdamaxCopy'))!;
    expect(spec.id).toBe('adamaxcopy');
    expect(spec.options).toBe('lr=0.002, betas=[0.9, 0.999], eps=1e-8');
    expect([spec.slots, spec.bytes]).toEqual([2, 28]);
    const env = { tfjs: null, refModule: new WebAssembly.Module(await referenceModuleBytes()) };
    const method = { warmupRounds: 0, rounds: 1, minSampleMs: 1, maxK: 1 } as never;
    const checks = await checkContenders(spec, contenderKinds(env), { sizes: [], optimizers: [spec], method, checkSize: 67, checkSteps: 5, tolerance: 1e-3, now: () => performance.now(), env });
    expect(checks.map((c) => [c.contender, c.ok, c.exact])).toEqual([
      ['simdopt-wasm-simd', true, true],
      ['simdopt-wasm', true, true],
      ['simdopt-js', true, true],
    ]);
    // It steps as Adamax does: the same bits as the hand-written Adamax spec's simdopt.
    const p0 = await contenderKinds(env)[2].make(spec, new Float32Array(67).fill(0.5), new Float32Array(67).fill(0.25))!.run(5);
    const adamaxSpec = { ...OPTIMIZERS.find((o) => o.id === 'adamax')!, naive: null, tuned: null };
    const p1 = await contenderKinds(env)[2].make(adamaxSpec, new Float32Array(67).fill(0.5), new Float32Array(67).fill(0.25))!.run(5);
    expect(Array.from(p0)).toEqual(Array.from(p1));
    expect(p0[0]).not.toBe(0.5);
  });
});
