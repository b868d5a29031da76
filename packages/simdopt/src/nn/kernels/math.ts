/**
 * The TypeScript twin of crates/simdopt-core/src/nn/math.rs: the same float32 operations in the
 * same order, each rounded with Math.fround, so the js backend agrees bit for bit with the wasm
 * builds. (A float64 operation on two float32 values rounded once to float32 equals the float32
 * operation for + − × ÷: double rounding is harmless at 53 ≥ 2·24 + 2 bits.)
 *
 * Accuracy against float64, as the Rust tests assert: exp_neg ≤ 2 ulp on [−87, 0], tanh ≤ 2 ulp,
 * sigmoid ≤ 3 ulp on [−87, 20], onePlusErf relative ≤ 6e-7 + x²·1.2e-7 on [−9, 6].
 */
const f = Math.fround;

export { expNeg } from '../../math.js';
import { expNeg } from '../../math.js';

const TANH_T = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1].map(f);
const TANH_SPLIT = f(0.625);

/** tanh(x): Cephes polynomial below |x| = 0.625, (1 − e)/(1 + e) with e = e^(−2|x|) above. */
export function tanh(x: number): number {
  const a = Math.abs(x);
  const z = f(a * a);
  let p = TANH_T[0];
  for (let i = 1; i < 5; i++) p = f(f(p * z) + TANH_T[i]);
  const small = f(f(f(p * z) * a) + a);
  const e = expNeg(-f(a + a));
  const large = f(f(1 - e) / f(1 + e));
  const m = a < TANH_SPLIT ? small : large;
  return x < 0 || Object.is(x, -0) ? -m : m;
}

/** 1/(1 + e^−x) from e = e^−|x|: 1/(1 + e) for x ≥ 0, e/(1 + e) for x < 0. */
export function sigmoid(x: number): number {
  const e = expNeg(-Math.abs(x));
  return f((x < 0 ? e : 1) / f(1 + e));
}

const ERF_A = [
  0.12837916612625122, -0.37612634897232056, 0.11283715069293976, -0.02686050906777382, 0.00520385941490531,
  -0.000817564083263278, 8.513103966834024e-5,
].map(f);
const ERFC_B = [
  -4.672820523410337e-6, 0.2822161614894867, 0.2807871699333191, 0.2543056905269623, 0.15280911326408386,
  0.1178489625453949, 0.00714753195643425, -0.1709359735250473, 0.07620140165090561,
].map(f);
const ERF_SPLIT = f(0.9);
const ERFC_CLAMP = f(10.5);

/**
 * 1 + erf(x), accurate in relative terms also where erf(x) ≈ −1:
 * |x| < 0.9: 1 + (x + x·A(x²)); otherwise c = e^(−x²)·B(1/(1 + |x|/2)) = erfc(|x|) and the result is
 * 2 − c (x > 0) or c (x < 0).
 */
export function onePlusErf(x: number): number {
  const z = f(x * x);
  let p = ERF_A[6];
  for (let i = 5; i >= 0; i--) p = f(f(p * z) + ERF_A[i]);
  const near = f(1 + f(x + f(x * p)));
  const a = Math.min(Math.abs(x), ERFC_CLAMP);
  const t = f(1 / f(1 + f(0.5 * a)));
  let q = ERFC_B[8];
  for (let i = 7; i >= 0; i--) q = f(f(q * t) + ERFC_B[i]);
  const c = f(expNeg(-f(a * a)) * q);
  const far = x < 0 ? c : f(2 - c);
  return Math.abs(x) < ERF_SPLIT ? near : far;
}
