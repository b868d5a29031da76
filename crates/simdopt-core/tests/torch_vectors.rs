//! test/vectors/torch: trajectories and clipped gradients computed by real PyTorch 1.13
//! (scripts/torch-vectors.py), reproduced by the kernels with 4 emulated lanes and with one lane
//! (bit-identical to each other). Tolerance (test/vectors/torch/README.md): step k, element i,
//! `4·max_j |expected_f32[k][j] − expected[k][j]| + 1e-6·max(1, |expected[k][i]|)`; clipping
//! `4·|f32 − f64| + 2^−21·|want|`. Schedulers are TypeScript's (torch-vectors.test.ts).
//!
//! The argument blocks are TypeScript's (test/vectors/args/torch, scripts/vectors/args.ts).
//! Every file is accounted for: an optimizer file without an args file fails, and so does a file
//! of another kind this test does not read, unless its file name is in PENDING or CHECKED_BY.

mod kit_support;
mod support;

use kit_support::{clip_grad_norm, clip_grad_value, same};
use simdopt_core::lanes::{Emu4, Lanes, Scalar};
use simdopt_core::sweep::slot_stride;
use std::path::PathBuf;
use support::args::{args_file, case_runs, Run};
use support::json::Json;
use support::kernels::step_with;

/// Torch vector files that may exist unchecked: written by a branch whose kernel has not landed.
/// Keep it empty on main; an entry says which branch removes it.
const PENDING: &[&str] = &[];

/// Torch vector files checked case by case by another suite, named with it (a test below checks
/// that it reads the file). The TypeScript suite runs every backend, whose wasm builds are these
/// kernels; the Rust kernels of ASGD, Rprop, the vector ops and the average are checked against
/// float64 equations and 4 lanes against 1 in tests/extras_kernels.rs, and ASGD's and Rprop's
/// also replay their torch files below from TypeScript's argument blocks. L-BFGS's recursion and line
/// search, AveragedModel's counting and SWALR are TypeScript.
const CHECKED_BY: &[(&str, &str)] = &[
    ("asgd.json", "packages/simdopt/test/torch-vectors-extras.test.ts"),
    ("rprop.json", "packages/simdopt/test/torch-vectors-extras.test.ts"),
    ("lbfgs.json", "packages/simdopt/test/torch-vectors-extras.test.ts"),
    ("swa_utils.json", "packages/simdopt/test/torch-vectors-extras.test.ts"),
    // PyTorch state dicts exported mid-run, loaded and continued (src/optim/state_interop.ts).
    ("state_dicts.json", "packages/simdopt/test/torch-state-dict.test.ts"),
];

fn checked_elsewhere(name: &str) -> bool {
    CHECKED_BY.iter().any(|(file, _)| *file == name)
}

/// Files that are not optimizer trajectories (schedulers.json's `optimizer` key describes its setup).
const OTHER_KINDS: &[&str] = &["schedulers.json", "clip.json"];

fn torch_files() -> Vec<(String, Json)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test/vectors/torch");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        out.push((name, Json::parse(&std::fs::read_to_string(&path).unwrap())));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Whether torch vector file `name` has its argument blocks (test/vectors/args/torch/<name>).
fn replayed(name: &str) -> bool {
    args_file(&format!("torch/{name}")).is_some()
}

/// `scalars_elsewhere`: scalar state besides `step` (ASGD's `eta`, `mu`) is TypeScript's, checked
/// by the suite CHECKED_BY names; the kernels see it only through the argument blocks.
fn run_case<L: Lanes>(run: &Run, c: &Json, scalars_elsewhere: bool) -> (f64, Vec<f32>) {
    let id = c.get("id").str();
    let mut p: Vec<f32> = c.get("init").nums().iter().map(|&x| x as f32).collect();
    let n = p.len();
    let mut state = run.initial_state(n);
    let mut worst = 0f64;
    let rows = c.get("grads").arr().iter().zip(c.get("expected").arr()).zip(c.get("expected_f32").arr());
    for (k, ((g, want), want32)) in rows.enumerate() {
        let g: Vec<f32> = g.nums().iter().map(|&x| x as f32).collect();
        step_with::<L>(&run.kernel, &run.steps[k], &mut p, &g, &mut state);
        let (want, want32) = (want.nums(), want32.nums());
        let drift = want.iter().zip(&want32).fold(0f64, |m, (a, b)| m.max((a - b).abs()));
        for i in 0..n {
            let tol = 4.0 * drift + 1e-6 * want[i].abs().max(1.0);
            let err = (p[i] as f64 - want[i]).abs();
            assert!(err <= tol, "{id} step {} element {i}: {} vs {} (tol {tol})", k + 1, p[i], want[i]);
            worst = worst.max(err / tol);
        }
    }
    // Final state under PyTorch's names: every per-element entry is a slot, and every slot matches.
    let fs = c.get("final_state");
    for name in fs.keys() {
        match fs.get(name) {
            Json::Arr(_) => assert!(run.slot(name).is_some(), "{id}: no slot {name}"),
            v => assert!(name == "step" || scalars_elsewhere, "{id}: scalar state {name} = {}", v.num()),
        }
    }
    for (s, name) in run.slots.iter().enumerate() {
        let want = fs.get(name).nums();
        let scale = want.iter().fold(1e-30f64, |m, x| m.max(x.abs()));
        for i in 0..n {
            let got = state[s * slot_stride(n) + i] as f64;
            assert!((got - want[i]).abs() <= scale * 2e-5 + 1e-12, "{id} {name}[{i}]: {got} vs {}", want[i]);
        }
    }
    (worst, p)
}

#[test]
fn every_torch_file_is_checked_or_pending() {
    let files = torch_files();
    assert!(files.len() >= 10, "only {} torch files", files.len());
    for (name, v) in &files {
        assert!(v.get("source").str().starts_with("torch 1.13"), "{name}: source");
        if PENDING.contains(&name.as_str()) || OTHER_KINDS.contains(&name.as_str()) || checked_elsewhere(name) {
            continue;
        }
        let optimizer =
            v.opt("optimizer").map(Json::str).unwrap_or_else(|| panic!("{name}: a torch vector file this test does not read"));
        assert!(replayed(name), "{name}: no argument blocks for optimizer '{optimizer}' (`npm run vector-args`)");
    }
}

#[test]
fn files_checked_elsewhere_exist_and_are_read_there() {
    let names: Vec<String> = torch_files().into_iter().map(|(n, _)| n).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (file, suite) in CHECKED_BY {
        assert!(names.iter().any(|n| n == file), "{file}: no such torch vector file");
        let text = std::fs::read_to_string(root.join(suite)).unwrap_or_else(|e| panic!("{suite}: {e}"));
        assert!(text.contains(&format!("test/vectors/torch/{file}'")), "{suite} does not read {file}");
    }
}

#[test]
fn every_torch_optimizer_case_matches_pytorch() {
    let mut count = 0;
    for (name, v) in torch_files() {
        if PENDING.contains(&name.as_str()) || OTHER_KINDS.contains(&name.as_str()) || checked_elsewhere(&name) {
            continue;
        }
        let optimizer = v.get("optimizer").str();
        assert!(replayed(&name), "{name}: no argument blocks for optimizer '{optimizer}' (`npm run vector-args`)");
        let mut worst = 0f64;
        for (c, run) in v.get("cases").arr().iter().zip(case_runs(&format!("torch/{name}"), &v)) {
            let (ratio, four) = run_case::<Emu4>(&run, c, false);
            let (_, one) = run_case::<Scalar>(&run, c, false);
            assert!(same(&four, &one), "{}: 4 lanes and 1 lane differ", c.get("id").str());
            run.assert_final(c.get("id").str(), &four);
            worst = worst.max(ratio);
            count += 1;
        }
        println!("torch {name}: worst error / tolerance = {worst:.3}");
    }
    assert!(count >= 35, "only {count} cases ran");
}

#[test]
fn files_checked_elsewhere_replay_here_too_where_they_have_blocks() {
    // ASGD and Rprop: one element-wise kernel each, so scripts/vectors/args.ts records them and
    // their Rust kernels meet PyTorch here too (trajectories, per-element state, the js end point).
    let mut count = 0;
    for (name, v) in torch_files() {
        if !checked_elsewhere(&name) || !replayed(&name) {
            continue;
        }
        let mut worst = 0f64;
        for (c, run) in v.get("cases").arr().iter().zip(case_runs(&format!("torch/{name}"), &v)) {
            let (ratio, four) = run_case::<Emu4>(&run, c, true);
            let (_, one) = run_case::<Scalar>(&run, c, true);
            assert!(same(&four, &one), "{}: 4 lanes and 1 lane differ", c.get("id").str());
            run.assert_final(c.get("id").str(), &four);
            worst = worst.max(ratio);
            count += 1;
        }
        println!("torch {name}: worst error / tolerance = {worst:.3}");
    }
    assert!(count >= 9, "only {count} cases ran");
}

fn norm_type(c: &Json) -> f32 {
    match c.get("norm_type") {
        Json::Str(s) if s == "inf" => f32::INFINITY,
        other => other.num() as f32,
    }
}

fn clip_case<L: Lanes>(c: &Json) -> (f64, Vec<Vec<f32>>) {
    let id = c.get("id").str();
    let mut worst = 0f64;
    let mut check = |got: f32, want: f64, f32_run: f64, what: &str| {
        let tol = 4.0 * (f32_run - want).abs() + want.abs() / (1u64 << 21) as f64;
        let err = (got as f64 - want).abs();
        assert!(err <= tol, "{id} {what}: {got} vs {want} (tol {tol})");
        if err > 0.0 {
            worst = worst.max(err / tol);
        }
    };
    let mut grads: Vec<Vec<f32>> = c.get("grads").arr().iter().map(|g| g.nums().iter().map(|&x| x as f32).collect()).collect();
    match c.get("fn").str() {
        "clip_grad_norm_" => {
            let total = clip_grad_norm::<L>(&mut grads, c.get("max_norm").num() as f32, norm_type(c));
            check(total, c.get("total_norm").num(), c.get("total_norm_f32").num(), "total norm");
        }
        "clip_grad_value_" => clip_grad_value::<L>(&mut grads, c.get("clip_value").num() as f32),
        other => panic!("{id}: unknown function {other}"),
    }
    for (t, got) in grads.iter().enumerate() {
        let want = c.get("expected").arr()[t].nums();
        let want32 = c.get("expected_f32").arr()[t].nums();
        for i in 0..got.len() {
            check(got[i], want[i], want32[i], &format!("tensor {t} element {i}"));
        }
    }
    (worst, grads)
}

#[test]
fn every_torch_clip_case_matches_pytorch() {
    let files = torch_files();
    let (_, v) = files.iter().find(|(n, _)| n == "clip.json").expect("test/vectors/torch/clip.json");
    let mut worst = 0f64;
    let mut count = 0;
    for c in v.get("cases").arr() {
        let (ratio, four) = clip_case::<Emu4>(c);
        let (_, one) = clip_case::<Scalar>(c);
        assert!(four.iter().zip(&one).all(|(a, b)| same(a, b)), "{}", c.get("id").str());
        worst = worst.max(ratio);
        count += 1;
    }
    println!("torch clip.json: worst error / tolerance = {worst:.3}");
    assert!(count >= 11, "only {count} cases ran");
}
