/**
 * The TypeScript twin of crates/simdopt-core/src/math.rs: Cephes' single-precision `exp` and `log`
 * with every operation rounded to float32, so the js backend computes the bits the wasm builds
 * compute (library `Math.exp`/`Math.log` are not specified to the bit). Arguments must be
 * float32 values. See math.rs for the algorithms, the range and the measured error (≤ 1 ulp).
 */
const f = Math.fround;

/** Above this `expf` returns +∞. */
export const EXP_HI = f(88.37626);
/** Below this `expf` returns 0. */
export const EXP_LO = f(-87.33654);

const LOG2E = f(Math.LOG2E);
const ROUND_MAGIC = 12582912;
const LN2_HI = 0.693359375;
const LN2_LO = f(-2.1219444e-4);
const P0 = f(1.9875691500e-4);
const P1 = f(1.3981999507e-3);
const P2 = f(8.3334519073e-3);
const P3 = f(4.1665795894e-2);
const P4 = f(1.6666665459e-1);
const P5 = f(5.0000001201e-1);
const Q0 = f(7.0376836292e-2);
const Q1 = f(-1.151461031e-1);
const Q2 = f(1.167699874e-1);
const Q3 = f(-1.2420140846e-1);
const Q4 = f(1.4249322787e-1);
const Q5 = f(-1.6668057665e-1);
const Q6 = f(2.0000714765e-1);
const Q7 = f(-2.4999993993e-1);
const Q8 = f(3.3333331174e-1);
/** 2^n for n ∈ [−126, 127] at index n + 126 (a table: `2 ** n` is a slow call). */
const POW2 = Float64Array.from({ length: 254 }, (_, k) => 2 ** (k - 126));
const SQRT2 = f(Math.SQRT2);
const MIN_NORMAL = 2 ** -126;

// Bit casts between f32 and u32.
const bitsView = new Uint32Array(1);
const floatView = new Float32Array(bitsView.buffer);

/** e^r for the reduction of x by n (x = n·ln 2 + r): the part `expf` and `expNeg` share. */
function expReduced(x: number, n: number): number {
  const r = f(f(x - f(n * LN2_HI)) - f(n * LN2_LO));
  let p = f(f(P0 * r) + P1);
  p = f(f(p * r) + P2);
  p = f(f(p * r) + P3);
  p = f(f(p * r) + P4);
  p = f(f(p * r) + P5);
  return f(f(f(p * f(r * r)) + r) + 1);
}

/** e^x in float32 (x a float32 value). */
export function expf(x: number): number {
  if (x > EXP_HI) return Infinity;
  if (x < EXP_LO) return 0;
  // An integer in [-126, 127] here (NaN for NaN).
  const n = f(f(x * LOG2E) + ROUND_MAGIC) - ROUND_MAGIC;
  const p = expReduced(x, n);
  // n is NaN only for a NaN x, and then p is NaN too.
  return f(p * (n === n ? POW2[n + 126] : n));
}

/** Below this `expNeg` rounds to zero in float32 (e^−104 < 2^−150). */
const EXP_NEG_MIN_ARG = -104;
const TWO_POW_MINUS_64 = 2 ** -64;

/** e^x for x ≤ 0 (larger x is taken as 0), subnormal results included: the twin of `exp_neg`. */
export function expNeg(x: number): number {
  // Lanes::clamp: NaN passes through both compares.
  let v = x < EXP_NEG_MIN_ARG ? EXP_NEG_MIN_ARG : x;
  v = v > 0 ? 0 : v;
  const n = f(f(v * LOG2E) + ROUND_MAGIC) - ROUND_MAGIC;
  const p = expReduced(v, n);
  // 2^(n+64) is exact in float64; the Rust code builds it from the exponent bits.
  return f(f(p * 2 ** (n + 64)) * TWO_POW_MINUS_64);
}

/** Natural logarithm in float32 (x a float32 value). */
export function logf(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return x;
  // Subnormals: scale into the normal range and take 23 off the exponent.
  const tiny = x < MIN_NORMAL;
  floatView[0] = tiny ? f(x * 8388608) : x;
  const bits = bitsView[0];
  let e = (bits >>> 23) - (tiny ? 150 : 127);
  bitsView[0] = (bits & 0x007fffff) | 0x3f800000;
  let m = floatView[0];
  if (m > SQRT2) {
    m = f(m * 0.5);
    e += 1;
  }
  const fm = f(m - 1);
  const z = f(fm * fm);
  let q = f(f(Q0 * fm) + Q1);
  q = f(f(q * fm) + Q2);
  q = f(f(q * fm) + Q3);
  q = f(f(q * fm) + Q4);
  q = f(f(q * fm) + Q5);
  q = f(f(q * fm) + Q6);
  q = f(f(q * fm) + Q7);
  q = f(f(q * fm) + Q8);
  let y = f(f(q * fm) * z);
  y = f(y + f(e * LN2_LO));
  y = f(y - f(0.5 * z));
  return f(f(fm + y) + f(e * LN2_HI));
}

/** ln(1 + u) for float32 u ≥ 0, keeping u's digits when u is small (math.rs `log1p_nonneg`). */
export function log1pNonneg(u: number): number {
  const w = f(u + 1);
  const d = f(w - 1);
  return d <= 0 ? u : f(logf(w) * f(u / d));
}

/** |x|^p = exp(p·log|x|) in float32 (math.rs `pow_abs`). */
export function powAbs(x: number, p: number): number {
  return expf(f(p * logf(Math.abs(x))));
}
