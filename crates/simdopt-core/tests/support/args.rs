//! Argument blocks for every kernel from PyTorch's hyper-parameters: the test-side twin of the
//! `writeArgs` of each TypeScript class (per-step scalars in f64, rounded to f32 once).
//! A new optimizer adds one arm to `args_for`, `slot_names` and `step_with` (and to
//! `initial_value` when a slot does not start at zero).

use super::json::Json;
use simdopt_core::lanes::Lanes;
use simdopt_core::optim::adopt;
use simdopt_core::optim::lamb;
use simdopt_core::optim::schedulefree;
use simdopt_core::optim::{adadelta, adagrad, adam, adamax, lion, nadam, radam, rmsprop, sgd};
use simdopt_core::sweep::{step_slices, OptimizerKernel};

/// One step's argument block for `optimizer` at step `t` (1-based); `first` marks the step that
/// creates the state (SGD copies the gradient into a new momentum buffer).
pub fn args_for(optimizer: &str, h: &Json, t: u32, first: bool) -> Vec<f32> {
    let num = |k: &str| h.get(k).num();
    let flag = |k: &str| h.opt(k).map(Json::bool).unwrap_or(false);
    // optax names it learning_rate (LAMB).
    let lr = h.opt("lr").unwrap_or_else(|| h.get("learning_rate")).num();
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
            let decay = if decoupled {
                2
            } else if wd != 0.0 {
                1
            } else {
                0
            };
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
        "rmsprop" => {
            let (wd, mu, alpha) = (num("weight_decay"), num("momentum"), num("alpha"));
            let flags =
                flag("maximize") as u32 | ((wd != 0.0) as u32) << 1 | ((mu > 0.0) as u32) << 2 | (flag("centered") as u32) << 3;
            vec![flags as f64, wd, alpha, 1.0 - alpha, num("eps"), mu, lr]
        }
        "adagrad" => {
            let wd = num("weight_decay");
            let flags = flag("maximize") as u32 | ((wd != 0.0) as u32) << 1;
            let clr = lr / (1.0 + (t as f64 - 1.0) * num("lr_decay"));
            vec![flags as f64, wd, clr, num("eps")]
        }
        "adadelta" => {
            let (wd, rho) = (num("weight_decay"), num("rho"));
            let flags = flag("maximize") as u32 | ((wd != 0.0) as u32) << 1;
            vec![flags as f64, wd, rho, 1.0 - rho, num("eps"), lr]
        }
        "adamax" => {
            let b = h.get("betas").nums();
            let wd = num("weight_decay");
            let flags = flag("maximize") as u32 | ((wd != 0.0) as u32) << 1;
            vec![flags as f64, wd, 1.0 - b[0], b[1], num("eps"), lr / (1.0 - b[0].powf(t as f64))]
        }
        "nadam" => {
            let b = h.get("betas").nums();
            let (wd, psi) = (num("weight_decay"), num("momentum_decay"));
            let decay = if wd == 0.0 {
                0
            } else if flag("decoupled_weight_decay") {
                2
            } else {
                1
            };
            let flags = flag("maximize") as u32 | decay << 1;
            let mu_at = |k: f64| b[0] * (1.0 - 0.5 * 0.96f64.powf(k * psi));
            // The running product PyTorch keeps in state, multiplied in step order.
            let mut mu_product = 1.0;
            for k in 1..=t {
                mu_product *= mu_at(k as f64);
            }
            let t = t as f64;
            let (mu, mu_next) = (mu_at(t), mu_at(t + 1.0));
            vec![
                flags as f64,
                wd,
                1.0 - lr * wd,
                1.0 - b[0],
                b[1],
                1.0 - b[1],
                1.0 - b[1].powf(t),
                num("eps"),
                -lr * (1.0 - mu) / (1.0 - mu_product),
                -lr * mu_next / (1.0 - mu_product * mu_next),
            ]
        }
        "radam" => {
            let b = h.get("betas").nums();
            let wd = num("weight_decay");
            let decay = if wd == 0.0 {
                0
            } else if flag("decoupled_weight_decay") {
                2
            } else {
                1
            };
            let t = t as f64;
            let bc2 = 1.0 - b[1].powf(t);
            let rho_inf = 2.0 / (1.0 - b[1]) - 1.0;
            let rho_t = rho_inf - 2.0 * t * b[1].powf(t) / bc2;
            let rectify = rho_t > 5.0;
            let rect = if rectify {
                ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)).sqrt()
            } else {
                0.0
            };
            let flags = flag("maximize") as u32 | (rectify as u32) << 1 | decay << 2;
            vec![
                flags as f64,
                wd,
                1.0 - lr * wd,
                1.0 - b[0],
                b[1],
                1.0 - b[1],
                1.0 - b[0].powf(t),
                lr,
                bc2.sqrt(),
                num("eps"),
                rect,
            ]
        }
        "lion" => {
            let b = h.get("betas").nums();
            let wd = num("weight_decay");
            let flags = flag("maximize") as u32 | ((wd != 0.0) as u32) << 1;
            vec![flags as f64, 1.0 - lr * wd, b[0], 1.0 - b[0], b[1], 1.0 - b[1], lr]
        }
        "adopt" => {
            let b = h.get("betas").nums();
            let wd = num("weight_decay");
            let decay = if wd == 0.0 {
                0
            } else if flag("decouple") {
                2
            } else {
                1
            };
            // clip_lambda of the step before its increment (t − 1), from the cases' named lambdas.
            let clip = match h.get("clip_lambda") {
                Json::Null => None,
                c => Some(clip_lambda(c.str(), t as f64 - 1.0)),
            };
            let flags = flag("maximize") as u32 | (clip.is_some() as u32) << 1 | (first as u32) << 2 | decay << 3;
            vec![flags as f64, wd, -lr * wd, 1.0 - b[0], b[1], 1.0 - b[1], lr, num("eps"), clip.unwrap_or(0.0)]
        }
        "lamb" => {
            let (b1, b2, wd) = (num("b1"), num("b2"), num("weight_decay"));
            let flags = flag("maximize") as u32 | ((wd != 0.0) as u32) << 1;
            let t = t as f64;
            vec![
                flags as f64,
                wd,
                b1,
                1.0 - b1,
                b2,
                1.0 - b2,
                1.0 - b1.powf(t),
                1.0 - b2.powf(t),
                num("eps_root"),
                num("eps"),
                lr,
            ]
        }
        "schedulefree_adamw" | "schedulefree_sgd" => {
            let adaptive = optimizer == "schedulefree_adamw";
            let (wd, warmup, r, power) = (num("weight_decay"), num("warmup_steps"), num("r"), num("weight_lr_power"));
            let beta1 = if adaptive { h.get("betas").nums()[0] } else { num("momentum") };
            let beta2 = if adaptive { h.get("betas").nums()[1] } else { 0.0 };
            // The group bookkeeping over steps 0 ..= t − 1, as the reference advances it.
            let (mut lr_max, mut weight_sum, mut ckp1, mut lr_k) = (-1f64, 0f64, 0f64, 0f64);
            for k in 0..t {
                let k = k as f64;
                let sched = if k < warmup { (k + 1.0) / warmup } else { 1.0 };
                lr_k = lr * sched;
                lr_max = lr_max.max(lr_k);
                let weight = (k + 1.0).powf(r) * lr_max.powf(power);
                weight_sum += weight;
                ckp1 = if weight_sum != 0.0 { weight / weight_sum } else { 0.0 };
            }
            let flags = adaptive as u32 | (first as u32) << 1 | ((wd != 0.0) as u32) << 2;
            let bc2 = if adaptive { 1.0 - beta2.powf(t as f64) } else { 1.0 };
            let eps = if adaptive { num("eps") } else { 0.0 };
            vec![flags as f64, wd, beta2, 1.0 - beta2, bc2, eps, ckp1, lr_k * (beta1 * (1.0 - ckp1) - 1.0), lr_k]
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
        "rmsprop" => {
            let mut names = vec!["square_avg"];
            if h.get("momentum").num() > 0.0 {
                names.push("momentum_buffer");
            }
            if flag("centered") {
                names.push("grad_avg");
            }
            names
        }
        "adagrad" => vec!["sum"],
        "adadelta" => vec!["square_avg", "acc_delta"],
        "adamax" => vec!["exp_avg", "exp_inf"],
        "nadam" | "radam" => vec!["exp_avg", "exp_avg_sq"],
        "lion" => vec!["exp_avg"],
        "adopt" => vec!["exp_avg", "exp_avg_sq"],
        "lamb" => vec!["mu", "nu"],
        "schedulefree_adamw" => vec!["z", "exp_avg_sq"],
        "schedulefree_sgd" => vec!["z"],
        other => panic!("no slots for {other}"),
    }
}

/// The value a state slot starts from (zero except Adagrad's accumulator).
pub fn initial_value(optimizer: &str, h: &Json, slot: &str) -> f32 {
    match (optimizer, slot) {
        ("adagrad", "sum") => h.get("initial_accumulator_value").num() as f32,
        _ => 0.0,
    }
}

/// Scratch slots a kernel keeps after its state slots (not state: in no vector file).
pub fn scratch_slots(optimizer: &str) -> usize {
    match optimizer {
        "lamb" => 1, // update
        _ => 0,
    }
}

/// A zeroed state block for `len` elements with every slot set to its initial value (and the
/// scratch slots after them).
pub fn initial_state(optimizer: &str, h: &Json, len: usize) -> Vec<f32> {
    let stride = simdopt_core::sweep::slot_stride(len);
    let names = slot_names(optimizer, h);
    let mut state = vec![0f32; (names.len() + scratch_slots(optimizer)) * stride];
    for (k, name) in names.iter().enumerate() {
        state[k * stride..k * stride + len].fill(initial_value(optimizer, h, name));
    }
    state
}

/// Steps one parameter with kernel `optimizer` and lane type `L`.
pub fn step_with<L: Lanes>(optimizer: &str, args: &[f32], p: &mut [f32], g: &[f32], state: &mut [f32]) {
    fn run<L: Lanes, K: OptimizerKernel>(args: &[f32], p: &mut [f32], g: &[f32], s: &mut [f32]) {
        step_slices::<L, K>(args, p, g, s)
    }
    match optimizer {
        "sgd" => run::<L, sgd::SgdKernel>(args, p, g, state),
        "adam" | "adamw" => run::<L, adam::AdamKernel>(args, p, g, state),
        "rmsprop" => run::<L, rmsprop::RmspropKernel>(args, p, g, state),
        "adagrad" => run::<L, adagrad::AdagradKernel>(args, p, g, state),
        "adadelta" => run::<L, adadelta::AdadeltaKernel>(args, p, g, state),
        "adamax" => run::<L, adamax::AdamaxKernel>(args, p, g, state),
        "nadam" => run::<L, nadam::NadamKernel>(args, p, g, state),
        "radam" => run::<L, radam::RadamKernel>(args, p, g, state),
        "lion" => run::<L, lion::LionKernel>(args, p, g, state),
        "adopt" => run::<L, adopt::AdoptKernel>(args, p, g, state),
        "lamb" => run::<L, lamb::LambKernel>(args, p, g, state),
        "schedulefree_adamw" | "schedulefree_sgd" => run::<L, schedulefree::ScheduleFreeKernel>(args, p, g, state),
        other => panic!("no kernel for {other}"),
    }
}

/// Vector files of the optimizers (one per kernel family).
pub const OPTIMIZER_FILES: &[&str] = &[
    "sgd.json",
    "adam.json",
    "adamw.json",
    "rmsprop.json",
    "adagrad.json",
    "adadelta.json",
    "adamax.json",
    "nadam.json",
    "radam.json",
    "adopt.json",
    "lamb.json",
    "schedulefree_adamw.json",
    "schedulefree_sgd.json",
];

/// The clip functions the ADOPT vectors name (scripts/reference/adopt.py `CLIPS`).
pub fn clip_lambda(name: &str, step: f64) -> f64 {
    match name {
        "step**0.25" => step.powf(0.25),
        "step**0.25/4" => step.powf(0.25) / 4.0,
        other => panic!("no clip_lambda {other}"),
    }
}

/// Schedule-Free's train (`to_train`) or eval switch: `p ← lerp(p, z, w)`.
pub fn schedulefree_switch(optimizer: &str, h: &Json, to_train: bool) -> Vec<f32> {
    let beta = if optimizer == "schedulefree_adamw" { h.get("betas").nums()[0] } else { h.get("momentum").num() };
    let mut a = vec![0f32; schedulefree::arg::LEN];
    a[schedulefree::arg::FLAGS] = (1u32 << schedulefree::arg::SWITCH) as f32;
    a[schedulefree::arg::WEIGHT] = (if to_train { 1.0 - beta } else { 1.0 - 1.0 / beta }) as f32;
    a
}
