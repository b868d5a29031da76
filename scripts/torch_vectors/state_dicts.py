"""PyTorch optimizer state dicts exported mid-run, for simdopt's PyTorch interop tests.

For each case PyTorch runs `k` steps from `init` with the given gradients, exports
`optimizer.state_dict()` as JSON (tensors as nested lists, 0-dim tensors as numbers), then
continues `m` more steps. packages/simdopt/test/torch-state-dict.test.ts loads the k-step dict
into simdopt on every backend, continues with the same gradients and compares with PyTorch's own
continuation (`expected`); it also checks that simdopt's `stateDict({ format: 'torch' })` after k
steps equals PyTorch's dict.

`vectors()` returns {file name: JSON value}; scripts/torch-vectors.py (the driver) writes every
module's files into test/vectors/torch/. Run this file directly to write only its own:
    /usr/bin/python3 scripts/torch_vectors/state_dicts.py
"""

import torch

from ._common import SOURCE

# First-wave optimizers whose PyTorch 1.13 behaviour equals 2.x (NAdam differs; no decoupled flags).
CASES = [
    # (id, class, options in PyTorch's names, shapes per group, k, m)
    ('sgd', 'SGD', {'lr': 0.1}, [[[3, 4], [5]]], 3, 4),
    ('sgd_momentum', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1, 'weight_decay': 0.01}, [[[3, 4], [5]]], 3, 4),
    ('sgd_nesterov_maximize', 'SGD', {'lr': 0.05, 'momentum': 0.8, 'nesterov': True, 'maximize': True}, [[[3, 4], [5]]], 3, 4),
    ('adam', 'Adam', {'lr': 0.01}, [[[3, 4], [5]]], 3, 4),
    ('adam_amsgrad_wd_maximize', 'Adam', {'lr': 0.02, 'betas': (0.8, 0.99), 'eps': 1e-6, 'weight_decay': 0.1, 'amsgrad': True, 'maximize': True}, [[[3, 4], [5]]], 3, 4),
    ('adam_two_groups', 'Adam', {'lr': 0.01}, [[[3, 4]], [[5]]], 3, 4),
    ('adamw', 'AdamW', {'lr': 0.01, 'weight_decay': 0.1}, [[[3, 4], [5]]], 3, 4),
    ('adamw_amsgrad', 'AdamW', {'lr': 0.01, 'amsgrad': True}, [[[3, 4], [5]]], 3, 4),
    ('rmsprop', 'RMSprop', {'lr': 0.01}, [[[3, 4], [5]]], 3, 4),
    ('rmsprop_centered_momentum', 'RMSprop', {'lr': 0.01, 'alpha': 0.9, 'momentum': 0.5, 'centered': True, 'weight_decay': 0.05}, [[[3, 4], [5]]], 3, 4),
    ('adagrad', 'Adagrad', {'lr': 0.1, 'lr_decay': 0.01, 'initial_accumulator_value': 0.1, 'weight_decay': 0.02}, [[[3, 4], [5]]], 3, 4),
    ('adadelta', 'Adadelta', {'lr': 1.0, 'rho': 0.8, 'weight_decay': 0.1}, [[[3, 4], [5]]], 3, 4),
    ('adamax', 'Adamax', {'lr': 0.02, 'weight_decay': 0.05}, [[[3, 4], [5]]], 3, 4),
    # Past step 5 RAdam switches to its rectified update: k + m spans both.
    ('radam', 'RAdam', {'lr': 0.01, 'weight_decay': 0.01}, [[[3, 4], [5]]], 4, 6),
    # A scheduler adds `initial_lr` to every group, as PyTorch users' dicts usually have.
    ('adam_with_scheduler', 'Adam', {'lr': 0.01}, [[[3, 4], [5]]], 3, 4),
]


def to_json(x):
    """A state dict value as JSON: tensors as nested lists (0-dim: a number), tuples as lists."""
    if isinstance(x, torch.Tensor):
        return x.tolist()
    if isinstance(x, dict):
        return {str(k): to_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_json(v) for v in x]
    return x


def build(case):
    _id, cls, options, groups, _k, _m = case
    params = [[torch.nn.Parameter(torch.empty(s)) for s in shapes] for shapes in groups]
    gen = torch.Generator().manual_seed(sum(map(ord, _id)))
    for group in params:
        for p in group:
            with torch.no_grad():
                p.copy_(torch.randn(p.shape, generator=gen))
    if len(params) == 1:
        opt = getattr(torch.optim, cls)(params[0], **options)
    else:
        # Second group: its own lr, to show groups keep their options.
        opt = getattr(torch.optim, cls)([{'params': params[0]}, {'params': params[1], 'lr': options['lr'] * 3}], **options)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5) if _id.endswith('_with_scheduler') else None
    return params, opt, sched, gen


def run(case):
    _id, cls, options, groups, k, m = case
    params, opt, sched, gen = build(case)
    flat = [p for g in params for p in g]
    init = [p.detach().tolist() for p in flat]
    grads = []
    for _ in range(k + m):
        grads.append([torch.randn(p.shape, generator=gen).tolist() for p in flat])
    def step(t):
        for p, g in zip(flat, grads[t]):
            p.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
        # The scheduler runs before the export only: its own state is not part of the optimizer's.
        if sched is not None and t < k:
            sched.step()
    for t in range(k):
        step(t)
    state_dict = to_json(opt.state_dict())
    at_k = [p.detach().tolist() for p in flat]
    for t in range(k, k + m):
        step(t)
    return {
        'id': _id,
        'optimizer': cls,
        'options': {key: list(v) if isinstance(v, tuple) else v for key, v in options.items()},
        'shapes': [[list(s) for s in shapes] for shapes in groups],
        'k': k,
        'm': m,
        'init': init,
        'grads': grads,
        'params_at_k': at_k,
        'state_dict': state_dict,
        'expected': [p.detach().tolist() for p in flat],
    }


def vectors():
    cases = [run(c) for c in CASES]
    return {'state_dicts.json': {'source': SOURCE, 'torch_version': torch.__version__, 'cases': cases}}
