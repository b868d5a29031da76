"""torch.nn.utils.clip_grad_norm_ / clip_grad_value_ in PyTorch 1.13, in the layout of
test/vectors/clip.json, each case run in float64 (`total_norm`, `clip_coef`, `expected`) and in
float32 (`total_norm_f32`, `expected_f32`)."""
import math

import numpy as np
import torch

from ._common import FORMAT_VERSION, SOURCE


def _grads(seed, sizes, scale):
    rng = np.random.RandomState(seed)
    return [(rng.standard_normal(n) * scale).tolist() for n in sizes]


CASES = [
    ('norm2/three_tensors_clipped', 'clip_grad_norm_', dict(max_norm=5.0, norm_type=2.0), _grads(1, [37, 5, 16], 3.0)),
    ('norm2/not_clipped', 'clip_grad_norm_', dict(max_norm=100.0, norm_type=2.0), _grads(2, [37, 5, 16], 1.0)),
    ('norm2/single_tensor', 'clip_grad_norm_', dict(max_norm=1.0, norm_type=2.0), _grads(3, [67], 1.0)),
    ('norm2/zero_gradients', 'clip_grad_norm_', dict(max_norm=1.0, norm_type=2.0), [[0.0] * 9, [0.0] * 4]),
    ('norm2/mixed_magnitudes', 'clip_grad_norm_', dict(max_norm=0.5, norm_type=2.0), _grads(4, [3], 1e-3) + _grads(5, [41], 10.0)),
    ('norm2/exactly_at_max', 'clip_grad_norm_', dict(max_norm=5.0, norm_type=2.0), [[3.0, 4.0], [0.0]]),
    ('inf/three_tensors_clipped', 'clip_grad_norm_', dict(max_norm=0.75, norm_type='inf'), _grads(6, [37, 5, 16], 2.0)),
    ('norm1/three_tensors_clipped', 'clip_grad_norm_', dict(max_norm=4.0, norm_type=1.0), _grads(7, [37, 5, 16], 1.0)),
    ('norm3/two_tensors', 'clip_grad_norm_', dict(max_norm=1.5, norm_type=3.0), _grads(8, [13, 29], 1.0)),
    ('value/three_tensors_0.5', 'clip_grad_value_', dict(clip_value=0.5), _grads(9, [37, 5, 16], 1.0)),
    ('value/not_clipped', 'clip_grad_value_', dict(clip_value=100.0), _grads(10, [37, 5], 1.0)),
]


def _run(fn, args, grads, dtype):
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros(len(g), dtype=dtype))
        p.grad = torch.tensor(g, dtype=dtype)
        params.append(p)
    total = None
    if fn == 'clip_grad_norm_':
        norm_type = math.inf if args['norm_type'] == 'inf' else args['norm_type']
        total = torch.nn.utils.clip_grad_norm_(params, args['max_norm'], norm_type=norm_type).item()
    else:
        torch.nn.utils.clip_grad_value_(params, args['clip_value'])
    return total, [p.grad.to(torch.float64).tolist() for p in params]


def vectors():
    cases = []
    for case_id, fn, args, grads in CASES:
        total, expected = _run(fn, args, grads, torch.float64)
        total32, expected32 = _run(fn, args, grads, torch.float32)
        c = {'id': case_id, 'fn': fn, 'source': SOURCE, **args, 'grads': grads}
        if total is not None:
            c['total_norm'] = total
            c['total_norm_f32'] = total32
            c['clip_coef'] = min(args['max_norm'] / (total + 1e-6), 1.0)
        c['expected'] = expected
        c['expected_f32'] = expected32
        cases.append(c)
    return {'clip.json': {
        'format_version': FORMAT_VERSION,
        'source': SOURCE,
        'convention': "grads is a list of tensors (flattened). clip_grad_norm_: total_norm is the norm of the vector of "
                      "per-tensor norms (returned before clipping); every tensor is multiplied by clip_coef = "
                      "min(max_norm / (total_norm + 1e-6), 1). norm_type 'inf' is the max-abs norm. clip_grad_value_: "
                      "clamp to [-clip_value, clip_value]. *_f32: the same call on float32 tensors.",
        'cases': cases,
    }}
