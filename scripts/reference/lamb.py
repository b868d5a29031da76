"""Float64 reference of LAMB as optax.lamb composes it (google-deepmind/optax optax/_src/alias.py
`lamb`: scale_by_adam -> add_decayed_weights -> scale_by_trust_ratio -> scale_by_learning_rate),
written to test/vectors/lamb.json. `maximize` (simdopt's addition) negates the gradient first.

    mu <- (1-b1)*g + b1*mu;  nu <- (1-b2)*g**2 + b2*nu;  t <- t + 1
    u = (mu/(1-b1**t)) / (sqrt(nu/(1-b2**t) + eps_root) + eps);  u <- u + wd*p
    r = |p| / |u| (per tensor), 1 if either norm is 0;  p <- p + (u*r)*(-lr)
"""
import numpy as np

from common import N, STEPS, inputs, run_case, write


class Lamb:
    def __init__(self, dtype, sizes, lr=1e-3, b1=0.9, b2=0.999, eps=1e-6, eps_root=0.0, weight_decay=0.0,
                 maximize=False):
        self.t = dtype
        self.sizes = sizes
        self.lr, self.b1, self.b2, self.eps, self.eps_root = lr, b1, b2, eps, eps_root
        self.wd, self.maximize = weight_decay, maximize
        self.count = 0
        self.mu = None

    def step(self, p, g):
        t = self.t
        if self.mu is None:
            self.mu = np.zeros_like(p)
            self.nu = np.zeros_like(p)
        g = -g if self.maximize else g
        self.mu = t(1 - self.b1) * g + t(self.b1) * self.mu
        self.nu = t(1 - self.b2) * (g * g) + t(self.b2) * self.nu
        self.count += 1
        # optax takes decay**count in float32 for float32 moments, in float64 here.
        bc1 = t(1 - self.b1 ** self.count)
        bc2 = t(1 - self.b2 ** self.count)
        u = (self.mu / bc1) / (np.sqrt(self.nu / bc2 + t(self.eps_root)) + t(self.eps))
        if self.wd != 0:
            u = u + t(self.wd) * p
        start = 0
        for n in self.sizes:
            sl = slice(start, start + n)
            pn = np.sqrt(np.sum(p[sl] * p[sl]))
            un = np.sqrt(np.sum(u[sl] * u[sl]))
            r = t(1.0) if pn == 0 or un == 0 else pn / un
            p[sl] += (u[sl] * r) * t(-self.lr)
            start += n

    def state(self):
        return {'step': self.count, 'mu': self.mu, 'nu': self.nu}


DEFAULTS = {'learning_rate': 1e-3, 'b1': 0.9, 'b2': 0.999, 'eps': 1e-6, 'eps_root': 0.0, 'weight_decay': 0.0,
            'maximize': False}

CONFIGS = [
    ('default', {}, [N]),
    ('lr0.02', {'learning_rate': 0.02}, [N]),
    ('weight_decay', {'learning_rate': 0.02, 'weight_decay': 0.1}, [N]),
    ('eps_root', {'learning_rate': 0.02, 'eps_root': 1e-3, 'eps': 0.0}, [N]),
    ('maximize_betas', {'learning_rate': 0.02, 'maximize': True, 'b1': 0.5, 'b2': 0.9, 'weight_decay': 0.01}, [N]),
    # p = 0 at the start: ‖p‖ = 0 gives a trust ratio of 1 on the first step.
    ('zero_params', {'learning_rate': 0.02}, [N]),
    # g = 0 on the first step: u = 0, a trust ratio of 1 and no move.
    ('zero_update', {'learning_rate': 0.02}, [N]),
]

cases = []
for i, (name, over, sizes) in enumerate(CONFIGS):
    hyper = {**DEFAULTS, **over}
    init, grads = inputs(200 + i)
    if name == 'zero_params':
        init[:] = 0.0
    if name == 'zero_update':
        grads[0][:] = 0.0
    kw = {('lr' if k == 'learning_rate' else k): v for k, v in hyper.items()}
    cases.append(run_case(f'lamb/{name}', 'lamb', hyper, lambda dt: Lamb(dt, sizes, **kw), init, grads))
write('lamb', DEFAULTS, cases)
