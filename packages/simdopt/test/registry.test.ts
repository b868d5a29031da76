/**
 * The optimizer registry (src/optim/registry.ts) is what the suites, the benchmark and the
 * playground read: every entry's example must be accepted by its class and differ from the
 * defaults, and every exported optimizer class must be registered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as simdopt from 'simdopt';
import { init, Optimizer, Parameter } from 'simdopt';
import { OPTIMIZERS } from '../src/optim/registry.js';
import { keysOf } from '../src/options/schema.js';
import { snakeCase } from '../src/optim/state_interop.js';

beforeAll(async () => {
  await init({ backend: 'js' });
});

describe('the optimizer registry', () => {
  it('registers every optimizer class the package exports, once', () => {
    const exported = Object.entries(simdopt)
      .filter(([, v]) => typeof v === 'function' && v.prototype instanceof Optimizer)
      .map(([k]) => k)
      .sort();
    expect(OPTIMIZERS.map((e) => e.name).sort()).toEqual(exported);
    expect(new Set(OPTIMIZERS.map((e) => e.name)).size).toBe(OPTIMIZERS.length);
    for (const e of OPTIMIZERS) expect(e.cls.name).toBe(e.name);
  });

  it.each(OPTIMIZERS.map((e) => [e.name, e] as const))('%s: its example is accepted and changes options from their defaults', (_name, e) => {
    const p = Parameter.zeros(e.stepping === 'shaped' ? [4, 3] : [5]);
    const opt = new e.cls([p], { ...e.example });
    const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
    const changed = Object.entries(e.example).filter(([k, v]) => JSON.stringify(group[k]) === JSON.stringify(v));
    expect(changed.length).toBe(Object.keys(e.example).length);
    const defaults = new e.cls([Parameter.zeros(e.stepping === 'shaped' ? [4, 3] : [5])]).paramGroups[0] as unknown as Record<string, unknown>;
    // Beyond lr, at least one option differs from its default (a flag or a decay the suites exercise).
    expect(Object.keys(e.example).some((k) => k !== 'lr' && JSON.stringify(defaults[k]) !== JSON.stringify(e.example[k]))).toBe(true);
    opt.dispose();
  });

  it("every option's PyTorch name is its snake_case, which the torch state-dict format writes and reads", () => {
    for (const e of OPTIMIZERS) for (const [key, spec] of Object.entries(e.schema!.options)) expect(`${e.name}.${spec.torch}`).toBe(`${e.name}.${snakeCase(key)}`);
  });

  it.each(OPTIMIZERS.map((e) => [e.name, e] as const))("%s: a state dict's group fields are the schema's options, in its order, then the declared ones", (_name, e) => {
    const p = Parameter.zeros(e.stepping === 'shaped' ? [4, 3] : [5]);
    const opt = new e.cls([p], { ...e.example });
    // A key the schema does not know (refused by the next step) is not written either.
    (opt.paramGroups[0] as unknown as Record<string, unknown>).notAnOption = 1;
    const keys = Object.keys(opt.stateDict().paramGroups[0]);
    const options = keysOf(e.schema!);
    // Then the fields the optimizer declares per group (Schedule-Free's sums), and params.
    expect(keys.slice(0, options.length)).toEqual(options);
    expect(keys.at(-1)).toBe('params');
    expect(keys).not.toContain('notAnOption');
    opt.dispose();
  });
});
