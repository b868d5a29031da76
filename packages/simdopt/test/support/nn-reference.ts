/**
 * float64 references for the nn tests: erf (JavaScript has none), the activations, Linear, a
 * small interpreter for Sequential models, central finite differences, and bitwise comparison.
 */
import { nn } from 'simdopt';

/** erf(x) for |x| < 2.5: 2/√π·e^(−x²)·Σ (2x²)^n·x/(1·3·…·(2n+1)), all terms positive. */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** erfc(x) for x ≥ 2.5 by its continued fraction, evaluated backwards. */
function erfcFraction(x: number): number {
  let f = x;
  for (let n = 400; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

export function erf(x: number): number {
  return Math.abs(x) < 2.5 ? erfSeries(x) : Math.sign(x) * (1 - erfcFraction(Math.abs(x)));
}

/** 1 + erf(x) with full relative precision for x ≪ 0. */
export function onePlusErf(x: number): number {
  if (x >= 0) return 1 + erf(x);
  return x > -2.5 ? 1 - erfSeries(-x) : erfcFraction(-x);
}

export type ActivationName = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'geluTanh';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function activation64(name: ActivationName, x: number): number {
  switch (name) {
    case 'relu':
      return x > 0 ? x : 0;
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'gelu':
      return 0.5 * x * onePlusErf(x / Math.SQRT2);
    case 'geluTanh':
      return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
  }
}

/** The module of an activation name. */
export function makeActivation(name: ActivationName): nn.Module {
  switch (name) {
    case 'relu':
      return new nn.ReLU();
    case 'tanh':
      return new nn.Tanh();
    case 'sigmoid':
      return new nn.Sigmoid();
    case 'gelu':
      return new nn.GELU();
    case 'geluTanh':
      return new nn.GELU({ approximate: 'tanh' });
  }
}

/** A layer of a float64 model: weights as plain numbers, or an activation. */
export type Layer64 = { w: number[]; b: number[] | null; inF: number; outF: number } | { act: ActivationName };

/** y = model(x) in float64, x of [batch, features]. */
export function forward64(layers: Layer64[], x: number[], batch: number): number[] {
  let h = x;
  for (const l of layers) {
    if ('act' in l) {
      h = h.map((v) => activation64(l.act, v));
      continue;
    }
    const y = new Array<number>(batch * l.outF);
    for (let r = 0; r < batch; r++) {
      for (let o = 0; o < l.outF; o++) {
        let s = l.b ? l.b[o] : 0;
        for (let p = 0; p < l.inF; p++) s += h[r * l.inF + p] * l.w[o * l.inF + p];
        y[r * l.outF + o] = s;
      }
    }
    h = y;
  }
  return h;
}

/** The float64 twin of a model built from Linear and activation modules (current weights). */
export function snapshot(modules: nn.Module[], names: (ActivationName | null)[]): Layer64[] {
  return modules.map((m, i) => {
    if (m instanceof nn.Linear) {
      return { w: Array.from(m.weight.data), b: m.bias ? Array.from(m.bias.data) : null, inF: m.inFeatures, outF: m.outFeatures };
    }
    return { act: names[i]! };
  });
}

/** Central difference of `f` at `x[j]` in float64. */
export function centralDifference(f: (x: number[]) => number, x: number[], j: number, h = 1e-6): number {
  const plus = x.slice();
  const minus = x.slice();
  plus[j] += h;
  minus[j] -= h;
  return (f(plus) - f(minus)) / (2 * h);
}

/** Σ a·b in float64. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Bitwise equality of float32 arrays, every NaN equal to every NaN; the first differing index or -1. */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}

/** Deterministic numbers in [−scale, scale) (xorshift32). */
export function randoms(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 * scale - scale;
  }
  return out;
}
