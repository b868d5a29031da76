"""Float64 reference of Prodigy (Mishchenko & Defazio 2023) as konstmish/prodigy
prodigyopt/prodigy.py `Prodigy.step` computes it, written to test/vectors/prodigy.json.

Group-wide: d, d_max, d_numerator, k, betas, beta3, d_coef, growth_rate, decouple and
use_bias_correction come from group 0, lr is the largest group lr; the sums run over every
parameter of every group with lr > 0; d changes after that pass; the parameter update uses the
old dlr and the new d (in the denominator). fsdp_in_use and slice_p (1) are not modelled.

Layout: as test/vectors/adam.json, but a case holds several parameters in several groups:
`groups` (hyper-parameters per group, each with `params`: indices), `init` and `grads` per
parameter (`grads[k][i]`: step k, parameter i), `expected[k][i]`, `final_state` per parameter,
`final_groups` (d, d_max, d_numerator, d_denom, d_hat, k per group), and `f32_max_abs_diff[k]`
over all parameters.
"""
import json
import math

import numpy as np

from common import OUT, STEPS

DEFAULTS = {'lr': 1.0, 'betas': [0.9, 0.999], 'beta3': None, 'eps': 1e-8, 'weight_decay': 0.0, 'decouple': True,
            'use_bias_correction': False, 'safeguard_warmup': False, 'd0': 1e-6, 'd_coef': 1.0,
            'growth_rate': math.inf}


class Prodigy:
    def __init__(self, dtype, groups):
        self.t = dtype
        self.groups = [dict(DEFAULTS, **{k: v for k, v in g.items() if k != 'params'}, params=g['params']) for g in groups]
        for g in self.groups:
            g.update(d=g['d0'], d_max=g['d0'], d_numerator=0.0, k=0)
        self.state = {}

    def step(self, ps, gs):
        t = self.t
        group = self.groups[0]
        b1, b2 = group['betas']
        beta3 = group['beta3'] if group['beta3'] is not None else math.sqrt(b2)
        k = group['k']
        d, d_max, d_coef = group['d'], group['d_max'], group['d_coef']
        lr = max(g['lr'] for g in self.groups)
        bc = ((1 - b2 ** (k + 1)) ** 0.5) / (1 - b1 ** (k + 1)) if group['use_bias_correction'] else 1
        dlr = d * lr * bc
        growth_rate, decouple = group['growth_rate'], group['decouple']
        d_numerator = group['d_numerator'] * beta3
        d_denom = 0.0
        grads = {}
        for group in self.groups:
            decay, d0 = group['weight_decay'], group['d0']
            assert group['lr'] in (lr, 0.0)
            for i in group['params']:
                p = ps[i]
                grad = gs[i].copy()
                if decay != 0 and not decouple:
                    grad = grad + t(decay) * p
                grads[i] = grad
                st = self.state.setdefault(i, {})
                if 'step' not in st:
                    st.update(step=0, s=np.zeros_like(p), p0=p.copy(), exp_avg=np.zeros_like(p), exp_avg_sq=np.zeros_like(p))
                if group['lr'] > 0.0:
                    d_numerator += (d / d0) * dlr * float(np.dot(grad, st['p0'] - p))
                    st['exp_avg'] = st['exp_avg'] * t(b1) + grad * t(d * (1 - b1))
                    st['exp_avg_sq'] = st['exp_avg_sq'] * t(b2) + t(d * d * (1 - b2)) * grad * grad
                    c = (d / d0) * d if group['safeguard_warmup'] else (d / d0) * dlr
                    st['s'] = st['s'] * t(beta3) + grad * t(c)
                    d_denom += float(np.sum(np.abs(st['s'])))
        d_hat = d
        if d_denom == 0:
            return
        if lr > 0.0:
            d_hat = d_coef * d_numerator / d_denom
            if d == group['d0']:  # `group`: the last group, as in the reference
                d = max(d, d_hat)
            d_max = max(d_max, d_hat)
            d = min(d_max, d * growth_rate)
        for group in self.groups:
            group.update(d_numerator=d_numerator, d_denom=d_denom, d=d, d_max=d_max, d_hat=d_hat)
            decay, eps = group['weight_decay'], group['eps']
            for i in group['params']:
                st = self.state[i]
                p = ps[i]
                st['step'] += 1
                denom = np.sqrt(st['exp_avg_sq']) + t(d * eps)
                if decay != 0 and decouple:
                    p += p * t(-decay * dlr)
                p += t(-dlr) * (st['exp_avg'] / denom)
            group['k'] = group['k'] + 1


N_PARAMS = [37, 5]


def inputs(seed, sizes, scale=1.0):
    rng = np.random.default_rng(seed)
    init = []
    for n in sizes:
        x = rng.standard_normal(n) * scale
        x[0] = 0.0
        init.append(x)
    grads = []
    for _ in range(STEPS):
        row = []
        for n in sizes:
            g = rng.standard_normal(n) * np.exp(rng.standard_normal(n))
            g[rng.integers(0, n, 1)] = 0.0
            row.append(g)
        grads.append(row)
    return init, grads


def run_case(case_id, groups, sizes, init, grads, zero_grad_steps=()):
    runs = {}
    for dtype in (np.float64, np.float32):
        opt = Prodigy(dtype, groups)
        ps = [np.array(x, dtype=dtype) for x in init]
        traj = []
        for k in range(STEPS):
            gs = [np.zeros(len(x), dtype=dtype) if k in zero_grad_steps else np.array(g, dtype=dtype) for x, g in zip(init, grads[k])]
            opt.step(ps, gs)
            traj.append([p.astype(np.float64).copy() for p in ps])
        runs[dtype] = (traj, opt)
    traj64, opt64 = runs[np.float64]
    traj32, opt32 = runs[np.float32]
    return {
        'id': case_id,
        'optimizer': 'prodigy',
        'groups': [{**{k: v for k, v in g.items()}} for g in groups],
        'dtype': 'float64',
        'steps': STEPS,
        'zero_grad_steps': list(zero_grad_steps),
        'init': [[float(x) for x in p] for p in init],
        'grads': [[[0.0] * len(x) if k in zero_grad_steps else [float(v) for v in g] for x, g in zip(init, row)] for k, row in enumerate(grads)],
        'expected': [[[float(v) for v in p] for p in step] for step in traj64],
        'final_state': [{key: (v if key == 'step' else [float(x) for x in v]) for key, v in opt64.state[i].items()} for i in range(len(sizes))],
        'final_groups': [{key: float(g[key]) for key in ('d', 'd_max', 'd_numerator', 'd_denom', 'd_hat', 'k') if key in g} for g in opt64.groups],
        # The float32 run's distance from the float64 one in the final state (d_numerator cancels
        # terms of both signs, so its float32 drift is large; tolerances scale with it).
        'final_state_f32_diff': [{key: float(np.max(np.abs(v - opt32.state[i][key]), initial=0.0)) for key, v in opt64.state[i].items() if key != 'step'} for i in range(len(sizes))],
        'final_groups_f32_diff': [{key: abs(float(g[key]) - float(g32[key])) for key in ('d', 'd_max', 'd_numerator', 'd_denom', 'd_hat') if key in g} for g, g32 in zip(opt64.groups, opt32.groups)],
        'f32_max_abs_diff': [max(float(np.max(np.abs(a - b))) for a, b in zip(s64, s32)) for s64, s32 in zip(traj64, traj32)],
    }


def one(over):
    return [{**over, 'params': [0]}]


CONFIGS = [
    ('default', one({}), [37]),
    ('weight_decay_decoupled', one({'weight_decay': 0.1}), [37]),
    ('weight_decay_coupled', one({'weight_decay': 0.1, 'decouple': False}), [37]),
    ('bias_correction', one({'use_bias_correction': True}), [37]),
    ('safeguard_warmup', one({'safeguard_warmup': True, 'd0': 1e-3}), [37]),
    ('growth_rate', one({'growth_rate': 1.02, 'd0': 1e-3}), [37]),
    ('beta3_d_coef', one({'beta3': 0.9, 'd_coef': 0.5, 'betas': [0.8, 0.99], 'eps': 1e-4}), [37]),
    ('two_params', [{'params': [0, 1], 'd0': 1e-4}], [37, 5]),
    ('two_groups', [{'params': [0], 'd0': 1e-4, 'weight_decay': 0.05}, {'params': [1], 'd0': 1e-4, 'eps': 1e-3, 'safeguard_warmup': True}], [37, 5]),
    ('frozen_group', [{'params': [0], 'd0': 1e-4, 'lr': 0.5}, {'params': [1], 'd0': 1e-4, 'lr': 0.0, 'weight_decay': 0.1}], [37, 5]),
]

cases = []
for i, (name, groups, sizes) in enumerate(CONFIGS):
    init, grads = inputs(300 + i, sizes)
    cases.append(run_case(f'prodigy/{name}', groups, sizes, init, grads))
# d_denom == 0: all-zero gradients at the first steps (nothing moves, the counters stay).
init, grads = inputs(399, [37])
cases.append(run_case('prodigy/zero_grads_first', one({'d0': 1e-4}), [37], init, grads, zero_grad_steps=(0, 1)))

with open(f'{OUT}/prodigy.json', 'w') as fh:
    defaults = {**DEFAULTS, 'growth_rate': 'inf'}
    json.dump({'format_version': 1, 'optimizer': 'prodigy', 'defaults': defaults, 'cases': cases}, fh)
print(f'{OUT}/prodigy.json: {len(cases)} cases')
