"""Every lr scheduler of torch.optim.lr_scheduler that simdopt implements, run by PyTorch 1.13.

Same layout as test/vectors/schedulers.json: `lrs[k]` is group 0's lr after k calls of
`step()` (`lrs[0]` right after construction); `momentum` (SGD) or `beta1` (Adam) at the same
instants where the scheduler cycles momentum; ReduceLROnPlateau's k-th step is
`step(metrics[k-1])`. The optimizer is stepped (without gradients) before every scheduler step,
as in a training loop. The cases are those of schedulers.json plus a few that reach branches it
does not (CyclicLR exp_range, OneCycleLR linear two-phase and on Adam, cosine past T_max, ...).
LambdaLR/MultiplicativeLR take functions and have no JSON spec; they are not here.
"""
import warnings

import torch

from ._common import FORMAT_VERSION, SOURCE

CASES = [
    {'id': 'StepLR/step7_gamma0.5', 'spec': {'scheduler': 'StepLR', 'args': {'step_size': 7, 'gamma': 0.5}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'StepLR/step1_gamma0.9', 'spec': {'scheduler': 'StepLR', 'args': {'step_size': 1, 'gamma': 0.9}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'StepLR/default_gamma', 'spec': {'scheduler': 'StepLR', 'args': {'step_size': 10}}, 'initial_lr': 1.0, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'MultiStepLR/repeated_milestone', 'spec': {'scheduler': 'MultiStepLR', 'args': {'milestones': [5, 12, 12, 30], 'gamma': 0.5}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'MultiStepLR/default_gamma', 'spec': {'scheduler': 'MultiStepLR', 'args': {'milestones': [10, 25]}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'ExponentialLR/gamma0.95', 'spec': {'scheduler': 'ExponentialLR', 'args': {'gamma': 0.95}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'ExponentialLR/gamma0.7', 'spec': {'scheduler': 'ExponentialLR', 'args': {'gamma': 0.7}}, 'initial_lr': 1.0, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'CosineAnnealingLR/Tmax40', 'spec': {'scheduler': 'CosineAnnealingLR', 'args': {'T_max': 40}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'CosineAnnealingLR/Tmax15_etamin', 'spec': {'scheduler': 'CosineAnnealingLR', 'args': {'T_max': 15, 'eta_min': 0.01}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'CosineAnnealingWarmRestarts/T0_10', 'spec': {'scheduler': 'CosineAnnealingWarmRestarts', 'args': {'T_0': 10}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'CosineAnnealingWarmRestarts/T0_5_Tmult2', 'spec': {'scheduler': 'CosineAnnealingWarmRestarts', 'args': {'T_0': 5, 'T_mult': 2, 'eta_min': 0.001}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'LinearLR/default', 'spec': {'scheduler': 'LinearLR', 'args': {}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'LinearLR/warmup10', 'spec': {'scheduler': 'LinearLR', 'args': {'start_factor': 0.1, 'end_factor': 1.0, 'total_iters': 10}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'LinearLR/decay30', 'spec': {'scheduler': 'LinearLR', 'args': {'start_factor': 1.0, 'end_factor': 0.05, 'total_iters': 30}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'ConstantLR/default', 'spec': {'scheduler': 'ConstantLR', 'args': {}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'ConstantLR/half_for_10', 'spec': {'scheduler': 'ConstantLR', 'args': {'factor': 0.5, 'total_iters': 10}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'PolynomialLR/linear20', 'spec': {'scheduler': 'PolynomialLR', 'args': {'total_iters': 20, 'power': 1.0}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'PolynomialLR/quadratic30', 'spec': {'scheduler': 'PolynomialLR', 'args': {'total_iters': 30, 'power': 2.0}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'OneCycleLR/cos_total40', 'spec': {'scheduler': 'OneCycleLR', 'args': {'max_lr': 0.1, 'total_steps': 40}}, 'initial_lr': 0.004, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'OneCycleLR/three_phase_cos', 'spec': {'scheduler': 'OneCycleLR', 'args': {'max_lr': 0.1, 'total_steps': 45, 'three_phase': True}}, 'initial_lr': 0.004, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'OneCycleLR/three_phase_linear', 'spec': {'scheduler': 'OneCycleLR', 'args': {'max_lr': 0.1, 'total_steps': 45, 'three_phase': True, 'anneal_strategy': 'linear'}}, 'initial_lr': 0.004, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'OneCycleLR/pct0.25_div10_final100', 'spec': {'scheduler': 'OneCycleLR', 'args': {'max_lr': 0.05, 'total_steps': 50, 'pct_start': 0.25, 'div_factor': 10.0, 'final_div_factor': 100.0}}, 'initial_lr': 0.005, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'OneCycleLR/no_momentum', 'spec': {'scheduler': 'OneCycleLR', 'args': {'max_lr': 0.1, 'total_steps': 40, 'cycle_momentum': False}}, 'initial_lr': 0.004, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'CyclicLR/triangular', 'spec': {'scheduler': 'CyclicLR', 'args': {'base_lr': 0.01, 'max_lr': 0.1, 'step_size_up': 5}}, 'initial_lr': 0.05, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'CyclicLR/triangular2_up4_down6', 'spec': {'scheduler': 'CyclicLR', 'args': {'base_lr': 0.01, 'max_lr': 0.1, 'step_size_up': 4, 'step_size_down': 6, 'mode': 'triangular2'}}, 'initial_lr': 0.05, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'CyclicLR/no_momentum', 'spec': {'scheduler': 'CyclicLR', 'args': {'base_lr': 0.01, 'max_lr': 0.1, 'step_size_up': 3, 'cycle_momentum': False}}, 'initial_lr': 0.05, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'ReduceLROnPlateau/min_rel_patience3', 'spec': {'scheduler': 'ReduceLROnPlateau', 'args': {'mode': 'min', 'factor': 0.5, 'patience': 3}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40, 'metrics': [1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.550856, 0.548858, 0.555309, 0.546783, 0.551323, 0.549713, 0.549291, 0.552133, 0.546364, 0.548031, 0.549772, 0.553483, 0.550178, 0.551791, 0.546273, 0.45, 0.45, 0.45, 0.45, 0.4501, 0.4502, 0.4503, 0.4504, 0.4505, 0.4506, 0.4507, 0.4508, 0.4509, 0.451, 0.4511]},
    {'id': 'ReduceLROnPlateau/min_abs_cooldown2_minlr', 'spec': {'scheduler': 'ReduceLROnPlateau', 'args': {'mode': 'min', 'factor': 0.3, 'patience': 1, 'threshold': 0.01, 'threshold_mode': 'abs', 'cooldown': 2, 'min_lr': 0.002}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40, 'metrics': [1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.550856, 0.548858, 0.555309, 0.546783, 0.551323, 0.549713, 0.549291, 0.552133, 0.546364, 0.548031, 0.549772, 0.553483, 0.550178, 0.551791, 0.546273, 0.45, 0.45, 0.45, 0.45, 0.4501, 0.4502, 0.4503, 0.4504, 0.4505, 0.4506, 0.4507, 0.4508, 0.4509, 0.451, 0.4511]},
    {'id': 'ReduceLROnPlateau/max_rel_patience0', 'spec': {'scheduler': 'ReduceLROnPlateau', 'args': {'mode': 'max', 'factor': 0.5, 'patience': 0, 'threshold': 0.05}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40, 'metrics': [-1.0, -0.95, -0.9, -0.85, -0.8, -0.75, -0.7, -0.65, -0.6, -0.55, -0.550856, -0.548858, -0.555309, -0.546783, -0.551323, -0.549713, -0.549291, -0.552133, -0.546364, -0.548031, -0.549772, -0.553483, -0.550178, -0.551791, -0.546273, -0.45, -0.45, -0.45, -0.45, -0.4501, -0.4502, -0.4503, -0.4504, -0.4505, -0.4506, -0.4507, -0.4508, -0.4509, -0.451, -0.4511]},
    {'id': 'SequentialLR/linear_warmup_then_cosine', 'spec': {'scheduler': 'SequentialLR', 'args': {'schedulers': [{'scheduler': 'LinearLR', 'args': {'start_factor': 0.1, 'total_iters': 5}}, {'scheduler': 'CosineAnnealingLR', 'args': {'T_max': 35}}], 'milestones': [5]}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'SequentialLR/constant_then_exponential', 'spec': {'scheduler': 'SequentialLR', 'args': {'schedulers': [{'scheduler': 'ConstantLR', 'args': {'factor': 0.1, 'total_iters': 3}}, {'scheduler': 'ExponentialLR', 'args': {'gamma': 0.9}}], 'milestones': [3]}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'SequentialLR/warmup_then_multistep', 'spec': {'scheduler': 'SequentialLR', 'args': {'schedulers': [{'scheduler': 'LinearLR', 'args': {'start_factor': 0.25, 'total_iters': 8}}, {'scheduler': 'MultiStepLR', 'args': {'milestones': [5, 15], 'gamma': 0.1}}], 'milestones': [8]}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'ChainedScheduler/exp_and_step', 'spec': {'scheduler': 'ChainedScheduler', 'args': {'schedulers': [{'scheduler': 'ExponentialLR', 'args': {'gamma': 0.95}}, {'scheduler': 'StepLR', 'args': {'step_size': 10, 'gamma': 0.5}}]}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    # Branches schedulers.json does not reach.
    {'id': 'CyclicLR/exp_range', 'spec': {'scheduler': 'CyclicLR', 'args': {'base_lr': 0.01, 'max_lr': 0.1, 'step_size_up': 4, 'mode': 'exp_range', 'gamma': 0.95}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'CyclicLR/momentum_bounds', 'spec': {'scheduler': 'CyclicLR', 'args': {'base_lr': 0.001, 'max_lr': 0.01, 'step_size_up': 3, 'step_size_down': 5, 'base_momentum': 0.7, 'max_momentum': 0.95}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'OneCycleLR/linear_two_phase', 'spec': {'scheduler': 'OneCycleLR', 'args': {'max_lr': 0.1, 'total_steps': 30, 'anneal_strategy': 'linear'}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 30},
    {'id': 'OneCycleLR/adam_beta1', 'spec': {'scheduler': 'OneCycleLR', 'args': {'max_lr': 0.01, 'total_steps': 40, 'pct_start': 0.4}}, 'initial_lr': 0.001, 'optimizer_kind': 'adam', 'steps': 40},
    {'id': 'CosineAnnealingLR/past_Tmax', 'spec': {'scheduler': 'CosineAnnealingLR', 'args': {'T_max': 10, 'eta_min': 0.005}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'PolynomialLR/default', 'spec': {'scheduler': 'PolynomialLR', 'args': {}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
    {'id': 'ReduceLROnPlateau/max_abs_cooldown', 'spec': {'scheduler': 'ReduceLROnPlateau', 'args': {'mode': 'max', 'factor': 0.5, 'patience': 2, 'threshold': 0.1, 'threshold_mode': 'abs', 'cooldown': 1}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40, 'metrics': [0.1 * ((k * 7) % 11) + 0.05 * k for k in range(40)]},
    {'id': 'ChainedScheduler/constant_and_exponential', 'spec': {'scheduler': 'ChainedScheduler', 'args': {'schedulers': [{'scheduler': 'ConstantLR', 'args': {'factor': 0.5, 'total_iters': 4}}, {'scheduler': 'ExponentialLR', 'args': {'gamma': 0.9}}]}}, 'initial_lr': 0.1, 'optimizer_kind': 'sgd', 'optimizer_momentum': 0.9, 'steps': 40},
]

CYCLES_MOMENTUM = {'OneCycleLR', 'CyclicLR'}


def _build(spec, opt):
    cls = getattr(torch.optim.lr_scheduler, spec['scheduler'])
    args = dict(spec['args'])
    if 'schedulers' in args:
        args['schedulers'] = [_build(child, opt) for child in args['schedulers']]
    if spec['scheduler'] == 'ChainedScheduler':
        return cls(args['schedulers'])
    return cls(opt, **args)


def run_case(c):
    p = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    if c['optimizer_kind'] == 'adam':
        opt = torch.optim.Adam([p], lr=c['initial_lr'], betas=(0.9, 0.999))
    else:
        opt = torch.optim.SGD([p], lr=c['initial_lr'], momentum=c.get('optimizer_momentum', 0.0))
    sched = _build(c['spec'], opt)
    group = opt.param_groups[0]
    cycled = c['spec']['scheduler'] in CYCLES_MOMENTUM and c['spec']['args'].get('cycle_momentum', True)
    lrs, momenta = [group['lr']], [group['betas'][0] if 'betas' in group else group['momentum']]
    for k in range(1, c['steps'] + 1):
        opt.step()
        if 'metrics' in c:
            sched.step(c['metrics'][k - 1])
        else:
            sched.step()
        lrs.append(group['lr'])
        momenta.append(group['betas'][0] if 'betas' in group else group['momentum'])
    out = {'id': c['id'], 'scheduler': c['spec']['scheduler'], 'source': SOURCE, **{k: v for k, v in c.items() if k != 'id'}}
    out['lrs'] = [float(x) for x in lrs]
    if cycled:
        out['beta1' if c['optimizer_kind'] == 'adam' else 'momentum'] = [float(x) for x in momenta]
    return out


def vectors():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        cases = [run_case(c) for c in CASES]
    return {'schedulers.json': {
        'format_version': FORMAT_VERSION,
        'source': SOURCE,
        'convention': 'lrs[k] is param_groups[0]["lr"] after k calls of step(): lrs[0] right after construction. '
                      'momentum/beta1[k] is the group\'s momentum (SGD) or betas[0] (Adam) at the same instant, '
                      'present where the scheduler cycles momentum. ReduceLROnPlateau: the k-th step is step(metrics[k-1]). '
                      'Children of SequentialLR/ChainedScheduler are constructed in the listed order on the same optimizer '
                      'before the parent. The optimizer steps (no gradients) before every scheduler step.',
        'optimizer': "one param group with lr = initial_lr; optimizer_kind 'sgd' has momentum optimizer_momentum, "
                     "'adam' has betas (0.9, 0.999)",
        'cases': cases,
    }}
