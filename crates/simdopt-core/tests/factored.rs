//! Adafactor and Muon (one parameter per kernel call): the reference trajectories of
//! test/vectors/{adafactor,muon}.json with the 4-lane emulation and with one lane, and the two
//! lane types agreeing bit for bit on odd shapes, NaN and ±∞ included.

mod support;

use simdopt_core::lanes::{Emu4, Lanes, Scalar};
use simdopt_core::optim::adafactor::{self, col_offset, AdafactorKernel};
use simdopt_core::optim::muon::{self, MuonKernel};
use simdopt_core::stream::{run_array_kernel, Buffer};
use support::json::Json;
use support::{same_bits, vector_file, Rng};

/// Batch, rows, cols of a shape (a vector: 1, 1, n).
fn factors(shape: &[usize]) -> (usize, usize, usize) {
    match shape.len() {
        0 => (1, 1, 1),
        1 => (1, 1, shape[0]),
        k => (shape[..k - 2].iter().product(), shape[k - 2], shape[k - 1]),
    }
}

/// Adafactor's per-step argument block, as adafactor.ts writes it (f64, then rounded).
fn adafactor_args(h: &Json, shape: &[usize], step: f64) -> Vec<f32> {
    let lr = h.get("lr").num();
    let wd = h.get("weight_decay").num();
    let eps = h.get("eps").arr();
    let eps1 = match &eps[0] {
        Json::Null => f32::EPSILON as f64,
        x => x.num(),
    };
    let (b, r, c) = factors(shape);
    let mut a = vec![0f32; adafactor::arg::LEN];
    a[adafactor::arg::FLAGS] =
        (h.get("maximize").bool() as u32 | ((wd != 0.0) as u32) << 1 | ((shape.len() > 1) as u32) << 2) as f32;
    a[adafactor::arg::BATCH] = b as f32;
    a[adafactor::arg::ROWS] = r as f32;
    a[adafactor::arg::COLS] = c as f32;
    a[adafactor::arg::WEIGHT] = step.powf(h.get("beta2_decay").num()) as f32;
    a[adafactor::arg::RHO] = lr.min(1.0 / step.sqrt()) as f32;
    a[adafactor::arg::EPS1] = eps1 as f32;
    a[adafactor::arg::EPS1_SQ] = (eps1 * eps1) as f32;
    a[adafactor::arg::EPS2] = eps[1].num() as f32;
    a[adafactor::arg::D] = h.get("d").num() as f32;
    a[adafactor::arg::DECAY] = (1.0 - lr * wd) as f32;
    a
}

fn muon_args(h: &Json, rows: usize, cols: usize) -> Vec<f32> {
    let lr = h.get("lr").num();
    let mu = h.get("momentum").num();
    let ns = h.get("ns_coefficients").nums();
    let ratio = match h.get("adjust_lr_fn") {
        Json::Str(s) if s == "match_rms_adamw" => 0.2 * (rows.max(cols) as f64).sqrt(),
        _ => (1f64).max(rows as f64 / cols as f64).sqrt(),
    };
    let mut a = vec![0f32; muon::arg::LEN];
    a[muon::arg::FLAGS] = h.get("nesterov").bool() as u32 as f32;
    a[muon::arg::ROWS] = rows as f32;
    a[muon::arg::COLS] = cols as f32;
    a[muon::arg::ONE_MINUS_MOMENTUM] = (1.0 - mu) as f32;
    a[muon::arg::MOMENTUM] = mu as f32;
    a[muon::arg::NS_A] = ns[0] as f32;
    a[muon::arg::NS_B] = ns[1] as f32;
    a[muon::arg::NS_C] = ns[2] as f32;
    a[muon::arg::EPS] = h.get("eps").num() as f32;
    a[muon::arg::NS_STEPS] = h.get("ns_steps").num() as f32;
    a[muon::arg::DECAY] = (1.0 - lr * h.get("weight_decay").num()) as f32;
    a[muon::arg::NEG_LR] = (-lr * ratio) as f32;
    a
}

/// State and workspace of one parameter.
struct Adafactor {
    shape: Vec<usize>,
    state: Vec<f32>,
    work: Vec<f32>,
}

impl Adafactor {
    fn new(shape: &[usize]) -> Self {
        let (b, r, c) = factors(shape);
        let state = if shape.len() > 1 { vec![0.0; col_offset(b * r) + b * c] } else { vec![0.0; b * r * c] };
        Adafactor { shape: shape.to_vec(), state, work: vec![0.0; c] }
    }
    fn step<L: Lanes>(&mut self, args: &[f32], p: &mut [f32], g: &[f32]) {
        let work = if self.shape.len() > 1 { Buffer::of_mut(Some(&mut self.work)) } else { Buffer::ABSENT };
        let bufs = [Buffer::of_mut(Some(p)), Buffer::of(g), Buffer::of_mut(Some(&mut self.state)), work];
        run_array_kernel::<L, AdafactorKernel>(args, &bufs).expect("kernel refused its arguments");
    }
}

fn muon_step<L: Lanes>(args: &[f32], p: &mut [f32], g: &[f32], buf: &mut [f32], rows: usize, cols: usize) {
    let mut work = vec![f32::NAN; muon::workspace_len(rows, cols)];
    let bufs = [Buffer::of_mut(Some(p)), Buffer::of(g), Buffer::of_mut(Some(buf)), Buffer::of_mut(Some(&mut work))];
    run_array_kernel::<L, MuonKernel>(args, &bufs).expect("kernel refused its arguments");
}

fn check_trajectory(id: &str, k: usize, p: &[f32], want: &[f64], drift: f64) -> f64 {
    let scale = want.iter().fold(0f64, |m, x| m.max(x.abs()));
    let tol = 4.0 * drift + scale * f32::EPSILON as f64;
    let mut worst = 0f64;
    for (i, (&got, &w)) in p.iter().zip(want).enumerate() {
        let err = (got as f64 - w).abs();
        assert!(err <= tol, "{id} step {} element {i}: {got} vs {w} (tol {tol})", k + 1);
        worst = worst.max(err / tol);
    }
    worst
}

fn run_adafactor<L: Lanes>(c: &Json) -> (f64, Vec<f32>) {
    let shape: Vec<usize> = c.get("shape").nums().iter().map(|&x| x as usize).collect();
    let mut p: Vec<f32> = c.get("init").nums().iter().map(|&x| x as f32).collect();
    let mut opt = Adafactor::new(&shape);
    let drift = c.get("f32_max_abs_diff").nums();
    let mut worst = 0f64;
    for (k, (g, want)) in c.get("grads").arr().iter().zip(c.get("expected").arr()).enumerate() {
        let g: Vec<f32> = g.nums().iter().map(|&x| x as f32).collect();
        opt.step::<L>(&adafactor_args(c.get("hyper"), &shape, k as f64 + 1.0), &mut p, &g);
        worst = worst.max(check_trajectory(c.get("id").str(), k, &p, &want.nums(), drift[k]));
    }
    // Final factors under PyTorch's names.
    let fs = c.get("final_state");
    let (b, r, _) = factors(&shape);
    let parts: Vec<(&str, &[f32])> = if shape.len() > 1 {
        vec![("row_var", &opt.state[..b * r]), ("col_var", &opt.state[col_offset(b * r)..])]
    } else {
        vec![("variance", &opt.state[..])]
    };
    for (name, got) in parts {
        let want = fs.get(name).nums();
        assert_eq!(want.len(), got.len(), "{name}");
        let scale = want.iter().fold(1e-30f64, |m, x| m.max(x.abs()));
        for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
            assert!((g as f64 - w).abs() <= scale * 2e-5 + 1e-12, "{} {name}[{i}]: {g} vs {w}", c.get("id").str());
        }
    }
    (worst, p)
}

fn run_muon<L: Lanes>(c: &Json) -> (f64, Vec<f32>) {
    let shape = c.get("shape").nums();
    let (rows, cols) = (shape[0] as usize, shape[1] as usize);
    let mut p: Vec<f32> = c.get("init").nums().iter().map(|&x| x as f32).collect();
    let mut buf = vec![0f32; p.len()];
    let drift = c.get("f32_max_abs_diff").nums();
    let args = muon_args(c.get("hyper"), rows, cols);
    let mut worst = 0f64;
    for (k, (g, want)) in c.get("grads").arr().iter().zip(c.get("expected").arr()).enumerate() {
        let g: Vec<f32> = g.nums().iter().map(|&x| x as f32).collect();
        muon_step::<L>(&args, &mut p, &g, &mut buf, rows, cols);
        worst = worst.max(check_trajectory(c.get("id").str(), k, &p, &want.nums(), drift[k]));
    }
    let want = c.get("final_state").get("momentum_buffer").nums();
    let scale = want.iter().fold(1e-30f64, |m, x| m.max(x.abs()));
    for (i, (&g, &w)) in buf.iter().zip(&want).enumerate() {
        assert!((g as f64 - w).abs() <= scale * 2e-5 + 1e-12, "{} momentum_buffer[{i}]", c.get("id").str());
    }
    (worst, p)
}

#[test]
fn adafactor_matches_the_reference_with_both_lane_types() {
    let v = vector_file("adafactor.json");
    for c in v.get("cases").arr() {
        let (_, emu) = run_adafactor::<Emu4>(c);
        let (_, one) = run_adafactor::<Scalar>(c);
        assert!(emu.iter().zip(&one).all(|(a, b)| same_bits(*a, *b)), "{}: Emu4 and Scalar differ", c.get("id").str());
    }
    assert!(v.get("cases").arr().len() >= 8);
}

#[test]
fn muon_matches_the_reference_with_both_lane_types() {
    let v = vector_file("muon.json");
    for c in v.get("cases").arr() {
        let (_, emu) = run_muon::<Emu4>(c);
        let (_, one) = run_muon::<Scalar>(c);
        assert!(emu.iter().zip(&one).all(|(a, b)| same_bits(*a, *b)), "{}: Emu4 and Scalar differ", c.get("id").str());
    }
    assert!(v.get("cases").arr().len() >= 8);
}

fn hyper(text: &str) -> Json {
    Json::parse(text)
}

#[test]
fn adafactor_lane_types_agree_on_odd_shapes_and_non_finite_input() {
    let h = hyper(r#"{"lr": 0.05, "beta2_decay": -0.8, "eps": [null, 0.001], "d": 1.0, "weight_decay": 0.1, "maximize": true}"#);
    let shapes: Vec<Vec<usize>> = (0..=67usize)
        .map(|n| vec![n])
        .chain([vec![1, 1], vec![3, 5], vec![7, 67], vec![67, 7], vec![2, 3, 5], vec![4, 1, 9], vec![0, 3], vec![1, 1030]])
        .collect();
    let mut rng = Rng(7);
    for shape in shapes {
        let n: usize = shape.iter().product();
        for poison in [None, Some(f32::NAN), Some(f32::INFINITY)] {
            let init = rng.vec(n, 2.0);
            let (mut pe, mut ps) = (init.clone(), init);
            let (mut oe, mut os) = (Adafactor::new(&shape), Adafactor::new(&shape));
            for k in 0..4 {
                let mut g = rng.vec(n, 1.5);
                if let (Some(x), true) = (poison, n > 0 && k == 2) {
                    g[n / 2] = x;
                }
                let args = adafactor_args(&h, &shape, k as f64 + 1.0);
                oe.step::<Emu4>(&args, &mut pe, &g);
                os.step::<Scalar>(&args, &mut ps, &g);
                assert!(pe.iter().zip(&ps).all(|(a, b)| same_bits(*a, *b)), "{shape:?} step {k}");
                assert!(oe.state.iter().zip(&os.state).all(|(a, b)| same_bits(*a, *b)), "{shape:?} state step {k}");
            }
        }
    }
}

#[test]
fn muon_lane_types_agree_on_odd_shapes_and_non_finite_input() {
    let h = hyper(
        r#"{"lr": 0.02, "weight_decay": 0.1, "momentum": 0.95, "nesterov": true, "ns_coefficients": [3.4445, -4.775, 2.0315], "eps": 1e-7, "ns_steps": 5, "adjust_lr_fn": null}"#,
    );
    let mut rng = Rng(11);
    for (rows, cols) in [(1, 1), (3, 5), (5, 3), (7, 67), (67, 7), (1, 9), (9, 1), (0, 4), (13, 13)] {
        let n = rows * cols;
        for poison in [None, Some(f32::NAN), Some(f32::NEG_INFINITY)] {
            let init = rng.vec(n, 1.0);
            let (mut pe, mut ps) = (init.clone(), init);
            let (mut be, mut bs) = (vec![0f32; n], vec![0f32; n]);
            let args = muon_args(&h, rows, cols);
            for k in 0..3 {
                let mut g = rng.vec(n, 1.0);
                if let (Some(x), true) = (poison, n > 0 && k == 1) {
                    g[n / 3] = x;
                }
                muon_step::<Emu4>(&args, &mut pe, &g, &mut be, rows, cols);
                muon_step::<Scalar>(&args, &mut ps, &g, &mut bs, rows, cols);
                assert!(pe.iter().zip(&ps).all(|(a, b)| same_bits(*a, *b)), "{rows}x{cols} step {k}");
                assert!(be.iter().zip(&bs).all(|(a, b)| same_bits(*a, *b)), "{rows}x{cols} buffer step {k}");
            }
        }
    }
}

#[test]
fn muon_orthogonalises_a_gradient() {
    // One step from zero with no momentum memory and no decay: p = −lr·NS(g). The quintic leaves
    // the singular values of NS(g) near 1 (PyTorch's docstring: roughly uniform in [0.5, 1.5]), so OᵀO's diagonal and
    // the Frobenius norm² (the sum of the squared singular values, here 4 of them) sit near 1 and 4.
    let (rows, cols) = (4, 9);
    let mut rng = Rng(3);
    let g = rng.vec(rows * cols, 1.0);
    let mut p = vec![0f32; rows * cols];
    let mut buf = vec![0f32; rows * cols];
    let h = hyper(
        r#"{"lr": 1.0, "weight_decay": 0.0, "momentum": 0.0, "nesterov": false, "ns_coefficients": [3.4445, -4.775, 2.0315], "eps": 1e-7, "ns_steps": 5, "adjust_lr_fn": null}"#,
    );
    muon_step::<Emu4>(&muon_args(&h, rows, cols), &mut p, &g, &mut buf, rows, cols);
    let fro2: f64 = p.iter().map(|&x| (x as f64) * (x as f64)).sum();
    assert!((2.0..6.0).contains(&fro2), "‖O‖² = {fro2}");
    for i in 0..rows {
        let row2: f64 = (0..cols).map(|j| (p[i * cols + j] as f64).powi(2)).sum();
        assert!((0.4..1.6).contains(&row2), "row {i}: {row2}");
    }
}

#[test]
fn kernels_refuse_mismatched_buffers() {
    let h = hyper(r#"{"lr": 0.01, "beta2_decay": -0.8, "eps": [null, 0.001], "d": 1.0, "weight_decay": 0.0, "maximize": false}"#);
    let args = adafactor_args(&h, &[3, 5], 1.0);
    let (mut p, g, mut state, mut work) = (vec![0f32; 15], vec![0f32; 15], vec![0f32; 4 + 5], vec![0f32; 4]);
    let bufs = [Buffer::of_mut(Some(&mut p)), Buffer::of(&g), Buffer::of_mut(Some(&mut state)), Buffer::of_mut(Some(&mut work))];
    assert!(run_array_kernel::<Scalar, AdafactorKernel>(&args, &bufs).is_none(), "workspace shorter than C");
    let mut state = vec![0f32; 8];
    let mut work = vec![0f32; 5];
    let bufs = [Buffer::of_mut(Some(&mut p)), Buffer::of(&g), Buffer::of_mut(Some(&mut state)), Buffer::of_mut(Some(&mut work))];
    assert!(run_array_kernel::<Scalar, AdafactorKernel>(&args, &bufs).is_none(), "state shorter than row_var + col_var");
    let mh = hyper(
        r#"{"lr": 0.01, "weight_decay": 0.0, "momentum": 0.9, "nesterov": true, "ns_coefficients": [3.4445, -4.775, 2.0315], "eps": 1e-7, "ns_steps": 5, "adjust_lr_fn": null}"#,
    );
    let margs = muon_args(&mh, 3, 5);
    let (mut buf, mut mw) = (vec![0f32; 15], vec![0f32; muon::workspace_len(3, 5) - 1]);
    let bufs = [Buffer::of_mut(Some(&mut p)), Buffer::of(&g), Buffer::of_mut(Some(&mut buf)), Buffer::of_mut(Some(&mut mw))];
    assert!(run_array_kernel::<Scalar, MuonKernel>(&margs, &bufs).is_none(), "workspace too short");
}
