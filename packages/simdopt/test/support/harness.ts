/** Deterministic data and bitwise comparisons shared by the optimizer tests. */
import { expect } from 'vitest';
import { Parameter, SimdoptError, type BaseOptions, type Optimizer } from 'simdopt';
import { OPTIMIZERS } from '../../src/optim/registry.js';
import { optimizerClass, vectorStateNames } from './vectors.js';

/** mulberry32: a tiny seeded generator, so every test sees the same numbers on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** xorshift32: values uniform in [−1, 1) from `seed` (the cross-backend and threads suites' data). */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32) * 2 - 1;
  };
}

/** `n` float32 values uniform in [−scale, scale) from `seed`. */
export function values(seed: number, n: number, scale = 2): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (2 * r() - 1) * scale);
}

/** Same length and, element by element, the same bits or both NaN. */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const x = Float32Array.from(a);
  const y = Float32Array.from(b);
  const xb = new Uint32Array(x.buffer);
  const yb = new Uint32Array(y.buffer);
  for (let i = 0; i < x.length; i++) if (xb[i] !== yb[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
  return true;
}

/** Every entry of two state dicts' `state` equal: numbers exactly, payloads bit for bit. */
export function sameState(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join() !== kb.join()) return false;
  return ka.every((k) => {
    const x = a[k];
    const y = b[k];
    if (typeof x === 'number' || typeof y === 'number') return Object.is(x, y);
    if (ArrayBuffer.isView(x) || Array.isArray(x)) return sameBits(x as ArrayLike<number>, y as ArrayLike<number>);
    return sameState(x as Record<string, unknown>, y as Record<string, unknown>);
  });
}

/** Any optimizer, its options seen loosely (the tests write options by name). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = Optimizer<BaseOptions & Record<string, any>>;

export function build(className: string, params: Parameter[] | Record<string, unknown>[], options: Record<string, unknown>): AnyOptimizer {
  const opt = new (optimizerClass(className))(params as Parameter[], options) as unknown as AnyOptimizer;
  // Schedule-Free starts in eval mode, as the reference: the suites step it in train mode.
  (opt as unknown as { train?(): void }).train?.();
  return opt;
}

/**
 * Options that switch on every state slot and flag each optimizer has (weight decay included):
 * the registry's `example` (src/optim/registry.ts), by class name.
 */
export const RICH_OPTIONS: Record<string, Readonly<Record<string, unknown>>> = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, o.example]));

/**
 * Optimizers whose step is not one element-wise pass and whose state depends on the parameter's
 * shape (the registry's `stepping: 'shaped'`: Adafactor's factors; Muon takes matrices only). They
 * are outside the suites that step 1-D parameters against an element-wise reference;
 * factored.test.ts, vectors.test.ts, closed-loop.test.ts and the bad-input table cover them.
 */
export const SHAPED_OPTIMIZERS = OPTIMIZERS.filter((o) => o.stepping === 'shaped').map((o) => o.name);

/**
 * State names PyTorch's state dicts do not show for lack of a vector file that records them: no
 * float64 reference file and no PyTorch optimizer (Lion: lucidrains/lion-pytorch keeps exp_avg;
 * simdopt adds the step count every optimizer but SGD keeps). Every other optimizer's names come
 * from its vector files.
 */
const STATE_NAMES_WITHOUT_VECTORS: Record<string, string[]> = {
  Lion: ['step', 'exp_avg'],
};

/**
 * `stateDict()` keys of one 1-D parameter under RICH_OPTIONS, as PyTorch names them: those the
 * optimizer's vector files record (support/vectors.ts vectorStateNames: the float64 references'
 * and real PyTorch's `final_state`), else STATE_NAMES_WITHOUT_VECTORS.
 */
export const RICH_STATE_NAMES: Record<string, string[]> = { ...vectorStateNames(), ...STATE_NAMES_WITHOUT_VECTORS };

/** The gradient of parameter `index` at step `k` (open loop, but fixed for a seed). */
export function gradientAt(k: number, index: number, n: number): Float32Array {
  return values(1000 * k + 17 * index + 3, n, 1.5);
}

/** Runs steps `from..to` (1-based, inclusive), writing `gradientAt` into every parameter first. */
export function runSteps(opt: AnyOptimizer, params: Parameter[], from: number, to: number): void {
  for (let k = from; k <= to; k++) {
    params.forEach((p, i) => p.grad.set(gradientAt(k, i, p.size)));
    opt.step();
  }
}

/** Parameters of the given sizes with deterministic values. */
export function makeParams(sizes: number[], seed = 1): Parameter[] {
  return sizes.map((n, i) => Parameter.from(values(seed * 101 + i, n, 2)));
}

/** The error `fn` throws (failing the test if it throws none or another kind). */
export function thrown(fn: () => unknown): SimdoptError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SimdoptError);
    return e as SimdoptError;
  }
  return expect.fail('expected a SimdoptError');
}
