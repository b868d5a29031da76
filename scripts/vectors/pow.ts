/**
 * `base ** exponent` as C's `pow` returns it for the references. PyTorch's per-step scalars
 * (`beta ** step`, `gamma ** k`) are Python floats computed by glibc's pow, which is correctly
 * rounded in practice; V8 multiplies integer powers out (0.9 ** 4 = 0.6561000000000001, glibc
 * 0.6561). For integer exponents this evaluates the power in double-double arithmetic
 * (exponentiation by squaring, ~100 bits) and rounds once, which gives the correctly rounded
 * value; other exponents fall back to Math.pow (≤ 1 ulp away).
 */

/** Veltkamp split of a double into two halves of 26 bits. */
function split(a: number): [number, number] {
  const c = 134217729 * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}

/** The product of two double-doubles [hi, lo]. */
function mul(x: [number, number], y: [number, number]): [number, number] {
  const p = x[0] * y[0];
  const [ah, al] = split(x[0]);
  const [bh, bl] = split(y[0]);
  let e = ah * bh - p + ah * bl + al * bh + al * bl;
  e += x[0] * y[1] + x[1] * y[0];
  const s = p + e;
  return [s, e - (s - p)];
}

export function pow(base: number, exponent: number): number {
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 2 ** 20 || !Number.isFinite(base) || base === 0) return base ** exponent;
  let result: [number, number] = [1, 0];
  let b: [number, number] = [base, 0];
  for (let n = exponent; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) result = mul(result, b);
    b = mul(b, b);
  }
  return result[0] + result[1];
}
