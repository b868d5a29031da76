"""Shared run loop for the modules of scripts/torch-vectors.py (real PyTorch → test/vectors/torch).

Every module in this package defines ``vectors() -> dict[str, dict]`` (file name → JSON content);
the driver writes each entry to ``test/vectors/torch/<name>``. This module holds what they share:

``SOURCE``
    The ``"source"`` string every file carries (the Debian python3-torch release).
``inputs(seed, n=37, steps=20, scale=1.0) -> (init, grads)``
    Deterministic float64 inputs (numpy ``RandomState(seed)``): ``init`` of ``n`` values with
    ``init[0] = 0``; ``grads`` of ``steps`` gradients whose magnitudes span 1e-3..5 and that hold
    exact zeros at two fixed indices (so weight decay and moving averages act on zero gradients).
    ``n = 37`` is not a multiple of 4 or 8, so SIMD bodies and tails are both exercised.
``run(make, init, grads, dtype) -> (trajectory, final_state)``
    Builds ``make([param])`` on one ``dtype`` parameter, then for each gradient sets ``.grad``,
    calls ``step()`` and records the parameter. ``final_state`` is the optimizer's state of that
    parameter as JSON (tensors → lists of floats, 0-dim tensors → numbers; ``step`` → int;
    entries that are ``None`` are dropped, as 1.13's SGD stores ``momentum_buffer = None``).
    ``torch.set_default_dtype(dtype)`` is in force during the run, so PyTorch's 0-dim state
    (step, NAdam's mu_product) follows the run's precision as well.
``optimizer_case(case_id, optimizer, make, hyper, init, grads) -> dict``
    One case in the layout of test/vectors/<opt>.json: ``run`` twice, in float64 (``expected``,
    ``final_state``) and in float32 (``expected_f32``: the same computation in PyTorch's float32,
    inputs rounded to float32 first), plus ``f32_max_abs_diff`` per step (max over elements of
    ``|expected_f32 − expected|``), which is what the test tolerance is built from.
``optimizer_file(optimizer, defaults, cases) -> dict``
    The file object: ``format_version``, ``source``, ``optimizer``, ``defaults``, ``cases``.
``as_json(x)``
    Tensors, numpy values and nested containers → plain JSON values.
"""
from __future__ import annotations

import numpy as np
import torch

SOURCE = "torch 1.13.1"
FORMAT_VERSION = 1


def as_json(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().to(torch.float64)
        return x.item() if x.dim() == 0 else x.reshape(-1).tolist()
    if isinstance(x, np.ndarray):
        return x.astype(np.float64).tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, (list, tuple)):
        return [as_json(v) for v in x]
    if isinstance(x, dict):
        return {k: as_json(v) for k, v in x.items()}
    return x


def inputs(seed: int, n: int = 37, steps: int = 20, scale: float = 1.0):
    rng = np.random.RandomState(seed)
    init = rng.standard_normal(n)
    init[0] = 0.0
    grads = []
    for _ in range(steps):
        g = rng.standard_normal(n) * np.exp(rng.uniform(np.log(1e-3), np.log(5.0), n)) * scale
        g[5] = 0.0
        g[11] = 0.0
        grads.append(g)
    return init.tolist(), [g.tolist() for g in grads]


def run(make, init, grads, dtype):
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        p = torch.nn.Parameter(torch.tensor(init, dtype=dtype))
        opt = make([p])
        trajectory = []
        for g in grads:
            p.grad = torch.tensor(g, dtype=dtype)
            opt.step()
            trajectory.append(as_json(p))
        state = {}
        for name, value in opt.state[p].items():
            if value is None:  # 1.13's SGD stores momentum_buffer = None without momentum
                continue
            state[name] = int(as_json(value)) if name == "step" else as_json(value)
        return trajectory, state
    finally:
        torch.set_default_dtype(previous)


def optimizer_case(case_id, optimizer, make, hyper, init, grads):
    expected, final_state = run(make, init, grads, torch.float64)
    expected_f32, _ = run(make, init, grads, torch.float32)
    drift = [max(abs(a - b) for a, b in zip(x, y)) for x, y in zip(expected_f32, expected)]
    return {
        "id": case_id,
        "optimizer": optimizer,
        "source": SOURCE,
        "hyper": hyper,
        "dtype": "float64",
        "torch_default_dtype": "float64",
        "steps": len(grads),
        "init": init,
        "objective": None,
        "grads": grads,
        "expected": expected,
        "expected_f32": expected_f32,
        "final_state": final_state,
        "f32_max_abs_diff": drift,
    }


def optimizer_file(optimizer, defaults, cases):
    return {
        "format_version": FORMAT_VERSION,
        "source": SOURCE,
        "optimizer": optimizer,
        "defaults": defaults,
        "cases": cases,
    }
