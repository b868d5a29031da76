//! Argument blocks for every kernel from PyTorch's hyper-parameters: the test-side twin of the
//! `writeArgs` of each TypeScript class (per-step scalars in f64, rounded to f32 once).
//! A new optimizer adds one arm to `args_for` and one to `step_with`.

use super::json::Json;
use simdopt_core::lanes::Lanes;
use simdopt_core::optim::{adam, sgd};
use simdopt_core::sweep::{step_slices, OptimizerKernel};

/// One step's argument block for `optimizer` at step `t` (1-based); `first` marks the step that
/// creates the state (SGD copies the gradient into a new momentum buffer).
pub fn args_for(optimizer: &str, h: &Json, t: u32, first: bool) -> Vec<f32> {
    let num = |k: &str| h.get(k).num();
    let flag = |k: &str| h.opt(k).map(Json::bool).unwrap_or(false);
    let lr = num("lr");
    let a: Vec<f64> = match optimizer {
        "sgd" => {
            let (wd, mu) = (num("weight_decay"), num("momentum"));
            let flags = flag("maximize") as u32
                | (flag("nesterov") as u32) << 1
                | ((mu != 0.0) as u32) << 2
                | (first as u32) << 3
                | ((wd != 0.0) as u32) << 4;
            vec![flags as f64, wd, mu, 1.0 - num("dampening"), lr]
        }
        "adam" | "adamw" => {
            let b = h.get("betas").nums();
            let wd = num("weight_decay");
            let decoupled = optimizer == "adamw" || flag("decoupled_weight_decay");
            let decay = if decoupled { 2 } else if wd != 0.0 { 1 } else { 0 };
            let flags = flag("maximize") as u32 | (flag("amsgrad") as u32) << 1 | decay << 2;
            let t = t as f64;
            vec![
                flags as f64,
                wd,
                1.0 - lr * wd,
                1.0 - b[0],
                b[1],
                1.0 - b[1],
                lr / (1.0 - b[0].powf(t)),
                (1.0 - b[1].powf(t)).sqrt(),
                num("eps"),
            ]
        }
        other => panic!("no argument block for {other}"),
    };
    a.into_iter().map(|x| x as f32).collect()
}

/// State slots of `optimizer`'s configuration (PyTorch's names, in slot order).
pub fn slot_names(optimizer: &str, h: &Json) -> Vec<&'static str> {
    let flag = |k: &str| h.opt(k).map(Json::bool).unwrap_or(false);
    match optimizer {
        "sgd" if h.get("momentum").num() != 0.0 => vec!["momentum_buffer"],
        "sgd" => vec![],
        "adam" | "adamw" if flag("amsgrad") => vec!["exp_avg", "exp_avg_sq", "max_exp_avg_sq"],
        "adam" | "adamw" => vec!["exp_avg", "exp_avg_sq"],
        other => panic!("no slots for {other}"),
    }
}

/// Steps one parameter with kernel `optimizer` and lane type `L`.
pub fn step_with<L: Lanes>(optimizer: &str, args: &[f32], p: &mut [f32], g: &[f32], state: &mut [f32]) {
    fn run<L: Lanes, K: OptimizerKernel>(args: &[f32], p: &mut [f32], g: &[f32], s: &mut [f32]) {
        step_slices::<L, K>(args, p, g, s)
    }
    match optimizer {
        "sgd" => run::<L, sgd::SgdKernel>(args, p, g, state),
        "adam" | "adamw" => run::<L, adam::AdamKernel>(args, p, g, state),
        other => panic!("no kernel for {other}"),
    }
}

/// Vector files of the optimizers (one per kernel family).
pub const OPTIMIZER_FILES: &[&str] = &["sgd.json", "adam.json", "adamw.json"];
