"""Float64 references of Schedule-Free AdamW and SGD as facebookresearch/schedule_free
schedulefree/adamw_schedulefree.py and sgd_schedulefree.py compute them (inner_momentum 0),
written to test/vectors/schedulefree_adamw.json and schedulefree_sgd.json.

Per group and step (k counts steps from 0):
    lr = lr * min(1, (k+1)/warmup_steps);  lr_max = max(lr, lr_max)   (lr_max starts at -1)
    weight = (k+1)**r * lr_max**weight_lr_power;  weight_sum += weight
    c = weight / weight_sum  (0 when weight_sum is 0)
Per element (z starts as a copy of p):
    AdamW: v <- b2*v + (1-b2)*g*g;  d = g / (sqrt(v/(1 - b2**(k+1))) + eps);   SGD: d = g
    d <- d + wd*y;  y <- lerp(y, z, c);  y <- y + lr*(b1*(1-c) - 1)*d;  z <- z - lr*d
eval(): p <- lerp(p, z, 1 - 1/b1);  train(): p <- lerp(p, z, 1 - b1)   (b1: momentum for SGD)

The optimizer starts in eval mode; the cases call train() before the first step. After each step
listed in `eval_after`, the case calls eval(), records the parameters (the point x), and calls
train() again.
"""
import numpy as np

from common import inputs, run_case, write


def lerp(a, b, w, t):
    """torch.lerp as ATen's CPU kernel computes it (weight rounded to the tensor's dtype)."""
    w = t(w)
    return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (t(1) - w)


class ScheduleFree:
    def __init__(self, dtype, adaptive, lr, beta1, beta2=0.999, eps=1e-8, weight_decay=0.0, warmup_steps=0, r=0.0,
                 weight_lr_power=2.0):
        self.t = dtype
        self.adaptive = adaptive
        self.lr, self.b1, self.b2, self.eps, self.wd = lr, beta1, beta2, eps, weight_decay
        self.warmup, self.r, self.power = warmup_steps, r, weight_lr_power
        self.k, self.weight_sum, self.lr_max, self.train_mode = 0, 0.0, -1.0, False
        self.z = None

    def train(self, p):
        if not self.train_mode and self.z is not None:
            p[:] = lerp(p, self.z, 1 - self.b1, self.t)
        self.train_mode = True

    def eval(self, p):
        if self.train_mode and self.z is not None:
            p[:] = lerp(p, self.z, 1 - 1 / self.b1, self.t)
        self.train_mode = False

    def step(self, p, g):
        t = self.t
        assert self.train_mode
        if self.z is None:
            self.z = p.copy()
            self.v = np.zeros_like(p)
        k = self.k
        sched = (k + 1) / self.warmup if k < self.warmup else 1.0
        lr = self.lr * sched
        self.lr_max = max(lr, self.lr_max)
        weight = ((k + 1) ** self.r) * (self.lr_max ** self.power)
        self.weight_sum += weight
        ckp1 = weight / self.weight_sum if self.weight_sum != 0 else 0.0
        if self.adaptive:
            self.v = self.v * t(self.b2) + t(1 - self.b2) * g * g
            d = g / (np.sqrt(self.v / t(1 - self.b2 ** (k + 1))) + t(self.eps))
        else:
            d = g
        if self.wd != 0:
            d = d + t(self.wd) * p
        p[:] = lerp(p, self.z, ckp1, t)
        p += t(lr * (self.b1 * (1 - ckp1) - 1)) * d
        self.z = self.z - t(lr) * d
        self.k = k + 1

    def state(self):
        return {'z': self.z, 'exp_avg_sq': self.v} if self.adaptive else {'z': self.z}


def make_extra(eval_after):
    def extra(opt, k, p):
        if k + 1 not in eval_after:
            return p
        opt.eval(p)
        x = p.copy()
        opt.train(p)
        return x
    return extra


def build(optimizer, adaptive, defaults, configs, seed):
    cases = []
    for i, (name, over, eval_after) in enumerate(configs):
        hyper = {**defaults, **over}
        init, grads = inputs(seed + i)
        kw = dict(hyper)
        beta1 = kw.pop('betas')[0] if adaptive else kw.pop('momentum')
        if adaptive:
            kw['beta2'] = hyper['betas'][1]

        def make(dt, kw=kw, beta1=beta1):
            o = ScheduleFree(dt, adaptive, beta1=beta1, **kw)
            o.train_mode = True  # train() before the first step: nothing to move yet
            return o

        c = run_case(f'{optimizer}/{name}', optimizer, hyper, make, init, grads, extra=make_extra(eval_after))
        c['eval_after'] = eval_after
        cases.append(c)
    write(optimizer, defaults, cases)


ADAMW = {'lr': 0.0025, 'betas': [0.9, 0.999], 'eps': 1e-8, 'weight_decay': 0.0, 'warmup_steps': 0, 'r': 0.0,
         'weight_lr_power': 2.0}
build('schedulefree_adamw', True, ADAMW, [
    ('default', {}, []),
    ('lr0.05_eval', {'lr': 0.05}, [1, 4, 5, 13, 20]),
    ('warmup', {'lr': 0.05, 'warmup_steps': 8}, [6, 20]),
    ('r_power', {'lr': 0.05, 'r': 1.0, 'weight_lr_power': 1.0, 'warmup_steps': 3}, [10]),
    ('weight_decay', {'lr': 0.05, 'weight_decay': 0.1}, [7]),
    ('betas_eps', {'lr': 0.02, 'betas': [0.5, 0.9], 'eps': 0.1}, [2, 20]),
    ('lr0', {'lr': 0.0}, [3]),
], 300)

SGD = {'lr': 1.0, 'momentum': 0.9, 'weight_decay': 0.0, 'warmup_steps': 0, 'r': 0.0, 'weight_lr_power': 2.0}
build('schedulefree_sgd', False, SGD, [
    ('default', {}, []),
    ('lr0.1_eval', {'lr': 0.1}, [1, 4, 5, 13, 20]),
    ('warmup', {'lr': 0.1, 'warmup_steps': 8}, [6, 20]),
    ('r_power', {'lr': 0.1, 'r': 2.0, 'weight_lr_power': 0.5}, [10]),
    ('weight_decay_momentum', {'lr': 0.1, 'weight_decay': 0.1, 'momentum': 0.5}, [7, 20]),
], 400)
