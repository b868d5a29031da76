"""Float64 reference of ADOPT (Taniguchi et al. 2024) as iShohei220/adopt src/adopt/adopt.py
`_single_tensor_adopt` computes it, written to test/vectors/adopt.json.

    g <- -g if maximize;  g <- g + wd*p if weight_decay and not decouple
    step == 0 (first call): v <- v + g*g; nothing else
    p <- p + (-lr*wd)*p if decouple
    n = g / max(sqrt(v), eps);  n <- clamp(n, -c, c) with c = clip_lambda(step) (step before increment)
    m <- lerp(m, n, 1 - b1);  p <- p - lr*m;  v <- b2*v + (1 - b2)*g*g
"""
import numpy as np

from common import inputs, run_case, write


class Adopt:
    def __init__(self, dtype, lr=1e-3, betas=(0.9, 0.9999), eps=1e-6, clip_lambda=lambda s: s ** 0.25,
                 weight_decay=0.0, decouple=False, maximize=False):
        self.t = dtype
        self.lr, self.b1, self.b2, self.eps = lr, betas[0], betas[1], eps
        self.clip, self.wd, self.decouple, self.maximize = clip_lambda, weight_decay, decouple, maximize
        self.step_count = 0
        self.m = None

    def step(self, p, g):
        t = self.t
        if self.m is None:
            self.m = np.zeros_like(p)
            self.v = np.zeros_like(p)
        g = -g if self.maximize else g
        if self.wd != 0 and not self.decouple:
            g = g + t(self.wd) * p
        if self.step_count == 0:
            self.v += g * g
            self.step_count += 1
            return
        if self.wd != 0 and self.decouple:
            p += t(-self.lr * self.wd) * p
        denom = np.maximum(np.sqrt(self.v), t(self.eps))
        n = g / denom
        if self.clip is not None:
            c = t(self.clip(self.step_count))
            n = np.clip(n, -c, c)
        w = t(1 - self.b1)
        self.m = self.m + w * (n - self.m)
        p += t(-self.lr) * self.m
        self.v = self.v * t(self.b2) + t(1 - self.b2) * g * g
        self.step_count += 1

    def state(self):
        return {'step': self.step_count, 'exp_avg': self.m, 'exp_avg_sq': self.v}


DEFAULTS = {'lr': 1e-3, 'betas': [0.9, 0.9999], 'eps': 1e-6, 'clip_lambda': 'step**0.25', 'weight_decay': 0.0,
            'decouple': False, 'maximize': False}

CONFIGS = [
    ('default', {}),
    ('lr0.05', {'lr': 0.05}),
    ('no_clip', {'lr': 0.05, 'eps': 1e-3, 'clip_lambda': None}),
    ('tight_clip', {'lr': 0.05, 'clip_lambda': 'step**0.25/4'}),
    ('weight_decay', {'lr': 0.05, 'weight_decay': 0.1}),
    ('decouple', {'lr': 0.05, 'weight_decay': 0.1, 'decouple': True}),
    ('maximize', {'lr': 0.05, 'maximize': True, 'weight_decay': 0.05}),
    ('betas_eps', {'lr': 0.02, 'betas': [0.5, 0.9], 'eps': 0.1}),
]
CLIPS = {'step**0.25': lambda s: s ** 0.25, 'step**0.25/4': lambda s: s ** 0.25 / 4, None: None}

cases = []
for i, (name, over) in enumerate(CONFIGS):
    hyper = {**DEFAULTS, **over}
    init, grads = inputs(100 + i)
    kw = {k: v for k, v in hyper.items() if k != 'clip_lambda'}
    clip = CLIPS[hyper['clip_lambda']]
    cases.append(run_case(f'adopt/{name}', 'adopt', hyper, lambda dt: Adopt(dt, clip_lambda=clip, **kw), init, grads))
write('adopt', DEFAULTS, cases)
