//! The shared reference trajectories (test/vectors), reproduced by the kernels with the 4-lane
//! emulation (body + tail) and with one lane, within the tolerance the vectors state: 4× the
//! reference's own float32 drift at each step plus one ulp of the largest value.

mod support;

use simdopt_core::lanes::{Emu4, Lanes, Scalar};
use simdopt_core::sweep::slot_stride;
use support::args::schedulefree_switch;
use support::args::{args_for, initial_state, slot_names, step_with, OPTIMIZER_FILES};
use support::json::Json;
use support::vector_file;

fn run_case<L: Lanes>(optimizer: &str, c: &Json) -> (f64, Vec<f32>) {
    let h = c.get("hyper");
    let mut p: Vec<f32> = c.get("init").nums().iter().map(|&x| x as f32).collect();
    let n = p.len();
    let slots = slot_names(optimizer, h);
    let mut state = initial_state(optimizer, h, n);
    let drift = c.get("f32_max_abs_diff").nums();
    let mut worst = 0f64;
    for (k, (g, want)) in c.get("grads").arr().iter().zip(c.get("expected").arr()).enumerate() {
        let g: Vec<f32> = g.nums().iter().map(|&x| x as f32).collect();
        let args = args_for(optimizer, h, k as u32 + 1, k == 0);
        step_with::<L>(optimizer, &args, &mut p, &g, &mut state);
        // Schedule-Free cases record the eval point after these steps, then return to train mode.
        let eval_now = c.opt("eval_after").is_some_and(|e| e.nums().contains(&(k as f64 + 1.0)));
        if eval_now {
            step_with::<L>(optimizer, &schedulefree_switch(optimizer, h, false), &mut p, &g, &mut state);
        }
        let want = want.nums();
        let scale = want.iter().fold(0f64, |m, x| m.max(x.abs()));
        let tol = 4.0 * drift[k] + scale * f32::EPSILON as f64;
        for i in 0..n {
            let err = (p[i] as f64 - want[i]).abs();
            assert!(err <= tol, "{} step {} element {i}: {} vs {} (tol {tol})", c.get("id").str(), k + 1, p[i], want[i]);
            worst = worst.max(err / tol);
        }
        if eval_now {
            step_with::<L>(optimizer, &schedulefree_switch(optimizer, h, true), &mut p, &g, &mut state);
        }
    }
    // The final state under PyTorch's names: every per-element state the reference has.
    let fs = c.get("final_state");
    for name in fs.keys() {
        let per_element = matches!(fs.get(name), Json::Arr(_));
        assert!(!per_element || slots.contains(&name), "{}: no slot {name}", c.get("id").str());
    }
    for (s, name) in slots.iter().enumerate() {
        let want = fs.get(name).nums();
        let scale = want.iter().fold(1e-30f64, |m, x| m.max(x.abs()));
        for i in 0..n {
            let got = state[s * slot_stride(n) + i] as f64;
            assert!((got - want[i]).abs() <= scale * 2e-5 + 1e-12, "{} {name}[{i}]: {got} vs {}", c.get("id").str(), want[i]);
        }
    }
    (worst, p)
}

#[test]
fn every_optimizer_case_matches_the_reference() {
    let mut count = 0;
    for file in OPTIMIZER_FILES {
        let v = vector_file(file);
        let optimizer = v.get("optimizer").str().to_string();
        let mut worst = 0f64;
        for c in v.get("cases").arr() {
            let (ratio, emu) = run_case::<Emu4>(&optimizer, c);
            worst = worst.max(ratio);
            let (_, one) = run_case::<Scalar>(&optimizer, c);
            // The 4-lane body and the one-lane path round identically.
            assert!(emu.iter().zip(&one).all(|(a, b)| a.to_bits() == b.to_bits()), "{}", c.get("id").str());
            count += 1;
        }
        // Visible with --nocapture: how much of the tolerance the closest-to-failing case used.
        println!("{file}: worst error / tolerance = {worst:.3}");
    }
    assert!(count >= 41, "only {count} cases ran");
}
