//! Prodigy (optim/prodigy.rs): the reference vectors (test/vectors/prodigy.json, several
//! parameters and groups) through both kernels with the per-step scalars computed here in f64 as
//! `prodigy.ts` computes them, for the vectorised and the scalar lanes; and the vectorised path
//! equal to the scalar one bit for bit (state, parameters and both sums) on every length 0..=67
//! with NaN/±Inf in the gradients.

mod support;

use simdopt_core::lanes::{Emu4, Lanes, Scalar};
use simdopt_core::optim::prodigy::{arg, measure_arg, ProdigyKernel, ProdigyMeasureKernel, SLOTS};
use simdopt_core::sweep::{slot_stride, OptimizerKernel, Tensor};
use simdopt_core::two_pass::SumsKernel;
use support::json::Json;
use support::{same_bits, vector_file, Rng};

struct Param {
    p: Vec<f32>,
    state: Vec<f32>,
    fresh: bool,
}

impl Param {
    fn new(init: &[f64]) -> Self {
        Param { p: init.iter().map(|&x| x as f32).collect(), state: vec![0.0; SLOTS * slot_stride(init.len())], fresh: true }
    }
    fn tensor(&mut self, g: &mut [f32]) -> Tensor {
        Tensor::new(self.p.as_mut_ptr(), g.as_mut_ptr(), self.state.as_mut_ptr(), self.p.len())
    }
}

struct Group {
    params: Vec<usize>,
    lr: f64,
    wd: f64,
    eps: f64,
    d0: f64,
    safeguard: bool,
}

/// Python's max/min (NaN in the second place loses).
fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}
fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// The optimizer-wide scalars and group bookkeeping, as prodigy.ts keeps them.
struct Driver {
    groups: Vec<Group>,
    betas: (f64, f64),
    beta3: f64,
    decouple: bool,
    bias_correction: bool,
    d_coef: f64,
    growth: f64,
    d: f64,
    d_max: f64,
    d_numerator: f64,
    k: u32,
}

impl Driver {
    fn step<L: Lanes>(&mut self, params: &mut [Param], grads: &mut [Vec<f32>]) {
        let (b1, b2) = self.betas;
        let lr = self.groups.iter().map(|g| g.lr).fold(f64::MIN, f64::max);
        let bc = if self.bias_correction {
            (1.0 - b2.powi(self.k as i32 + 1)).sqrt() / (1.0 - b1.powi(self.k as i32 + 1))
        } else {
            1.0
        };
        let d = self.d;
        let dlr = d * lr * bc;
        let mut num = self.d_numerator * self.beta3;
        let mut den = 0.0;
        for g in &self.groups {
            let accumulate = g.lr > 0.0;
            let coupled = g.wd != 0.0 && !self.decouple;
            // prodigy.ts runs one call per group (all parameters of a group share `fresh` here).
            let first = params[g.params[0]].fresh;
            if !accumulate && !first {
                continue;
            }
            let mut a = [0f32; measure_arg::LEN];
            a[measure_arg::FLAGS] = ((first as u32) | (accumulate as u32) << 1 | (coupled as u32) << 2) as f32;
            a[measure_arg::WEIGHT_DECAY] = g.wd as f32;
            a[measure_arg::BETA3] = self.beta3 as f32;
            a[measure_arg::S_COEF] = ((d / g.d0) * if g.safeguard { d } else { dlr }) as f32;
            let tensors: Vec<Tensor> = g.params.iter().map(|&i| params[i].tensor(&mut grads[i])).collect();
            let [dot, abs] = unsafe { ProdigyMeasureKernel::run::<L>(&a, &tensors) };
            if accumulate {
                num += (d / g.d0) * dlr * dot;
                den += abs;
            }
        }
        let moves = den != 0.0;
        let mut new_d = d;
        if moves {
            let d_hat = self.d_coef * num / den;
            if d == self.groups.last().unwrap().d0 {
                new_d = py_max(d, d_hat);
            }
            self.d_max = py_max(self.d_max, d_hat);
            new_d = py_min(self.d_max, new_d * self.growth);
            self.d_numerator = num;
            self.d = new_d;
            self.k += 1;
        }
        for g in &self.groups {
            if !moves && g.lr == 0.0 {
                continue;
            }
            let decay = g.wd != 0.0;
            let mut a = [0f32; arg::LEN];
            a[arg::FLAGS] = (((g.lr > 0.0) as u32)
                | (moves as u32) << 1
                | ((decay && !self.decouple) as u32) << 2
                | ((decay && self.decouple) as u32) << 3) as f32;
            a[arg::WEIGHT_DECAY] = g.wd as f32;
            a[arg::BETA1] = b1 as f32;
            a[arg::W1] = (d * (1.0 - b1)) as f32;
            a[arg::BETA2] = b2 as f32;
            a[arg::W2] = (d * d * (1.0 - b2)) as f32;
            a[arg::D_EPS] = (new_d * g.eps) as f32;
            a[arg::NEG_DECAY_DLR] = (-g.wd * dlr) as f32;
            a[arg::NEG_DLR] = (-dlr) as f32;
            let tensors: Vec<Tensor> = g.params.iter().map(|&i| params[i].tensor(&mut grads[i])).collect();
            unsafe { ProdigyKernel::run::<L>(&a, &tensors) };
        }
        for p in params.iter_mut() {
            p.fresh = false;
        }
    }
}

fn hyper(g: &Json, key: &str, default: f64) -> f64 {
    g.opt(key).map_or(default, |v| v.num())
}

fn driver(case: &Json) -> Driver {
    let gs = case.get("groups").arr();
    let g0 = &gs[0];
    let betas = g0.opt("betas").map_or((0.9, 0.999), |b| (b.arr()[0].num(), b.arr()[1].num()));
    let d0 = hyper(g0, "d0", 1e-6);
    Driver {
        groups: gs
            .iter()
            .map(|g| Group {
                params: g.get("params").nums().iter().map(|&i| i as usize).collect(),
                lr: hyper(g, "lr", 1.0),
                wd: hyper(g, "weight_decay", 0.0),
                eps: hyper(g, "eps", 1e-8),
                d0: hyper(g, "d0", 1e-6),
                safeguard: g.opt("safeguard_warmup").is_some_and(|b| b.bool()),
            })
            .collect(),
        betas,
        beta3: g0.opt("beta3").map_or(betas.1.sqrt(), |b| b.num()),
        decouple: g0.opt("decouple").map_or(true, |b| b.bool()),
        bias_correction: g0.opt("use_bias_correction").is_some_and(|b| b.bool()),
        d_coef: hyper(g0, "d_coef", 1.0),
        growth: hyper(g0, "growth_rate", f64::INFINITY),
        d: d0,
        d_max: d0,
        d_numerator: 0.0,
        k: 0,
    }
}

fn check_vectors<L: Lanes>() {
    let file = vector_file("prodigy.json");
    let cases = file.get("cases").arr();
    assert!(cases.len() >= 10);
    for case in cases {
        let id = case.get("id").str();
        let mut drv = driver(case);
        let mut params: Vec<Param> = case.get("init").arr().iter().map(|x| Param::new(&x.nums())).collect();
        let steps = case.get("steps").num() as usize;
        let drift = case.get("f32_max_abs_diff").nums();
        for k in 0..steps {
            let mut grads: Vec<Vec<f32>> =
                case.get("grads").arr()[k].arr().iter().map(|g| g.nums().iter().map(|&x| x as f32).collect()).collect();
            drv.step::<L>(&mut params, &mut grads);
            let expected = case.get("expected").arr()[k].arr();
            let scale = expected.iter().flat_map(|e| e.nums()).fold(0f64, |m, x| m.max(x.abs()));
            let tol = 4.0 * drift[k] + scale * 2f64.powi(-23);
            for (i, e) in expected.iter().enumerate() {
                for (j, want) in e.nums().iter().enumerate() {
                    let got = params[i].p[j] as f64;
                    assert!((got - want).abs() <= tol, "{id} step {} param {i}[{j}]: {got} vs {want} (tolerance {tol})", k + 1);
                }
            }
        }
        assert_eq!(drv.k as f64, case.get("final_groups").arr()[0].get("k").num(), "{id} k");
    }
}

#[test]
fn reference_vectors_scalar_lanes() {
    check_vectors::<Scalar>();
}

#[test]
fn reference_vectors_four_lanes() {
    check_vectors::<Emu4>();
}

/// Two tensors of lengths `len` and `len + 3` at offset `offset`, NaN/±Inf in the gradients when
/// `poison`; every flag of both kernels; returns every output (values, state, both sums) as bits.
fn run<L: Lanes>(len: usize, offset: usize, poison: bool, flags: (u32, u32)) -> Vec<u32> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (len as u64 * 131 + offset as u64));
    let lens = [len, len + 3];
    let mut ps: Vec<Vec<f32>> = lens.iter().map(|&n| rng.vec(n + offset, 2.0)).collect();
    let mut gs: Vec<Vec<f32>> = lens.iter().map(|&n| rng.vec(n + offset, 3.0)).collect();
    if poison && len > 0 {
        gs[0][offset + len / 2] = f32::NAN;
        gs[1][offset] = f32::INFINITY;
        gs[1][offset + len] = f32::NEG_INFINITY;
    }
    let mut states: Vec<Vec<f32>> = lens
        .iter()
        .map(|&n| {
            let mut s = vec![0f32; offset];
            s.extend(rng.vec(SLOTS * slot_stride(n), 1.0));
            s
        })
        .collect();
    let mut out = Vec::new();
    let measure = [flags.0 as f32, 0.1, 0.97, 0.3];
    let update = [flags.1 as f32, 0.1, 0.9, 0.05, 0.999, 0.002, 1e-3, -0.01, -0.2];
    for _ in 0..3 {
        let tensors: Vec<Tensor> = (0..2)
            .map(|t| {
                Tensor::new(ps[t][offset..].as_mut_ptr(), gs[t][offset..].as_mut_ptr(), states[t][offset..].as_mut_ptr(), lens[t])
            })
            .collect();
        let sums = unsafe { ProdigyMeasureKernel::run::<L>(&measure, &tensors) };
        unsafe { ProdigyKernel::run::<L>(&update, &tensors) };
        out.extend(sums.iter().map(|x| x.to_bits() as u32));
        out.extend(sums.iter().map(|x| (x.to_bits() >> 32) as u32));
    }
    for v in ps.iter().chain(states.iter()) {
        out.extend(v.iter().map(|x| x.to_bits()));
    }
    out
}

#[test]
fn lanes_equal_scalar_bit_for_bit() {
    let mut checked = 0;
    for len in 0..=67 {
        for offset in 0..4 {
            for poison in [false, true] {
                // measure: first|accumulate|coupled, accumulate, first only; update: every flag.
                for flags in [(7, 15), (2, 3), (1, 1), (3, 0), (2, 9)] {
                    let a = run::<Emu4>(len, offset, poison, flags);
                    let b = run::<Scalar>(len, offset, poison, flags);
                    assert!(
                        a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| same_bits(f32::from_bits(*x), f32::from_bits(*y))),
                        "len {len} offset {offset} poison {poison} flags {flags:?}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 68 * 4 * 2 * 5);
}
