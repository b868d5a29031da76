"""Rprop trajectories from real PyTorch (torch.optim.Rprop), float64 and float32 runs.

torch 1.13's `_single_tensor_rprop` and torch 2.x's (non-capturable path) perform the same
operations; every configuration here holds for both. Gradients contain exact zeros (the factor-1
branch) and sign flips (the η− branch that zeroes the gradient).
"""
import torch

from ._common import FORMAT_VERSION
from .asgd import SOURCE, make_cases

DEFAULTS = {'lr': 1e-2, 'etas': [0.5, 1.2], 'step_sizes': [1e-6, 50.0], 'maximize': False}

CONFIGS = [
    ('default', {}),
    ('etas', {'etas': [0.3, 1.5], 'lr': 0.05}),
    ('tight-bounds', {'step_sizes': [1e-3, 0.02], 'lr': 0.01}),
    ('maximize', {'maximize': True, 'lr': 0.02}),
]


def vectors():
    return {'rprop.json': {
        'format_version': FORMAT_VERSION,
        'source': SOURCE,
        'optimizer': 'rprop',
        'defaults': DEFAULTS,
        'cases': make_cases('rprop', torch.optim.Rprop, DEFAULTS, CONFIGS, zero_every=5),
    }}

