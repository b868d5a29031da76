/**
 * The threaded backend: every optimizer kernel gives the same bits for 1, 2, 3 and 4 threads as
 * the single-threaded wasm-simd build (tables divided into chunks of every size down to one
 * vector, lengths that are not multiples of 4, NaN/±Inf); the pool's lifecycle: a Node process
 * that used workers exits by itself, a killed worker is a SimdoptError at the next call (no hang),
 * and init/step/shutdown cycles do not leak.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam, ADOPT, ASGD, backendInfo, clipGradNorm, clipGradValue, Dropout, init, l1Penalty, l2Penalty, LAMB, Lion, nn, Parameter, Prodigy, Rprop, ScheduleFreeAdamW, ScheduleFreeSGD, SGD, shutdown, SimdoptError, type Optimizer } from 'simdopt';
import { backend } from '../src/runtime.js';
import { ThreadsBackend } from '../src/backend/threads.js';
import { allOptimizerCases, camelOptions, optimizerClass } from './support/vectors.js';
import { SHAPED_OPTIMIZERS, xorshift } from './support/harness.js';

const rng = xorshift;

type Make = (ps: Parameter[]) => Optimizer<never>;

/** Schedule-Free optimizers step in train mode only. */
function inTrainMode(opt: Optimizer<never>): Optimizer<never> {
  (opt as unknown as { train?: () => void }).train?.();
  return opt;
}

/**
 * The optimizers outside the reference vectors (ASGD, Rprop, Prodigy), and one configuration of
 * each later optimizer with options the vectors leave at their defaults.
 */
const EXTRA_CONFIGS: [string, Make][] = [
  ['ASGD', (ps) => new ASGD(ps, { lr: 0.01, lambd: 1e-3, alpha: 0.75, t0: 1, weightDecay: 0.1 }) as never],
  ['ASGD maximize', (ps) => new ASGD(ps, { lr: 0.02, t0: 0, maximize: true }) as never],
  ['Rprop', (ps) => new Rprop(ps, { lr: 0.01, etas: [0.4, 1.3], stepSizes: [1e-4, 0.5] }) as never],
  ['Rprop maximize', (ps) => new Rprop(ps, { lr: 0.05, maximize: true }) as never],
  ['ADOPT decoupled', (ps) => new ADOPT(ps, { lr: 0.01, weightDecay: 0.1, decouple: true }) as never],
  ['LAMB', (ps) => new LAMB(ps, { lr: 0.01, weightDecay: 0.05, epsRoot: 1e-8 }) as never],
  ['ScheduleFreeAdamW', (ps) => inTrainMode(new ScheduleFreeAdamW(ps, { lr: 0.01, warmupSteps: 2, weightDecay: 0.01 }) as never)],
  ['ScheduleFreeSGD', (ps) => inTrainMode(new ScheduleFreeSGD(ps, { lr: 0.01, momentum: 0.8, weightDecay: 0.01 }) as never)],
  ['Prodigy', (ps) => new Prodigy(ps, { lr: 1, weightDecay: 0.01 }) as never],
  ['Prodigy coupled, safeguard', (ps) => new Prodigy(ps, { lr: 1, weightDecay: 0.01, decouple: false, safeguardWarmup: true, beta3: 0.9 }) as never],
];

/** Every optimizer configuration of the reference vectors, plus Lion's and EXTRA_CONFIGS. */
const CONFIGS: [string, Make][] = [
  ...allOptimizerCases().map(({ className, c }): [string, Make] => {
    const Cls = optimizerClass(className);
    const options = camelOptions(c.hyper);
    return [`${className} ${c.id}`, (ps) => inTrainMode(new Cls(ps, options))];
  }),
  ['Lion', (ps) => new Lion(ps, { lr: 0.01, weightDecay: 0.1 }) as never],
  ['Lion maximize', (ps) => new Lion(ps, { lr: 0.01, betas: [0.5, 0.7], maximize: true }) as never],
  ...EXTRA_CONFIGS,
];

/** Bits of a float32 value, with every NaN the same. */
const f = new Float32Array(1);
const u = new Uint32Array(f.buffer);
const bits = (x: number) => ((f[0] = x), Number.isNaN(x) ? -1 : u[0]);

/**
 * 3 steps of `make` on parameters of `sizes`; returns values and state as bit patterns. `poisoned`
 * picks the parameters whose gradients get non-finite values (default: all).
 */
function trajectory(make: Make, sizes: readonly (number | readonly number[])[], seed: number, poisoned: (j: number) => boolean = () => true, gradScale: (i: number) => number = () => 1): number[] {
  const r = rng(seed);
  const ps = sizes.map((n) => {
    const shape = typeof n === 'number' ? [n] : n;
    return Parameter.from(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2), { shape });
  });
  const opt = make(ps);
  for (let t = 0; t < 3; t++) {
    ps.forEach((p, j) => {
      for (let i = 0; i < p.size; i++) p.grad[i] = r() * 3 * gradScale(i);
      // Non-finite gradients here and there (skipNonFinite is off by default).
      if (poisoned(j)) [NaN, Infinity, -Infinity, -0].forEach((v, k) => p.size > 8 && (p.grad[(k * 7 + t * 3 + j) % p.size] = v));
    });
    opt.step();
  }
  const out = ps.flatMap((p) => Array.from(p.data, bits));
  const sd = opt.stateDict();
  for (const entry of Object.values(sd.state)) {
    for (const v of Object.values(entry as Record<string, unknown>)) {
      if (v instanceof Float32Array) for (const x of v) out.push(bits(x));
      else if (typeof v === 'number') out.push(bits(v));
    }
  }
  // Group-wide numbers an optimizer keeps in its groups (Prodigy's d, Schedule-Free's sums), in
  // float64: compared exactly.
  for (const group of sd.paramGroups as unknown as Record<string, unknown>[]) {
    for (const [k, v] of Object.entries(group)) if (k !== 'params' && typeof v === 'number') out.push(Number.isNaN(v) ? -1 : v);
  }
  opt.dispose();
  ps.forEach((p) => p.dispose());
  return out;
}

function threaded(): ThreadsBackend {
  const b = backend();
  if (!(b instanceof ThreadsBackend)) throw new Error('expected the threads backend');
  return b;
}

/** Tables that straddle chunk boundaries at every small chunk size. */
const SIZE_SETS = [[1, 2, 3, 5, 7], [37, 4, 129, 3], [67, 1000, 17, 258], [4097]];
/** Matrices for the optimizers that need shapes (Muon takes nothing else; Adafactor factors them). */
const SHAPE_SETS = [[[1, 1], [3, 5]], [[37, 9], [4, 129]], [[67, 70]]];
const SHAPED = new Set(SHAPED_OPTIMIZERS);
/** Chunks of 4 (one vector), 8, 12 and 64 elements. */
const CHUNKS = [4, 8, 12, 64];

afterAll(async () => {
  await shutdown();
});

describe('bit-identical for every thread count', () => {
  it.each(CONFIGS)('%s', async (name, make) => {
    const sets = SHAPED.has(name.split(' ')[0]) ? SHAPE_SETS : SIZE_SETS;
    await init({ backend: 'wasm-simd', threads: 1 });
    expect(backendInfo().threads).toBe(1);
    const ref = sets.map((sizes, k) => trajectory(make, sizes, 100 + k));
    for (const threads of [2, 3, 4]) {
      await init({ backend: 'wasm-simd', threads });
      expect(backendInfo().threads).toBe(threads);
      for (const chunk of CHUNKS) {
        // Every table splits: threshold of one element.
        expect(threaded().configureSplit({ threshold: 1, chunk })).toBe(chunk);
        sets.forEach((sizes, k) => {
          const got = trajectory(make, sizes, 100 + k);
          if (got.length !== ref[k].length || got.some((b, i) => b !== ref[k][i])) {
            expect.fail(`${threads} threads, chunk ${chunk}, sizes [${sizes}] differ from one thread`);
          }
        });
      }
    }
  });

  it('around the default threshold and the chunks a job sizes (16384 to 65536 elements)', async () => {
    // 300001 and 700001 padded elements: chunks of 37500 / 25000 and 65536 (the largest) elements.
    const sizeSets = [[65532], [65536], [65537], [16383, 49153], [16384 * 5 + 3, 2, 65539], [300_001], [699_999, 2]];
    const makes: Make[] = [
      (ps) => new Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.1 }) as never,
      (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }) as never,
    ];
    await init({ backend: 'wasm-simd', threads: 1 });
    const ref = makes.map((m) => sizeSets.map((s, k) => trajectory(m, s, 7 + k)));
    for (const threads of [2, 3]) {
      await init({ backend: 'wasm-simd', threads });
      makes.forEach((m, i) =>
        sizeSets.forEach((s, k) => {
          const got = trajectory(m, s, 7 + k);
          expect(got.every((b, j) => b === ref[i][k][j]) && got.length === ref[i][k].length, `${threads} threads sizes [${s}]`).toBe(true);
        }),
      );
    }
  });
});

describe('LAMB and Prodigy: sums per segment over the threads, same bits in every backend', () => {
  // Above the default threshold, several tensors (lengths not multiples of 4, some of several
  // 65536-element segments, one of a segment and one element), non-finite gradients in some
  // tensors only (a NaN in a tensor makes LAMB's trust ratio NaN for that tensor alone).
  const sizeSets = [[131_077, 3, 70_001], [65_537, 1, 200_003, 130], [256 * 30 + 1, ...Array.from({ length: 300 }, (_, k) => 301 + (k % 7))]];
  const makes: [string, Make][] = [
    ['LAMB', (ps) => new LAMB(ps, { lr: 0.01, weightDecay: 0.05, epsRoot: 1e-8 }) as never],
    ['LAMB maximize', (ps) => new LAMB(ps, { lr: 0.02, maximize: true }) as never],
    ['Prodigy', (ps) => new Prodigy(ps, { lr: 1, weightDecay: 0.01 }) as never],
    ['Prodigy coupled, safeguard', (ps) => new Prodigy(ps, { lr: 1, weightDecay: 0.01, decouple: false, safeguardWarmup: true, beta3: 0.9 }) as never],
  ];
  // Each table with non-finite gradients in the odd tensors, and without any but with gradients
  // from 2^-44 to 2^44 (Prodigy's d, from sums over the whole table, is NaN-free only then, and
  // the f64 additions of the segments' sums round: their order shows).
  const wide = (i: number) => 2 ** ((i % 23) * 4 - 44);
  const cases = sizeSets.flatMap((s): [number[], (j: number) => boolean, (i: number) => number][] => [
    [s, (j) => j % 2 === 1, () => 1],
    [s, () => false, wide],
  ]);
  it.each(makes)('%s: js, 1 thread vs 2, 3, 4 threads (default and one-element threshold)', async (_name, make) => {
    await init({ backend: 'js' });
    const js = cases.map(([s, poisoned, scale], k) => trajectory(make, s, 51 + k, poisoned, scale));
    await init({ backend: 'wasm-simd', threads: 1 });
    const ref = cases.map(([s, poisoned, scale], k) => trajectory(make, s, 51 + k, poisoned, scale));
    const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    cases.forEach(([s], k) => {
      if (!same(js[k], ref[k])) expect.fail(`js and wasm-simd differ, sizes [${s.slice(0, 4)}…]`);
      // Not all NaN: the finite tensors are checked too.
      expect(ref[k].filter((b) => b !== -1).length).toBeGreaterThan(ref[k].length / 3);
    });
    for (const threads of [2, 3, 4]) {
      await init({ backend: 'wasm-simd', threads });
      for (const threshold of [1 << 16, 1]) {
        threaded().configureSplit({ threshold });
        cases.forEach(([s, poisoned, scale], k) => {
          if (!same(trajectory(make, s, 51 + k, poisoned, scale), ref[k])) expect.fail(`${threads} threads, threshold ${threshold}, sizes [${s.slice(0, 4)}…] differ from one thread`);
        });
      }
    }
  });
});

describe('later optimizers above the default split threshold', () => {
  // Tables of more than 2^16 padded elements split at the default settings (chunks from 2^14):
  // pieces of one tensor on several threads (LAMB, Prodigy's measuring pass: segments).
  const sizeSets = [[70001], [16384 * 5 + 3, 2, 65539]];
  it.each(EXTRA_CONFIGS)('%s', async (_name, make) => {
    await init({ backend: 'wasm-simd', threads: 1 });
    const ref = sizeSets.map((s, k) => trajectory(make, s, 31 + k));
    for (const threads of [2, 3, 4]) {
      await init({ backend: 'wasm-simd', threads });
      sizeSets.forEach((s, k) => {
        const got = trajectory(make, s, 31 + k);
        if (got.length !== ref[k].length || got.some((b, i) => b !== ref[k][i])) {
          expect.fail(`${threads} threads, sizes [${s}] differ from one thread`);
        }
      });
    }
  });
});

describe('kit passes: segments over the threads, same bits in every backend', () => {
  /** Clipping, penalties and skipNonFinite over tensors that span several segments (2^16). */
  function kitRun(sizes: number[], seed: number): Uint32Array {
    const r = rng(seed);
    const ps = sizes.map((n) => Parameter.from(Float32Array.from({ length: n }, () => r() * 3)));
    const fill = () => ps.forEach((p) => p.grad.set(Float32Array.from({ length: p.size }, () => r() * 5)));
    const out: number[] = [];
    fill();
    out.push(clipGradNorm(ps, 1.5), clipGradNorm(ps, 0.7, { normType: 1.5 }), clipGradNorm(ps, 0.2, { normType: Infinity }));
    clipGradValue(ps, 0.05);
    out.push(l1Penalty(ps, 0.01), l2Penalty(ps, 0.02));
    const opt = new SGD(ps, { lr: 0.1, skipNonFinite: true });
    opt.step();
    ps[ps.length - 1].grad[ps[ps.length - 1].size - 1] = NaN;
    opt.step(); // skipped: a NaN in the last segment
    fill();
    ps[0].grad[1] = Infinity;
    out.push(clipGradNorm(ps, 1)); // non-finite total
    // Values and gradients as raw bits (NaN payloads included), then the returned norms/sums.
    const total = ps.reduce((n, p) => n + 2 * p.size, 0);
    const raw = new Uint32Array(total + out.length * 2);
    let at = 0;
    for (const p of ps) {
      raw.set(new Uint32Array(p.data.buffer, p.data.byteOffset, p.size), at);
      raw.set(new Uint32Array(p.grad.buffer, p.grad.byteOffset, p.size), (at += p.size));
      at += p.size;
    }
    new Float64Array(raw.buffer, at * 4).set(out);
    opt.dispose();
    ps.forEach((p) => p.dispose());
    return raw;
  }
  // The last set has more segments than one window of the pool (128): the js twin is left out
  // there (slow), the single-threaded wasm-simd build is the reference.
  const sets = [[3, 65536 * 2 + 5, 70], [65535, 65537, 1], [65536 * 129 + 3]];
  it('js, wasm, 1 thread vs 2, 3, 4 threads', async () => {
    const bytes = 256 << 20;
    await init({ backend: 'js' });
    const ref = sets.slice(0, 2).map((s, k) => kitRun(s, 40 + k));
    await init({ backend: 'wasm-simd', threads: 1, initialMemoryBytes: bytes });
    ref.push(kitRun(sets[2], 42));
    const same = (got: Uint32Array, want: Uint32Array) => got.length === want.length && got.every((b, j) => b === want[j]);
    for (const [backendName, threads] of [['wasm', 1], ['wasm-simd', 1], ['wasm-simd', 2], ['wasm-simd', 3], ['wasm-simd', 4]] as const) {
      await init({ backend: backendName, threads, initialMemoryBytes: bytes });
      if (threads > 1) threaded().configureSplit({ threshold: 1 });
      sets.forEach((s, k) => expect(same(kitRun(s, 40 + k), ref[k]), `${backendName} ${threads} threads, sizes [${s}]`).toBe(true));
    }
  }, 120_000);
});

describe('dropout: parts of the pass over the threads, same masks', () => {
  function dropoutRun(n: number): Uint32Array {
    const d = new Dropout(0.3, { seed: 17 });
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) + 2);
    const a = d.forward(x).slice();
    const inPlace = x.slice();
    d.forward(inPlace, inPlace);
    const out = new Float32Array([...a, ...inPlace]);
    return new Uint32Array(out.buffer);
  }
  const sizes = [65536 * 3 + 7, 1001];
  it('js, 1 thread vs 2, 3, 4 threads (chunks of 8 elements)', async () => {
    await init({ backend: 'js' });
    const ref = sizes.map(dropoutRun);
    for (const threads of [1, 2, 3, 4]) {
      await init({ backend: 'wasm-simd', threads });
      if (threads > 1) threaded().configureSplit({ threshold: 1, chunk: 8 });
      sizes.forEach((n, k) => {
        const got = dropoutRun(n);
        expect(got.length === ref[k].length && got.every((b, j) => b === ref[k][j]), `${threads} threads, n = ${n}`).toBe(true);
      });
    }
  });
});

describe('nn GEMM: column panels over the threads, same bits', () => {
  /** Forward and backward of Linear layers whose products split (m·n·k ≥ 2^20) or not. */
  function linearRun(batch: number, inF: number, outF: number): number[] {
    const r = rng(batch * 7 + inF * 3 + outF);
    const lin = new nn.Linear(inF, outF, { seed: 5 });
    const x = Float32Array.from({ length: batch * inF }, () => r());
    const y = lin.forward(x).slice();
    const dy = Float32Array.from({ length: batch * outF }, () => r());
    dy[3] = NaN;
    const dx = lin.backward(dy).slice();
    const out = [...y, ...dx, ...lin.weight.grad, ...lin.bias!.grad].map(bits);
    lin.dispose();
    return out;
  }
  const shapes: [number, number, number][] = [
    [64, 200, 130], // every product splits; 130 columns end in a partial panel
    [512, 300, 9], // two panels
    [64, 784, 256], // the MLP's first layer
    [3, 5, 7], // below the threshold
  ];
  it('1 thread vs 2, 3, 4', async () => {
    await init({ backend: 'wasm-simd', threads: 1 });
    const ref = shapes.map((s) => linearRun(...s));
    for (const threads of [2, 3, 4]) {
      await init({ backend: 'wasm-simd', threads });
      shapes.forEach((s, i) => {
        const got = linearRun(...s);
        expect(got.length).toBe(ref[i].length);
        expect(got.every((b, j) => b === ref[i][j]), `${threads} threads, Linear ${s}`).toBe(true);
      });
    }
  });
});

describe('the workers take part', () => {
  it('in optimizer steps and in products', async () => {
    await init({ backend: 'wasm-simd', threads: 2 });
    const b = threaded();
    const p = Parameter.zeros(1 << 20);
    const opt = new Adam([p], { lr: 0.01 });
    const lin = new nn.Linear(784, 256);
    const x = new Float32Array(64 * 784).fill(0.5);
    // A busy machine may not schedule the worker for a while: step until it has run chunks.
    const deadline = Date.now() + 20_000;
    const took = (work: () => void) => {
      const before = b.workerChunks();
      while (b.workerChunks() === before && Date.now() < deadline) work();
      return b.workerChunks() > before;
    };
    expect(took(() => opt.step())).toBe(true);
    expect(took(() => lin.forward(x))).toBe(true);
    // Prodigy (measuring pass per segment, update pass in chunks) and LAMB (both passes per segment).
    const prodigy = new Prodigy([p], { lr: 1 });
    expect(took(() => prodigy.step())).toBe(true);
    const lamb = new LAMB([p], { lr: 0.01 });
    expect(took(() => lamb.step())).toBe(true);
    // Below the threshold the calling thread works alone.
    const small = Parameter.zeros(1000);
    const smallOpt = new Adam([small], { lr: 0.01 });
    const before = b.workerChunks();
    for (let i = 0; i < 100; i++) smallOpt.step();
    expect(b.workerChunks()).toBe(before);
  });
});

describe('threads option', () => {
  it("'auto' uses the cores (at most 8) in Node; wasm and js run one thread", async () => {
    expect((await init({ backend: 'wasm-simd' })).threads).toBe(Math.min(8, availableParallelism()));
    expect((await init({ backend: 'wasm-simd', threads: 'auto' })).threads).toBe(Math.min(8, availableParallelism()));
    expect((await init({ backend: 'wasm', threads: 4 })).threads).toBe(1);
    expect((await init({ backend: 'js', threads: 4 })).threads).toBe(1);
  });

  it.each([0, -1, 1.5, 65, 'many', null])('refuses threads: %s', async (threads) => {
    await init({ backend: 'js' });
    const before = backend();
    await expect(init({ backend: 'wasm-simd', threads: threads as never })).rejects.toThrow(/threads: expected 'auto' or an integer/);
    expect(backend()).toBe(before);
  });

  it("a threads binary that cannot load: 'auto' runs one thread, a number is an error", async () => {
    const bad = 'data:application/wasm;base64,AGFzbQEAAAA=AAAA';
    const info = await init({ backend: 'wasm-simd', wasm: { threads: bad } });
    expect(info.threads).toBe(1);
    expect(backend() instanceof ThreadsBackend).toBe(false);
    await expect(init({ backend: 'wasm-simd', threads: 2, wasm: { threads: bad } })).rejects.toThrow(SimdoptError);
    // Bad memory options stay errors with 'auto' too.
    await expect(init({ backend: 'wasm-simd', maximumMemoryBytes: 1 << 16 })).rejects.toThrow(/maximumMemoryBytes: expected at least/);
  });

  it('shutdown() ends the backend; init() may follow', async () => {
    await init({ backend: 'wasm-simd', threads: 2 });
    const p = Parameter.zeros(8);
    await shutdown();
    expect(() => backendInfo()).toThrow(SimdoptError);
    expect(() => p.data).toThrow(SimdoptError);
    await shutdown(); // nothing active: resolves
    expect((await init({ backend: 'wasm-simd', threads: 2 })).threads).toBe(2);
  });
});

describe('shared memory growth', () => {
  it('views from before a growth stay valid and owned (nothing detaches)', async () => {
    await init({ backend: 'wasm-simd', threads: 2, initialMemoryBytes: 256 << 10 });
    const p = Parameter.from([1, 2, 3, 4, 5]);
    const old = p.data;
    const before = backendInfo().memoryBytes;
    const big = Parameter.zeros(1 << 20);
    expect(backendInfo().memoryBytes).toBeGreaterThan(before);
    expect(Array.from(old)).toEqual([1, 2, 3, 4, 5]);
    old[0] = 7;
    expect(p.data[0]).toBe(7);
    // The backend still knows the old view as its memory (nn kernels take it by address).
    expect(backend().holds(old)).toBe(true);
    expect(backend().holds(new Float32Array(5))).toBe(false);
    big.dispose();
    p.dispose();
  });
});

describe('worker lifecycle', () => {
  it('a killed worker is a SimdoptError at the next step, not a hang', async () => {
    await init({ backend: 'wasm-simd', threads: 3 });
    const p = Parameter.zeros(200_000);
    const opt = new Adam([p], { lr: 0.01 });
    opt.step();
    const pool = threaded().workers!;
    await pool.handles[0].terminate();
    // The exit event arrives on the event loop; give it a turn.
    await new Promise((r) => setTimeout(r, 50));
    expect(() => opt.step()).toThrow(/worker thread of the pool ended/);
    expect(() => opt.step()).toThrow(SimdoptError);
    await shutdown();
    // A new pool works.
    await init({ backend: 'wasm-simd', threads: 2 });
    const q = Parameter.zeros(200_000);
    q.grad.fill(1);
    new Adam([q], { lr: 0.5 }).step();
    expect(q.data[123_456]).toBeCloseTo(-0.5, 5);
  });

  it('a worker that traps inside a call: that call and the next are a SimdoptError, not a hang', async () => {
    await init({ backend: 'wasm-simd', threads: 2 });
    const p = Parameter.zeros(300_000);
    const opt = new Adam([p], { lr: 0.01 });
    opt.step();
    // What a worker's JavaScript does when its loop ends with a trap (worker.ts).
    threaded().exports.simdopt_threads_fail();
    expect(() => opt.step()).toThrow(/failed during a call/);
    expect(() => clipGradNorm([p], 1)).toThrow(SimdoptError);
    await shutdown();
  });

  it.each([[''], ['shutdown']])('a Node process that used workers exits by itself (%s)', (mode) => {
    const script = fileURLToPath(new URL('./support/threads-child.mts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const child = spawnSync(tsx, [script, mode], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error, String(child.error)).toBeUndefined();
    // 13 would be a top-level await that never settled (shutdown() outliving the event loop).
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toContain('threads=2 stepped');
    if (mode === 'shutdown') expect(child.stdout).toContain('shut down');
  });

  it('init/step/shutdown cycles do not leak', async () => {
    const cycle = async () => {
      await init({ backend: 'wasm-simd', threads: 2, initialMemoryBytes: 1 << 20, maximumMemoryBytes: 1 << 26 });
      threaded().configureSplit({ threshold: 1, chunk: 16 });
      const p = Parameter.zeros(256);
      p.grad.fill(1);
      new Adam([p], { lr: 0.1 }).step();
      if (!(Math.abs(p.data[255] + 0.1) < 1e-6)) throw new Error(`bad step ${p.data[255]}`);
      await shutdown();
    };
    for (let i = 0; i < 20; i++) await cycle();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().rss;
    const cycles = 100;
    for (let i = 0; i < cycles; i++) await cycle();
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
    gc?.();
    const grown = process.memoryUsage().rss - before;
    // A leaked worker or memory per cycle would be megabytes each (a worker ~2 MB, a memory 1 MB).
    expect(grown / cycles, `rss grew ${grown} bytes over ${cycles} cycles`).toBeLessThan(100_000);
  }, 180_000);
});
