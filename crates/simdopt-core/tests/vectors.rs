//! The shared reference trajectories (test/vectors), reproduced by the kernels with the 4-lane
//! emulation (body + tail) and with one lane, within the tolerance the vectors state: 4× the
//! reference's own float32 drift at each step plus one ulp of the largest value; and bit for bit
//! where TypeScript's js kernels end. The argument blocks are TypeScript's (test/vectors/args,
//! scripts/vectors/args.ts).

mod support;

use simdopt_core::lanes::{Emu4, Lanes, Scalar};
use simdopt_core::sweep::slot_stride;
use support::args::{case_runs, replayed_vector_files, Run};
use support::json::Json;
use support::kernels::{exported_kernels, step_with, KERNEL_NAMES};
use support::vector_file;

/// Optimizer vector files replayed by a dedicated suite, not here: their steps are not one
/// element-wise kernel call (Adafactor's factored moments and Muon's orthogonalisation in
/// tests/factored.rs, Prodigy's measuring pass and sums in tests/prodigy.rs).
const DEDICATED: &[(&str, &str)] =
    &[("adafactor.json", "factored.rs"), ("muon.json", "factored.rs"), ("prodigy.json", "prodigy.rs")];

fn run_case<L: Lanes>(run: &Run, c: &Json) -> (f64, Vec<f32>) {
    let mut p: Vec<f32> = c.get("init").nums().iter().map(|&x| x as f32).collect();
    let n = p.len();
    let kernel = run.kernel.as_str();
    let mut state = run.initial_state(n);
    let drift = c.get("f32_max_abs_diff").nums();
    let mut worst = 0f64;
    for (k, (g, want)) in c.get("grads").arr().iter().zip(c.get("expected").arr()).enumerate() {
        let g: Vec<f32> = g.nums().iter().map(|&x| x as f32).collect();
        step_with::<L>(kernel, &run.steps[k], &mut p, &g, &mut state);
        // Schedule-Free cases record the eval point after these steps, then return to train mode.
        let eval_now = c.opt("eval_after").is_some_and(|e| e.nums().contains(&(k as f64 + 1.0)));
        if eval_now {
            let eval = run.eval.as_ref().unwrap_or_else(|| panic!("{}: no eval block", c.get("id").str()));
            step_with::<L>(kernel, eval, &mut p, &g, &mut state);
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
            let train = run.train.as_ref().unwrap_or_else(|| panic!("{}: no train block", c.get("id").str()));
            step_with::<L>(kernel, train, &mut p, &g, &mut state);
        }
    }
    // The final state under PyTorch's names: every per-element state the reference has.
    let fs = c.get("final_state");
    for name in fs.keys() {
        let per_element = matches!(fs.get(name), Json::Arr(_));
        assert!(!per_element || run.slot(name).is_some(), "{}: no slot {name}", c.get("id").str());
    }
    for (s, name) in run.slots.iter().enumerate() {
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
    for file in replayed_vector_files() {
        let v = vector_file(&file);
        let mut worst = 0f64;
        for (c, run) in v.get("cases").arr().iter().zip(case_runs(&file, &v)) {
            let (ratio, emu) = run_case::<Emu4>(&run, c);
            worst = worst.max(ratio);
            let (_, one) = run_case::<Scalar>(&run, c);
            // The 4-lane body and the one-lane path round identically.
            assert!(emu.iter().zip(&one).all(|(a, b)| a.to_bits() == b.to_bits()), "{}", c.get("id").str());
            // And as TypeScript's float32 twins round, from the same blocks.
            run.assert_final(c.get("id").str(), &emu);
            count += 1;
        }
        // Visible with --nocapture: how much of the tolerance the closest-to-failing case used.
        println!("{file}: worst error / tolerance = {worst:.3}");
    }
    assert!(count >= 41, "only {count} cases ran");
}

#[test]
fn every_optimizer_vector_file_is_replayed_or_dedicated() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test/vectors");
    let replayed = replayed_vector_files();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_str().unwrap().to_string();
        if !name.ends_with(".json") {
            continue;
        }
        let v = vector_file(&name);
        // Optimizer trajectories: an optimizer, and cases with gradients (not schedulers.json, clip.json).
        let trajectories = v.opt("cases").is_some_and(|c| c.arr().iter().all(|c| c.opt("grads").is_some()));
        if v.opt("optimizer").is_none() || !trajectories {
            continue;
        }
        seen += 1;
        let dedicated = DEDICATED.iter().any(|(f, _)| *f == name);
        assert!(
            replayed.contains(&name) != dedicated,
            "{name}: neither replayed (test/vectors/args, `npm run vector-args`) nor dedicated"
        );
    }
    for (file, suite) in DEDICATED {
        let text =
            std::fs::read_to_string(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join(suite)).unwrap();
        assert!(text.contains(&format!("\"{file}\"")), "{suite} does not read {file}");
    }
    assert!(
        seen >= 16 && replayed.len() >= 13 && replayed.len() + DEDICATED.len() == seen,
        "{seen} optimizer files, {} replayed",
        replayed.len()
    );
}

#[test]
fn every_export_is_in_the_kernel_table() {
    let mut exported = exported_kernels();
    let mut table: Vec<String> = KERNEL_NAMES.iter().map(|s| s.to_string()).collect();
    assert!(exported.len() >= 15, "{exported:?}");
    exported.sort();
    table.sort();
    assert_eq!(exported, table, "tests/support/kernels.rs against crates/simdopt-wasm/src/exports.rs");
}
