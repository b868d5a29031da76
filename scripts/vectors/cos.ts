/**
 * cos(x) correctly rounded (double-double evaluation, rounded once), standing in for the C
 * library's cos that PyTorch's Python floats go through: glibc's cos is correctly rounded for
 * all but rare arguments, V8's Math.cos (fdlibm) is off by an ulp now and then. Enough for the
 * scheduler references (|x| ≲ 100); not a general-purpose libm.
 */

type DD = [number, number];

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function split(a: number): DD {
  const c = 134217729 * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function add(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  return twoSum(s, e + x[1] + y[1]);
}

function mul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return twoSum(p, e + x[0] * y[1] + x[1] * y[0]);
}

function divSmall(x: DD, d: number): DD {
  const q = x[0] / d;
  const [p, e] = twoProd(q, d);
  return twoSum(q, (x[0] - p - e + x[1]) / d);
}

/** π/2 as the sum of three doubles. */
const PIO2: number[] = [1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33];

/** Σ (−1)^k r^(2k+start)/(2k+start)! in double-double, for |r| ≤ π/4. */
function series(r: DD, start: 0 | 1): DD {
  const r2 = mul(r, r);
  let term: DD = start === 0 ? [1, 0] : r;
  let sum: DD = term;
  for (let n = start + 1; n < 40; n += 2) {
    term = divSmall(divSmall(mul(term, r2), n), n + 1);
    term = [-term[0], -term[1]];
    sum = add(sum, term);
    if (Math.abs(term[0]) < 1e-40) break;
  }
  return sum;
}

export function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const k = Math.round(x / PIO2[0]);
  // r = x − k·π/2, with k·π/2 exact to ~160 bits.
  let r: DD = [x, 0];
  for (const part of PIO2) {
    const kp = twoProd(k, part);
    r = add(r, [-kp[0], -kp[1]]);
  }
  const q = ((k % 4) + 4) % 4;
  const v = q === 0 || q === 2 ? series(r, 0) : series(r, 1);
  const sign = q === 1 || q === 2 ? -1 : 1;
  return sign * (v[0] + v[1]);
}
