//! float64 references for the nn tests: erf/erfc (std has none), and float32 ulp distances.
#![allow(dead_code)]

const TWO_OVER_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;

/// erf(x) for |x| < 2.5 by the series of positive terms
/// erf(x) = 2/√π · e^(−x²) · Σ (2x²)^n · x / (1·3·…·(2n+1)) (no cancellation).
fn erf_series(x: f64) -> f64 {
    let (mut term, mut sum, mut n) = (x, x, 0.0);
    while term.abs() > 1e-18 * sum.abs() {
        n += 1.0;
        term *= 2.0 * x * x / (2.0 * n + 1.0);
        sum += term;
    }
    TWO_OVER_SQRT_PI * (-x * x).exp() * sum
}

/// erfc(x) for x ≥ 2.5 by its continued fraction
/// erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated backwards.
fn erfc_fraction(x: f64) -> f64 {
    let mut f = x;
    for n in (1..=400).rev() {
        f = x + (n as f64 / 2.0) / f;
    }
    (-x * x).exp() / (std::f64::consts::PI.sqrt() * f)
}

pub fn erf(x: f64) -> f64 {
    if x.abs() < 2.5 {
        erf_series(x)
    } else {
        x.signum() * (1.0 - erfc_fraction(x.abs()))
    }
}

/// 1 + erf(x), with full relative precision for x ≪ 0 (there it is erfc(−x)).
pub fn one_plus_erf(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 + erf(x)
    } else if x > -2.5 {
        1.0 - erf_series(-x)
    } else {
        erfc_fraction(-x)
    }
}

/// Spacing of float32 at |v| (the ulp of the f32 nearest to v).
pub fn ulp(v: f64) -> f64 {
    let a = (v as f32).abs();
    if a == f32::INFINITY {
        return f64::INFINITY;
    }
    (f32::from_bits(a.to_bits() + 1) - a) as f64
}

/// |got − want| in float32 ulps of `want`.
pub fn ulps(got: f32, want: f64) -> f64 {
    (got as f64 - want).abs() / ulp(want)
}

/// About `count` float32 in [lo, hi] (finite, lo < hi), evenly spaced in bit pattern, so every
/// binade of the range is sampled alike; `lo` and `hi` included.
pub fn f32_grid(lo: f32, hi: f32, count: u64) -> Vec<f32> {
    // Floats on a monotone integer line: negatives below zero.
    let key = |v: f32| -> i64 {
        let b = v.to_bits() as i64;
        if v.is_sign_negative() {
            -(b & 0x7fff_ffff)
        } else {
            b
        }
    };
    let unkey = |k: i64| -> f32 {
        if k < 0 {
            f32::from_bits(((-k) as u32) | 0x8000_0000)
        } else {
            f32::from_bits(k as u32)
        }
    };
    let (a, b) = (key(lo), key(hi));
    let stride = ((b - a) as u64 / count.max(1)).max(1) as i64;
    let mut out: Vec<f32> = (0..).map(|i| a + i * stride).take_while(|&k| k <= b).map(unkey).collect();
    out.push(hi);
    out
}
