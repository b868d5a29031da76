"""AveragedModel and SWALR from real PyTorch (torch.optim.swa_utils).

AveragedModel: a model of two parameters (sizes in `param_sizes`) takes the values `models[k]`
(concatenated) before update k; `expected[k]` is the concatenated averaged parameters after update
k. SWA uses PyTorch's default average (avg + (p − avg)/(n + 1), the CPU path of torch 1.13 and
2.x alike); EMA is passed as `avg_fn = torch.lerp(avg, p, 1 − decay)`, which is what torch 2.x's
`get_ema_multi_avg_fn(decay)` computes (`torch._foreach_lerp_`), so both hold for 1.13 and 2.x.
SWALR: `lrs[k]` is the lr of every group after k scheduler steps (`lrs[0]` after construction),
with an SGD optimizer whose group lrs are `base_lrs`; the recursive form is the same in 1.13 and 2.x.
"""
import torch

from ._common import FORMAT_VERSION
from .asgd import SOURCE

SIZES = [5, 10]
UPDATES = 12


def averaged_run(strategy, decay, models, dtype):
    params = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(s, dtype=dtype)) for s in SIZES])
    kwargs = {}
    if strategy == 'ema':
        kwargs['avg_fn'] = lambda avg, p, n: torch.lerp(avg, p, 1 - decay)
    # construct from the first model's values (AveragedModel deep-copies the module)
    with torch.no_grad():
        flat = torch.tensor(models[0], dtype=dtype)
        off = 0
        for p in params:
            p.copy_(flat[off:off + p.numel()])
            off += p.numel()
    avg = torch.optim.swa_utils.AveragedModel(params, **kwargs)
    out = []
    for m in models:
        with torch.no_grad():
            flat = torch.tensor(m, dtype=dtype)
            off = 0
            for p in params:
                p.copy_(flat[off:off + p.numel()])
                off += p.numel()
        avg.update_parameters(params)
        out.append([float(v) for p in avg.parameters() for v in p.detach()])
    return out, int(avg.n_averaged)


def averaged_cases():
    g = torch.Generator().manual_seed(5)
    models = []
    x = torch.randn(sum(SIZES), generator=g, dtype=torch.float64)
    for _ in range(UPDATES):
        x = x + 0.3 * torch.randn(sum(SIZES), generator=g, dtype=torch.float64)
        models.append(x.float().double().tolist())
    cases = []
    for cid, strategy, decay in [('swa', 'swa', None), ('ema-0.9', 'ema', 0.9), ('ema-0.3', 'ema', 0.3), ('ema-0.999', 'ema', 0.999)]:
        exp64, n = averaged_run(strategy, decay, models, torch.float64)
        exp32, _ = averaged_run(strategy, decay, models, torch.float32)
        cases.append({'id': f'averaged_model/{cid}', 'source': SOURCE, 'strategy': strategy, 'decay': decay,
                      'param_sizes': SIZES, 'models': models, 'expected': exp64, 'expected_f32': exp32, 'n_averaged': n})
    return cases


def swalr_cases():
    cases = []
    configs = [
        ('cos', {'swa_lr': 0.05}, [0.5]),
        ('linear', {'swa_lr': 0.01, 'anneal_epochs': 4, 'anneal_strategy': 'linear'}, [0.2, 0.1]),
        ('per-group', {'swa_lr': [0.02, 0.3], 'anneal_epochs': 3}, [0.1, 0.05]),
        ('no-anneal', {'swa_lr': 0.07, 'anneal_epochs': 0}, [0.5]),
    ]
    for cid, hyper, base in configs:
        params = [torch.nn.Parameter(torch.zeros(2)) for _ in base]
        opt = torch.optim.SGD([{'params': [p], 'lr': lr} for p, lr in zip(params, base)], lr=base[0])
        sched = torch.optim.swa_utils.SWALR(opt, **hyper)
        lrs = [[g['lr'] for g in opt.param_groups]]
        for _ in range(14):
            opt.step()
            sched.step()
            lrs.append([g['lr'] for g in opt.param_groups])
        cases.append({'id': f'swalr/{cid}', 'source': SOURCE, 'hyper': hyper, 'base_lrs': base, 'lrs': lrs})
    return cases


def vectors():
    return {'swa_utils.json': {'format_version': FORMAT_VERSION, 'source': SOURCE, 'averaged_model': averaged_cases(), 'swalr': swalr_cases()}}

