//! The element-wise optimizer kernels by name: the name TypeScript gives each (`kernel('adam', …)`)
//! and the wasm export `simdopt_<name>` (crates/simdopt-wasm/src/exports.rs). The argument files
//! (test/vectors/args) name the kernel of every run; this table is the only place the Rust tests
//! map a name to a kernel type. `every_export_is_in_the_kernel_table` (vectors.rs) checks it
//! against the `optimizer!` lines of exports.rs, so a new kernel cannot be left out.

use simdopt_core::lanes::Lanes;
use simdopt_core::optim::*;
use simdopt_core::sweep::{step_slices, OptimizerKernel};

macro_rules! kernels {
    ($($name:literal => $kernel:ty,)*) => {
        /// Every kernel name of the table.
        pub const KERNEL_NAMES: &[&str] = &[$($name),*];

        /// Steps one parameter with kernel `kernel` and lane type `L`; the block must have exactly
        /// the kernel's length (a generated file out of step with the kernel fails here).
        pub fn step_with<L: Lanes>(kernel: &str, args: &[f32], p: &mut [f32], g: &[f32], state: &mut [f32]) {
            fn run<L: Lanes, K: OptimizerKernel>(args: &[f32], p: &mut [f32], g: &[f32], s: &mut [f32]) {
                assert_eq!(args.len(), K::ARGS, "argument block length");
                step_slices::<L, K>(args, p, g, s)
            }
            match kernel {
                $($name => run::<L, $kernel>(args, p, g, state),)*
                other => panic!("no kernel {other} in tests/support/kernels.rs"),
            }
        }
    };
}

kernels! {
    "sgd" => sgd::SgdKernel,
    "adam" => adam::AdamKernel,
    "rmsprop" => rmsprop::RmspropKernel,
    "adagrad" => adagrad::AdagradKernel,
    "adadelta" => adadelta::AdadeltaKernel,
    "adamax" => adamax::AdamaxKernel,
    "nadam" => nadam::NadamKernel,
    "radam" => radam::RadamKernel,
    "lion" => lion::LionKernel,
    "asgd" => asgd::AsgdKernel,
    "rprop" => rprop::RpropKernel,
    "adopt" => adopt::AdoptKernel,
    "lamb" => lamb::LambKernel,
    "schedulefree" => schedulefree::ScheduleFreeKernel,
    "prodigy" => prodigy::ProdigyKernel,
}

/// The `optimizer!` exports of crates/simdopt-wasm/src/exports.rs, without their `simdopt_` prefix.
pub fn exported_kernels() -> Vec<String> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../simdopt-wasm/src/exports.rs");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("optimizer!(simdopt_"))
        .map(|rest| rest.split(',').next().unwrap().to_string())
        .collect()
}
