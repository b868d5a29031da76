/**
 * Model-based fuzzing (fast-check, fixed seed, bounded runs): random sequences of create, set
 * gradients (sometimes non-finite), step, zeroGrad, change lr, save, load, dispose and memory
 * growth, over random lengths and hyperparameters. The js backend is the model: wasm-simd and
 * wasm must produce the same trace bit for bit (values after every operation, what step()
 * returned, which argument an error named), and every run ends with no live bytes left.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backendInfo, checkpoint, init, loadState, Parameter, restore, saveState, SimdoptError, type Checkpoint } from 'simdopt';
import { build, RICH_OPTIONS, values, type AnyOptimizer } from './support/harness.js';
import { OPTIMIZER_CLASSES } from './support/reference.js';

type Op =
  | { kind: 'create'; size: number; seed: number }
  | { kind: 'grad'; which: number; seed: number; poison: boolean }
  | { kind: 'step' }
  | { kind: 'zeroGrad' }
  | { kind: 'lr'; which: number; lr: number }
  | { kind: 'save' }
  | { kind: 'load' }
  | { kind: 'dispose'; which: number }
  | { kind: 'grow'; floats: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), size: fc.integer({ min: 0, max: 70 }), seed: fc.nat(1000) }),
  fc.record({ kind: fc.constant('grad' as const), which: fc.nat(9), seed: fc.nat(1000), poison: fc.boolean() }),
  fc.constant({ kind: 'step' as const }),
  fc.constant({ kind: 'step' as const }),
  fc.constant({ kind: 'zeroGrad' as const }),
  fc.record({ kind: fc.constant('lr' as const), which: fc.nat(9), lr: fc.double({ min: 1e-4, max: 0.3, noNaN: true }) }),
  fc.constant({ kind: 'save' as const }),
  fc.constant({ kind: 'load' as const }),
  fc.record({ kind: fc.constant('dispose' as const), which: fc.nat(9) }),
  fc.record({ kind: fc.constant('grow' as const), floats: fc.integer({ min: 1 << 16, max: 1 << 19 }) }),
);

interface Scenario {
  className: string;
  skipNonFinite: boolean;
  ops: Op[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  className: fc.constantFrom(...OPTIMIZER_CLASSES),
  skipNonFinite: fc.boolean(),
  ops: fc.array(op, { minLength: 1, maxLength: 30 }),
});

/** FNV-1a over the bits of every parameter's values. */
function digest(params: Parameter[]): number {
  let h = 0x811c9dc5;
  for (const p of params) {
    for (const w of new Uint32Array(p.data.slice().buffer)) h = Math.imul(h ^ w, 0x01000193) >>> 0;
    h = Math.imul(h ^ p.size, 0x01000193) >>> 0;
  }
  return h;
}

/** Runs a scenario on the active backend and returns its trace; disposes everything it made. */
function execute(s: Scenario): { trace: string[]; leftover: number } {
  const start = backendInfo().liveBytes;
  const params: Parameter[] = [];
  let opt: AnyOptimizer | null = null;
  let saved: { text: string; sizes: number[] } | null = null;
  const options = { ...RICH_OPTIONS[s.className], skipNonFinite: s.skipNonFinite };
  const rebuild = () => {
    opt?.dispose();
    opt = params.length > 0 ? build(s.className, params.map((p) => ({ params: [p] })), options) : null;
  };
  const trace: string[] = [];
  for (const o of s.ops) {
    let result = '';
    try {
      switch (o.kind) {
        case 'create': {
          const p = Parameter.from(values(o.seed, o.size));
          params.push(p);
          if (opt) (opt as AnyOptimizer).addParamGroup({ params: [p] });
          else rebuild();
          break;
        }
        case 'grad': {
          if (params.length === 0) break;
          const p = params[o.which % params.length];
          p.grad.set(values(o.seed + 1, p.size, 3));
          if (o.poison && p.size > 0) p.grad[o.seed % p.size] = [NaN, Infinity, -Infinity][o.seed % 3];
          break;
        }
        case 'step':
          result = String(opt ? (opt as AnyOptimizer).step() : null);
          break;
        case 'zeroGrad':
          (opt as AnyOptimizer | null)?.zeroGrad();
          break;
        case 'lr':
          if (opt) (opt as AnyOptimizer).paramGroups[o.which % params.length].lr = o.lr;
          break;
        case 'save':
          if (opt) saved = { text: saveState(checkpoint({ parameters: params, optimizer: opt })), sizes: params.map((p) => p.size) };
          break;
        case 'load':
          // Only into the same layout; anything else must be refused (and is traced).
          if (opt && saved) restore(loadState<Checkpoint>(saved.text), { parameters: params, optimizer: opt });
          break;
        case 'dispose': {
          if (params.length === 0) break;
          const [p] = params.splice(o.which % params.length, 1);
          p.dispose();
          rebuild();
          break;
        }
        case 'grow': {
          // Memory grows (wasm) and the views of every parameter must follow.
          const big = Parameter.zeros(o.floats);
          big.dispose();
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof SimdoptError)) throw e;
      result = `error ${e.argument}`;
    }
    trace.push(`${o.kind} ${result} ${digest(params)}`);
  }
  (opt as AnyOptimizer | null)?.dispose();
  params.forEach((p) => p.dispose());
  return { trace, leftover: backendInfo().liveBytes - start };
}

describe('fuzzing against the js backend as the model', () => {
  it('wasm-simd and wasm follow the js trace bit for bit and leak nothing', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await init({ backend: 'js' });
        const model = execute(s);
        expect(model.leftover).toBe(0);
        for (const backend of ['wasm-simd', 'wasm'] as const) {
          await init({ backend, initialMemoryBytes: 256 << 10 });
          const run = execute(s);
          expect(run.trace).toEqual(model.trace);
          expect(run.leftover).toBe(0);
        }
      }),
      { seed: 20250101, numRuns: 60 },
    );
  });
});
