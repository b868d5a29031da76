"""The first-wave torch.optim optimizers whose PyTorch 1.13 behaviour equals 2.x.

Left out: NAdam (1.13 multiplies mu into mu_product_next twice; fixed in 2.0), Adam's
`decoupled_weight_decay` and NAdam/RAdam's decoupled flags (added after 1.13), RAdam's
`maximize` (added after 1.13), Lion (not in torch). Each optimizer has several configurations
that together reach every branch of its step.
"""
import torch

from ._common import inputs, optimizer_case, optimizer_file

# optimizer name → (class, PyTorch defaults, [(case name, hyper overrides)])
TABLE = {
    "sgd": (torch.optim.SGD, dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False), [
        ("plain", dict(lr=0.05)),
        ("momentum", dict(lr=0.02, momentum=0.9)),
        ("momentum_dampening", dict(lr=0.02, momentum=0.8, dampening=0.3)),
        ("nesterov_weight_decay", dict(lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.05)),
        ("maximize_weight_decay_momentum", dict(lr=0.01, momentum=0.5, weight_decay=0.1, maximize=True)),
    ]),
    "adam": (torch.optim.Adam, dict(lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False), [
        ("default", dict()),
        ("lr0.05", dict(lr=0.05)),
        ("amsgrad", dict(lr=0.02, amsgrad=True)),
        ("weight_decay_amsgrad", dict(lr=0.02, weight_decay=0.1, amsgrad=True)),
        ("maximize_weight_decay", dict(lr=0.02, weight_decay=0.05, maximize=True)),
        ("betas_large_eps", dict(lr=0.03, betas=[0.5, 0.9], eps=0.1)),
    ]),
    "adamw": (torch.optim.AdamW, dict(lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False), [
        ("default_wd", dict()),
        ("wd0.5_amsgrad", dict(lr=0.02, weight_decay=0.5, amsgrad=True)),
        ("maximize", dict(lr=0.02, weight_decay=0.1, maximize=True)),
        ("no_weight_decay", dict(lr=0.05, weight_decay=0.0)),
    ]),
    "rmsprop": (torch.optim.RMSprop, dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False), [
        ("default", dict()),
        ("centered", dict(centered=True, alpha=0.9)),
        ("momentum", dict(momentum=0.9, lr=0.003)),
        ("centered_momentum_wd", dict(centered=True, momentum=0.5, weight_decay=0.1, alpha=0.95, lr=0.003)),
        ("maximize_eps", dict(maximize=True, eps=0.01, lr=0.005)),
    ]),
    "adagrad": (torch.optim.Adagrad, dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False), [
        ("default", dict()),
        ("lr_decay_initial_accumulator", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.3)),
        ("weight_decay_maximize", dict(lr=0.05, weight_decay=0.1, maximize=True, eps=1e-3)),
    ]),
    "adadelta": (torch.optim.Adadelta, dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False), [
        ("default", dict()),
        ("rho_eps_wd", dict(rho=0.7, eps=1e-3, weight_decay=0.1, lr=0.5)),
        ("maximize", dict(maximize=True, lr=2.0, rho=0.95)),
    ]),
    "adamax": (torch.optim.Adamax, dict(lr=2e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0, maximize=False), [
        ("default", dict()),
        ("lr0.05", dict(lr=0.05)),
        ("weight_decay", dict(lr=0.02, weight_decay=0.1)),
        ("maximize_betas_eps", dict(lr=0.02, betas=[0.6, 0.8], eps=1e-2, maximize=True)),
    ]),
    "radam": (torch.optim.RAdam, dict(lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0), [
        ("default", dict()),
        ("lr0.05", dict(lr=0.05)),
        ("weight_decay", dict(lr=0.01, weight_decay=0.1)),
        ("beta2_0.99_eps", dict(lr=0.01, betas=[0.8, 0.99], eps=1e-3)),
        ("beta2_0.6_never_rectified", dict(lr=0.005, betas=[0.9, 0.6])),
    ]),
}


def _make(cls, hyper):
    kwargs = {k: tuple(v) if k == "betas" else v for k, v in hyper.items()}
    return lambda params: cls(params, **kwargs, foreach=False)


def vectors():
    out = {}
    for seed_base, (name, (cls, defaults, cases)) in enumerate(TABLE.items()):
        built = []
        for j, (case_name, overrides) in enumerate(cases):
            hyper = {**defaults, **overrides}
            init, grads = inputs(1000 + 100 * seed_base + j)
            built.append(optimizer_case(f"{name}/{case_name}", name, _make(cls, hyper), hyper, init, grads))
        out[f"{name}.json"] = optimizer_file(name, defaults, built)
    return out
