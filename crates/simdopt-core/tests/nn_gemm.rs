//! The Linear products (`nn::linear`, on `nn::gemm`): the 4-lane build equals the scalar build bit
//! for bit on shapes that hit every edge of the 4×8 register tile (rows mod 4, columns mod 8 and
//! mod 4, k = 0 and 1), and both equal a float64 reference within the rigorous bound of recursive
//! summation,
//!
//! |computed − exact| ≤ (k + 2)·2^−24·(Σ_p |a_p·b_p| + |init|),
//!
//! where init is the bias or the accumulated gradient the sum is added to.

mod support;

use simdopt_core::lanes::{Emu4, Lanes, Scalar};
use simdopt_core::nn::gemm::{panel_width, MR};
use simdopt_core::nn::linear::{slices, workspace};
use support::{same_bits, Rng};

/// (batch, in, out) triples: the shapes and every tile remainder.
fn shapes() -> Vec<(usize, usize, usize)> {
    let mut out = vec![
        (1, 1, 1),
        (7, 13, 1),
        (65, 3, 2),
        (3, 65, 5),
        (33, 17, 9),
        (128, 64, 10),
        (64, 10, 128),
        (9, 33, 17),
        (0, 4, 3),
        (2, 5, 0),
        (5, 1, 37),
    ];
    for batch in [1, 2, 3, 4, 5, 8, 9] {
        for in_features in [1, 3, 4, 7, 8, 9, 12, 17] {
            for out_features in [1, 2, 4, 5, 8, 11, 16, 19] {
                out.push((batch, in_features, out_features));
            }
        }
    }
    out
}

struct Case {
    batch: usize,
    inf: usize,
    outf: usize,
    x: Vec<f32>,
    w: Vec<f32>,
    b: Vec<f32>,
    dy: Vec<f32>,
    dw0: Vec<f32>,
    db0: Vec<f32>,
}

impl Case {
    fn new(batch: usize, inf: usize, outf: usize) -> Case {
        let mut r = Rng(0xC0FFEE ^ (batch * 1_000_003 + inf * 1009 + outf) as u64);
        Case {
            batch,
            inf,
            outf,
            x: r.vec(batch * inf, 2.0),
            w: r.vec(outf * inf, 1.0),
            b: r.vec(outf, 1.0),
            dy: r.vec(batch * outf, 1.5),
            dw0: r.vec(outf * inf, 0.5),
            db0: r.vec(outf, 0.5),
        }
    }

    /// y (with bias), y (without), dx, dW, db with lane type L.
    fn run<L: Lanes>(&self) -> [Vec<f32>; 5] {
        let (n, i, o) = (self.batch, self.inf, self.outf);
        let mut pack = vec![0.0; workspace(n, i, o)];
        let mut y = vec![0.0; n * o];
        slices::forward::<L>(&self.x, &self.w, Some(&self.b), &mut y, n, i, o, &mut pack);
        let mut y0 = vec![0.0; n * o];
        slices::forward::<L>(&self.x, &self.w, None, &mut y0, n, i, o, &mut pack);
        let mut dx = vec![0.0; n * i];
        slices::input_grad::<L>(&self.dy, &self.w, &mut dx, n, i, o, &mut pack);
        let mut dw = self.dw0.clone();
        slices::weight_grad::<L>(&self.dy, &self.x, &mut dw, n, i, o, &mut pack);
        let mut db = self.db0.clone();
        slices::bias_grad::<L>(&self.dy, &mut db, n, o);
        [y, y0, dx, dw, db]
    }

    /// The same products in float64, with their error bounds.
    fn reference(&self) -> [Vec<(f64, f64)>; 5] {
        let (n, i, o) = (self.batch, self.inf, self.outf);
        let u = 2f64.powi(-24);
        // Σ_p a(p)·b(p) added to init, with its bound.
        let dot = |k: usize, init: f64, a: &dyn Fn(usize) -> f32, b: &dyn Fn(usize) -> f32| {
            let (mut s, mut mag) = (0.0, init.abs());
            for p in 0..k {
                let t = a(p) as f64 * b(p) as f64;
                s += t;
                mag += t.abs();
            }
            (init + s, (k as f64 + 2.0) * u * mag)
        };
        let mut y = vec![];
        let mut y0 = vec![];
        for r in 0..n {
            for c in 0..o {
                let xa = |p: usize| self.x[r * i + p];
                let wb = |p: usize| self.w[c * i + p];
                y.push(dot(i, self.b[c] as f64, &xa, &wb));
                y0.push(dot(i, 0.0, &xa, &wb));
            }
        }
        let mut dx = vec![];
        for r in 0..n {
            for c in 0..i {
                dx.push(dot(o, 0.0, &|p| self.dy[r * o + p], &|p| self.w[p * i + c]));
            }
        }
        let mut dw = vec![];
        for r in 0..o {
            for c in 0..i {
                dw.push(dot(n, self.dw0[r * i + c] as f64, &|p| self.dy[p * o + r], &|p| self.x[p * i + c]));
            }
        }
        let db = (0..o).map(|c| dot(n, self.db0[c] as f64, &|p| self.dy[p * o + c], &|_| 1.0)).collect();
        [y, y0, dx, dw, db]
    }
}

const NAMES: [&str; 5] = ["forward", "forward without bias", "input grad", "weight grad", "bias grad"];

#[test]
fn four_lanes_equal_one_lane_bit_for_bit() {
    for (n, i, o) in shapes() {
        let case = Case::new(n, i, o);
        let (emu, scalar) = (case.run::<Emu4>(), case.run::<Scalar>());
        for k in 0..5 {
            assert_eq!(emu[k].len(), scalar[k].len());
            let same = emu[k].iter().zip(&scalar[k]).all(|(a, b)| same_bits(*a, *b));
            assert!(same, "{} differs for batch {n}, in {i}, out {o}", NAMES[k]);
        }
    }
}

#[test]
fn products_equal_float64_within_the_summation_bound() {
    for (n, i, o) in shapes() {
        let case = Case::new(n, i, o);
        let got = case.run::<Emu4>();
        for (k, want) in case.reference().iter().enumerate() {
            for (j, ((exact, bound), g)) in want.iter().zip(&got[k]).enumerate() {
                assert!(
                    (*g as f64 - exact).abs() <= *bound,
                    "{} [{j}] for batch {n}, in {i}, out {o}: {g} vs {exact} (bound {bound})",
                    NAMES[k]
                );
            }
        }
    }
}

#[test]
fn every_output_is_written_and_nothing_past_it() {
    // Sentinels around the output catch a tile that stores out of bounds or skips an element.
    for (n, i, o) in [(5, 7, 13), (4, 8, 8), (1, 9, 3), (7, 3, 17)] {
        let case = Case::new(n, i, o);
        let mut pack = vec![0.0; workspace(n, i, o)];
        let mut y = vec![f32::NAN; n * o + 8];
        slices::forward::<Emu4>(&case.x, &case.w, Some(&case.b), &mut y[..n * o], n, i, o, &mut pack);
        assert!(y[..n * o].iter().all(|v| v.is_finite()), "an output element was not written");
        assert!(y[n * o..].iter().all(|v| v.is_nan()), "wrote past the output");
    }
}

#[test]
fn the_tile_shapes_are_what_the_docs_say() {
    assert_eq!(MR, 4);
    assert_eq!(panel_width::<Emu4>(), 8);
    assert_eq!(panel_width::<Scalar>(), 2);
    // One packed panel of 8 columns for the largest inner dimension of the three products.
    assert_eq!(workspace(5, 13, 2), 13 * 8);
    assert_eq!(workspace(40, 13, 2), 40 * 8);
}
