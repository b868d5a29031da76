/**
 * wasm-simd, wasm (scalar) and js run the same kernels with the same float32 roundings, so they
 * agree bit for bit (every NaN equal to every NaN): on every length (not only multiples of 4),
 * with several parameters per group (so tensors start at different alignments), and with NaN and
 * ±Infinity in the gradients.
 */
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, init, Parameter, SGD, type Optimizer } from 'simdopt';
import { ADOPT } from 'simdopt';
import { LAMB } from 'simdopt';
import { ScheduleFreeAdamW, ScheduleFreeSGD } from 'simdopt';
import { BACKENDS } from './support/vectors.js';
import { xorshift } from './support/harness.js';

const rng = xorshift;

type Make = (ps: Parameter[]) => Optimizer<never>;
/** Schedule-Free in train mode (it starts in eval mode). */
const trained = (o: ScheduleFreeAdamW | ScheduleFreeSGD) => (o.train(), o as never);
const CONFIGS: [string, Make][] = [
  ['sgd', (ps) => new SGD(ps, { lr: 0.05 }) as never],
  ['sgd momentum dampening wd maximize', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.1, maximize: true }) as never],
  ['sgd nesterov', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }) as never],
  ['adam', (ps) => new Adam(ps, { lr: 0.01 }) as never],
  ['adam amsgrad wd maximize', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.1, maximize: true, betas: [0.8, 0.99], eps: 1e-3 }) as never],
  ['adamw', (ps) => new AdamW(ps, { lr: 0.01, weightDecay: 0.5, betas: [0.3, 0.9] }) as never],
  ['lamb', (ps) => new LAMB(ps, { lr: 0.01 }) as never],
  ['lamb wd epsRoot maximize', (ps) => new LAMB(ps, { lr: 0.01, weightDecay: 0.1, epsRoot: 1e-4, maximize: true, betas: [0.5, 0.9] }) as never],
  ['schedulefree adamw', (ps) => trained(new ScheduleFreeAdamW(ps, { lr: 0.01, weightDecay: 0.1, warmupSteps: 2, r: 1 }))],
  ['schedulefree sgd', (ps) => trained(new ScheduleFreeSGD(ps, { lr: 0.1, momentum: 0.7, weightDecay: 0.1, weightLrPower: 1 }))],
  ['adopt', (ps) => new ADOPT(ps, { lr: 0.01 }) as never],
  ['adopt tight clip coupled wd', (ps) => new ADOPT(ps, { lr: 0.01, weightDecay: 0.1, clipLambda: (s) => s ** 0.25 / 8 }) as never],
  ['adopt no clip decouple maximize', (ps) => new ADOPT(ps, { lr: 0.01, weightDecay: 0.1, decouple: true, maximize: true, clipLambda: null, eps: 1e-3 }) as never],
];

/** Runs 4 steps of `make` on parameters of the given sizes under the active backend. */
function trajectory(make: Make, sizes: number[], poison: boolean, seed: number) {
  const r = rng(seed);
  const ps = sizes.map((n) => Parameter.from(Array.from({ length: n }, () => r() * 2)));
  const opt = make(ps);
  for (let t = 0; t < 4; t++) {
    ps.forEach((p, j) => {
      for (let i = 0; i < p.size; i++) p.grad[i] = r() * 3;
      if (poison && p.size > 0) {
        const specials = [NaN, Infinity, -Infinity, 0, -0];
        specials.forEach((v, k) => (p.grad[(k * 7 + t * 3 + j) % p.size] = v));
      }
    });
    opt.step();
  }
  const out = ps.map((p) => Array.from(p.data));
  const state = opt.stateDict().state;
  opt.dispose();
  ps.forEach((p) => p.dispose());
  return { out, state };
}

function sameBits(a: number[][], b: number[][]): boolean {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  const bits = (x: number) => ((f[0] = x), Number.isNaN(x) ? -1 : u[0]);
  return a.length === b.length && a.every((row, i) => row.length === b[i].length && row.every((x, j) => bits(x) === bits(b[i][j])));
}

describe('backends agree bit for bit', () => {
  const lengthSets: number[][] = [
    ...Array.from({ length: 68 }, (_, n) => [n]),
    [1, 2, 3, 5, 7],
    [37, 4, 129, 3],
    [1000, 17, 4097],
  ];
  it.each(CONFIGS)('%s', async (_name, make) => {
    const runs = lengthSets.flatMap((sizes, k) => [false, true].map((poison) => ({ sizes, poison, seed: 1234 + k })));
    const results = new Map<string, ReturnType<typeof trajectory>[]>();
    for (const backend of BACKENDS) {
      await init({ backend });
      results.set(backend, runs.map(({ sizes, poison, seed }) => trajectory(make, sizes, poison, seed)));
    }
    const ref = results.get('js')!;
    for (const backend of ['wasm-simd', 'wasm']) {
      results.get(backend)!.forEach((got, r) => {
        const { sizes, poison } = runs[r];
        if (!sameBits(got.out, ref[r].out)) expect.fail(`${backend} vs js differ for sizes [${sizes}] poison=${poison}`);
        for (const [i, entry] of Object.entries(ref[r].state)) {
          for (const [name, v] of Object.entries(entry)) {
            const mine = got.state[Number(i)][name];
            if (typeof v === 'number') expect(mine).toBe(v);
            else if (!sameBits([Array.from(mine as Float32Array)], [Array.from(v as Float32Array)])) {
              expect.fail(`${backend} state ${name} of param ${i} differs for sizes [${sizes}]`);
            }
          }
        }
      });
    }
  });

  it('a NaN gradient poisons only its own element, as in PyTorch', async () => {
    for (const backend of BACKENDS) {
      await init({ backend });
      const p = Parameter.from([1, 2, 3, 4, 5, 6]);
      const opt = new Adam([p], { lr: 0.1 });
      p.grad.set([1, NaN, 1, 1, Infinity, 1]);
      opt.step();
      expect(Number.isNaN(p.data[1])).toBe(true);
      expect(Number.isNaN(p.data[4])).toBe(true); // inf/inf in the Adam ratio
      expect([0, 2, 3, 5].every((i) => Number.isFinite(p.data[i]))).toBe(true);
    }
  });
});
