/**
 * `base ** exponent` for the per-step scalars (bias corrections `1 − β^t`, NAdam's `0.96^(t·ψ)`,
 * RAdam's `β2^t`). PyTorch evaluates them with C's `pow`; V8's Math.pow costs ~50 ns, which for
 * a small model is a third of a whole step. `exp(exponent · ln base)` with `ln base` cached costs
 * ~14 ns and agrees with Math.pow to ~1e-13 relative (the test `power.test.ts` bounds it), far
 * below the float32 rounding every scalar goes through before a kernel sees it. Deterministic:
 * a pure function of its arguments, so resumed runs stay bit-identical.
 */

const bases = new Float64Array(4).fill(NaN);
const logs = new Float64Array(4);
let next = 0;

export function power(base: number, exponent: number): number {
  if (exponent === 0) return 1;
  // A handful of bases per process (β1, β2, 0.96): a tiny cache beats a Map.
  for (let i = 0; i < 4; i++) {
    if (bases[i] === base) return Math.exp(exponent * logs[i]);
  }
  bases[next] = base;
  logs[next] = Math.log(base);
  const r = Math.exp(exponent * logs[next]);
  next = (next + 1) & 3;
  return r;
}
