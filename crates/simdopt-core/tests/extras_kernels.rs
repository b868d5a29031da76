//! ASGD, Rprop, the whole-vector operations (L-BFGS) and the averaging kernel: the vectorised path
//! equals the scalar path bit for bit on every length 0..=67 and start offset 0..3, with NaN/±Inf
//! in the inputs; and each matches a float64 evaluation of its equations within float32 rounding.

use simdopt_core::average::{self, AverageKernel};
use simdopt_core::lanes::{Emu4, Scalar};
use simdopt_core::optim::asgd::{self, AsgdKernel};
use simdopt_core::optim::rprop::{self, RpropKernel};
use simdopt_core::stream::{run_array_kernel, Buffer};
use simdopt_core::sweep::{slot_stride, step_slices};
use simdopt_core::vector::{self, VectorKernel};

/// xorshift64*: deterministic values in [−scale, scale).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
        (x as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
    fn values(&mut self, n: usize, scale: f32, poison: bool) -> Vec<f32> {
        let mut v: Vec<f32> = (0..n).map(|_| self.next() * scale).collect();
        if poison && n > 0 {
            let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0];
            for (k, s) in specials.iter().enumerate() {
                let i = (k * 7 + 3) % n;
                v[i] = *s;
            }
        }
        v
    }
}

fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

const ASGD_ARGS: [[f32; asgd::arg::LEN]; 4] = [
    // flags, wd, 1 − λη, −η, μ
    [0.0, 0.0, 1.0 - 1e-6, -0.01, 1.0],
    [(1 << asgd::arg::COPY_AX) as f32, 0.0, 1.0 - 1e-6, -0.01, 1.0],
    [(1 << asgd::arg::WEIGHT_DECAY_ON | 1 << asgd::arg::MAXIMIZE) as f32, 0.1, 0.95, -0.05, 0.25],
    [(1 << asgd::arg::WEIGHT_DECAY_ON | 1 << asgd::arg::COPY_AX) as f32, 0.3, 0.9, -0.1, 1.0],
];

const RPROP_ARGS: [[f32; rprop::arg::LEN]; 3] = [
    // flags, η−, η+, min, max
    [0.0, 0.5, 1.2, 1e-6, 50.0],
    [(1 << rprop::arg::MAXIMIZE) as f32, 0.3, 1.5, 1e-3, 0.02],
    [0.0, 0.5, 1.2, 0.0, 1e30],
];

/// Runs `steps` steps of an optimizer kernel with lanes L over `data[offset..]`.
fn run_opt<L: simdopt_core::lanes::Lanes, K: simdopt_core::sweep::OptimizerKernel>(
    args: &[f32],
    data: &[f32],
    grads: &[Vec<f32>],
    state0: &[f32],
    offset: usize,
) -> (Vec<f32>, Vec<f32>) {
    let n = data.len() - offset;
    let mut d = data.to_vec();
    let mut s = state0.to_vec();
    for g in grads {
        step_slices::<L, K>(args, &mut d[offset..], &g[offset..], &mut s[offset..]);
    }
    let _ = n;
    (d, s)
}

#[test]
fn asgd_and_rprop_vector_equals_scalar_on_every_shape() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for len in 0..=67usize {
        for offset in 0..4usize {
            for poison in [false, true] {
                let total = len + offset;
                let data = rng.values(total, 2.0, poison);
                let grads: Vec<Vec<f32>> = (0..4).map(|_| rng.values(total, 1.0, poison)).collect();
                for a in ASGD_ARGS {
                    let state = rng.values(offset + slot_stride(len), 1.0, false);
                    let (d1, s1) = run_opt::<Scalar, AsgdKernel>(&a, &data, &grads, &state, offset);
                    let (d4, s4) = run_opt::<Emu4, AsgdKernel>(&a, &data, &grads, &state, offset);
                    assert!(same_bits(&d1, &d4) && same_bits(&s1, &s4), "asgd len {len} offset {offset} args {a:?}");
                }
                for a in RPROP_ARGS {
                    let mut state = vec![0.0f32; offset + 2 * slot_stride(len)];
                    for x in &mut state[offset + slot_stride(len)..] {
                        *x = 0.01;
                    }
                    let (d1, s1) = run_opt::<Scalar, RpropKernel>(&a, &data, &grads, &state, offset);
                    let (d4, s4) = run_opt::<Emu4, RpropKernel>(&a, &data, &grads, &state, offset);
                    assert!(same_bits(&d1, &d4) && same_bits(&s1, &s4), "rprop len {len} offset {offset} args {a:?}");
                }
            }
        }
    }
}

#[test]
fn asgd_matches_float64_equations() {
    let mut rng = Rng(7);
    let n = 37;
    for a in ASGD_ARGS {
        let mut p: Vec<f32> = rng.values(n, 2.0, false);
        let mut ax = vec![0f32; slot_stride(n)];
        let mut p64: Vec<f64> = p.iter().map(|&x| x as f64).collect();
        let mut ax64 = vec![0f64; n];
        for _ in 0..10 {
            let g = rng.values(n, 1.0, false);
            step_slices::<Emu4, AsgdKernel>(&a, &mut p, &g, &mut ax);
            let maximize = a[0] as u32 & 1 << asgd::arg::MAXIMIZE != 0;
            let wd_on = a[0] as u32 & 1 << asgd::arg::WEIGHT_DECAY_ON != 0;
            let copy = a[0] as u32 & 1 << asgd::arg::COPY_AX != 0;
            for i in 0..n {
                let mut gi = g[i] as f64 * if maximize { -1.0 } else { 1.0 };
                if wd_on {
                    gi += a[1] as f64 * p64[i];
                }
                p64[i] = p64[i] * a[2] as f64 + a[3] as f64 * gi;
                ax64[i] = if copy { p64[i] } else { ax64[i] + (p64[i] - ax64[i]) * a[4] as f64 };
            }
        }
        for i in 0..n {
            assert!((p[i] as f64 - p64[i]).abs() <= 1e-5 * p64[i].abs().max(1.0), "asgd p[{i}] {} vs {}", p[i], p64[i]);
            assert!((ax[i] as f64 - ax64[i]).abs() <= 1e-5 * ax64[i].abs().max(1.0), "asgd ax[{i}]");
        }
    }
}

#[test]
fn rprop_matches_float64_equations_and_pytorch_sign_rules() {
    let mut rng = Rng(11);
    let n = 41;
    for a in RPROP_ARGS {
        let mut p = rng.values(n, 2.0, false);
        let stride = slot_stride(n);
        let mut s = vec![0f32; 2 * stride];
        for x in &mut s[stride..] {
            *x = 0.01;
        }
        let mut p64: Vec<f64> = p.iter().map(|&x| x as f64).collect();
        let mut prev64 = vec![0f64; n];
        let mut ss64 = vec![0.01f32 as f64; n];
        for k in 0..12 {
            // exact zeros every fifth element, and sign flips from the random values
            let g: Vec<f32> =
                rng.values(n, 1.0, false).iter().enumerate().map(|(i, &x)| if (i + k) % 5 == 0 { 0.0 } else { x }).collect();
            step_slices::<Emu4, RpropKernel>(&a, &mut p, &g, &mut s);
            let maximize = a[0] as u32 & 1 << rprop::arg::MAXIMIZE != 0;
            for i in 0..n {
                let mut gi = g[i] as f64 * if maximize { -1.0 } else { 1.0 };
                let prod = gi * prev64[i];
                let f = if prod > 0.0 {
                    a[2] as f64
                } else if prod < 0.0 {
                    a[1] as f64
                } else {
                    1.0
                };
                ss64[i] = (ss64[i] * f).clamp(a[3] as f64, a[4] as f64);
                if prod < 0.0 {
                    gi = 0.0;
                }
                let sign = if gi > 0.0 {
                    1.0
                } else if gi < 0.0 {
                    -1.0
                } else {
                    0.0
                };
                p64[i] -= sign * ss64[i];
                prev64[i] = gi;
            }
        }
        for i in 0..n {
            assert!((p[i] as f64 - p64[i]).abs() <= 1e-5 * p64[i].abs().max(1.0), "rprop p[{i}] {} vs {}", p[i], p64[i]);
            assert!((s[stride + i] as f64 - ss64[i]).abs() <= 1e-5 * ss64[i].abs().max(1e-6), "rprop step_size[{i}]");
        }
    }
    // torch.sign(NaN) = 0: a NaN gradient leaves the parameter and its step size alone.
    let mut p = [1.5f32];
    let mut s = [0.3f32, 0.0, 0.0, 0.0, 0.02, 0.0, 0.0, 0.0];
    step_slices::<Scalar, RpropKernel>(&RPROP_ARGS[0], &mut p, &[f32::NAN], &mut s);
    assert_eq!(p[0], 1.5);
    assert_eq!(s[4], 0.02);
    assert!(s[0].is_nan());
}

fn vec_op<L: simdopt_core::lanes::Lanes>(op: u32, a: f32, x: &[f32], y: Option<&[f32]>, out: Option<&mut [f32]>) -> Option<f64> {
    let bufs = [Buffer::of(x), y.map_or(Buffer::ABSENT, Buffer::of), Buffer::of_mut(out)];
    run_array_kernel::<L, VectorKernel>(&[op as f32, a], &bufs)
}

#[test]
fn vector_ops_vector_equals_scalar_and_float64() {
    let mut rng = Rng(3);
    for len in 0..=67usize {
        for offset in 0..4usize {
            for poison in [false, true] {
                let x = rng.values(len + offset, 3.0, poison);
                let y = rng.values(len + offset, 3.0, poison);
                let (x, y) = (&x[offset..], &y[offset..]);
                for op in [vector::op::DOT, vector::op::ABS_MAX, vector::op::ABS_SUM] {
                    let yy = (op == vector::op::DOT).then_some(y);
                    let r1 = vec_op::<Scalar>(op, 0.7, x, yy, None).unwrap();
                    let r4 = vec_op::<Emu4>(op, 0.7, x, yy, None).unwrap();
                    assert!(r1.to_bits() == r4.to_bits() || (r1.is_nan() && r4.is_nan()), "op {op} len {len} offset {offset}");
                    if !poison {
                        let want: f64 = match op {
                            vector::op::DOT => x.iter().zip(y).map(|(a, b)| *a as f64 * *b as f64).sum(),
                            vector::op::ABS_MAX => {
                                x.iter().map(|a| (0.7f32 as f64 * *a as f64).abs()).fold(f64::NEG_INFINITY, f64::max)
                            }
                            _ => x.iter().map(|a| (*a as f64).abs()).sum(),
                        };
                        let scale: f64 =
                            x.iter().zip(y).map(|(a, b)| (*a as f64 * *b as f64).abs() + (*a as f64).abs()).sum::<f64>().max(1.0);
                        assert!((r1 - want).abs() <= 1e-6 * scale || (r1 == want), "op {op} len {len}: {r1} vs {want}");
                    }
                }
                // AXPY in place and SCALE out of place.
                let mut y1 = y.to_vec();
                let mut y4 = y.to_vec();
                let mut o1 = vec![0f32; len];
                let mut o4 = vec![0f32; len];
                vec_op::<Scalar>(vector::op::AXPY, -0.3, x, Some(&y.to_vec()), Some(&mut y1)).unwrap();
                vec_op::<Emu4>(vector::op::AXPY, -0.3, x, Some(&y.to_vec()), Some(&mut y4)).unwrap();
                vec_op::<Scalar>(vector::op::SCALE, 1.7, x, None, Some(&mut o1)).unwrap();
                vec_op::<Emu4>(vector::op::SCALE, 1.7, x, None, Some(&mut o4)).unwrap();
                assert!(same_bits(&y1, &y4) && same_bits(&o1, &o4), "axpy/scale len {len} offset {offset}");
                for i in 0..len {
                    let want = y[i] + (-0.3f32) * x[i];
                    assert!(same_bits(&[y1[i]], &[want]), "axpy element {i}");
                    assert!(same_bits(&[o1[i]], &[1.7f32 * x[i]]), "scale element {i}");
                }
            }
        }
    }
    // Wrong shapes are refused, before anything is written.
    let x = [1.0f32; 5];
    let mut out = [0f32; 4];
    assert!(vec_op::<Scalar>(vector::op::SCALE, 1.0, &x, None, Some(&mut out)).is_none());
    assert!(vec_op::<Scalar>(vector::op::DOT, 1.0, &x, None, None).is_none());
    assert!(vec_op::<Scalar>(9, 1.0, &x, None, None).is_none());
    assert_eq!(out, [0f32; 4]);
}

#[test]
fn average_vector_equals_scalar_and_float64() {
    let mut rng = Rng(5);
    for len in 0..=67usize {
        for offset in 0..4usize {
            for poison in [false, true] {
                let p = rng.values(len + offset, 2.0, poison);
                let a0 = rng.values(len + offset, 2.0, poison);
                for args in [[average::arg::SWA, 4.0], [average::arg::EMA, 0.1], [average::arg::EMA, 0.7]] {
                    let mut a1 = a0[offset..].to_vec();
                    let mut a4 = a0[offset..].to_vec();
                    let b1 = Buffer::of_mut(Some(&mut a1));
                    run_array_kernel::<Scalar, AverageKernel>(&args, &[b1, Buffer::of(&p[offset..]), b1]).unwrap();
                    let b4 = Buffer::of_mut(Some(&mut a4));
                    run_array_kernel::<Emu4, AverageKernel>(&args, &[b4, Buffer::of(&p[offset..]), b4]).unwrap();
                    assert!(same_bits(&a1, &a4), "average len {len} offset {offset} {args:?}");
                    if !poison {
                        for i in 0..len {
                            let (a, q) = (a0[offset + i] as f64, p[offset + i] as f64);
                            let want = if args[0] == average::arg::SWA {
                                a + (q - a) / args[1] as f64
                            } else {
                                a + args[1] as f64 * (q - a)
                            };
                            assert!((a1[i] as f64 - want).abs() <= 4e-7 * want.abs().max(a.abs()).max(q.abs()), "average {i}");
                        }
                    }
                }
            }
        }
    }
}
