//! Adamax, the infinity-norm variant of Adam (Kingma & Ba 2015, arXiv 1412.6980, section 7.1),
//! as `torch.optim.Adamax` computes it (`_single_tensor_adamax`).
//!
//! ```text
//! g ← −g                                   if maximize
//! g ← g + wd·p                             coupled weight decay
//! m ← lerp(m, g, 1 − β1)
//! u ← max(u·β2, |g| + eps)                 eps inside the max; NaN propagates (torch.maximum)
//! p ← p + ((−lr/(1 − β1^t))·m) / u         only the first moment is bias-corrected
//! ```
//! State slots, in order: `exp_avg` (m), `exp_inf` (u).
//!
//! Spec: docs/SEMANTICS.md#adamax

use crate::lanes::Lanes;
use crate::optim::lerp;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), [`WEIGHT_DECAY_ON`](super::arg::WEIGHT_DECAY_ON).
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    /// Interpolation weight of the first moment, `1 − β1`.
    pub const ONE_MINUS_BETA1: usize = 2;
    pub const BETA2: usize = 3;
    pub const EPS: usize = 4;
    /// `clr = lr / (1 − β1^t)`.
    pub const CLR: usize = 5;
    pub const LEN: usize = 6;

    pub const MAXIMIZE: u32 = 0;
    pub const WEIGHT_DECAY_ON: u32 = 1;
}

/// One Adamax configuration (two slots, whatever the options).
#[derive(Clone, Copy, Debug)]
pub struct Adamax {
    pub maximize: bool,
    pub weight_decay: Option<f32>,
    pub one_minus_beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub clr: f32,
}

impl Adamax {
    pub fn from_args(a: &[f32]) -> Self {
        Adamax {
            maximize: flag(a, arg::FLAGS, arg::MAXIMIZE),
            weight_decay: flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON).then(|| a[arg::WEIGHT_DECAY]),
            one_minus_beta1: a[arg::ONE_MINUS_BETA1],
            beta2: a[arg::BETA2],
            eps: a[arg::EPS],
            clr: a[arg::CLR],
        }
    }
}

impl Update for Adamax {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let [exp_avg, exp_inf, ..] = s;
        let g = if self.maximize { -g } else { g };
        let g = match self.weight_decay {
            Some(wd) => g + L::splat(wd) * p,
            None => g,
        };
        *exp_avg = lerp(*exp_avg, g, self.one_minus_beta1);
        // torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
        *exp_inf = (*exp_inf * L::splat(self.beta2)).max(g.abs() + L::splat(self.eps));
        // param.addcdiv_(exp_avg, exp_inf, value=-clr)
        p + (L::splat(-self.clr) * *exp_avg) / *exp_inf
    }
}

/// The exported kernel.
pub struct AdamaxKernel;

impl OptimizerKernel for AdamaxKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        2
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        sweep_all::<L, _>(&Adamax::from_args(a), tensors)
    }
}
