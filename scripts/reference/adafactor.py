"""Independent float64 reference of torch.optim.Adafactor (PyTorch 2.5, _single_tensor_adafactor),
written from PyTorch's code in numpy. Writes test/vectors/adafactor.json.

The parameters are float32 in simdopt, so eps1=None means torch.finfo(torch.float32).eps in both
the float64 trajectory and the float32 drift run (PyTorch uses the parameter dtype's epsilon).
Run: python3 scripts/reference/adafactor.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import FLOAT32_EPS, lerp, norm_item, run_shaped_case, write_path  # noqa: E402

DEFAULTS = {"lr": 1e-2, "beta2_decay": -0.8, "eps": [None, 1e-3], "d": 1.0, "weight_decay": 0.0, "maximize": False}


def step(p, g, state, h, dtype):
    grad = -g if h["maximize"] else g
    eps1, eps2 = h["eps"]
    if eps1 is None:
        eps1 = FLOAT32_EPS
    lr, wd, d = h["lr"], h["weight_decay"], h["d"]
    if not state:
        state["step"] = 0.0
        if grad.ndim > 1:
            state["row_var"] = np.zeros(grad.shape[:-1] + (1,), dtype=dtype)
            state["col_var"] = np.zeros(grad.shape[:-2] + (1,) + grad.shape[-1:], dtype=dtype)
        else:
            state["variance"] = np.zeros_like(grad)
    state["step"] += 1
    t = state["step"]
    one_minus_beta2_t = t ** h["beta2_decay"]
    rho_t = min(lr, 1 / (t**0.5))
    alpha = max(eps2, norm_item(p) / (p.size**0.5)) * rho_t
    if wd != 0:
        p = p * dtype(1 - lr * wd)
    if grad.ndim > 1:
        row_mean = np.square(np.sqrt(np.sum(grad * grad, axis=-1, keepdims=True, dtype=dtype))) / dtype(grad.shape[-1])
        state["row_var"] = lerp(state["row_var"], row_mean, one_minus_beta2_t, dtype)
        col_mean = np.square(np.sqrt(np.sum(grad * grad, axis=-2, keepdims=True, dtype=dtype))) / dtype(grad.shape[-2])
        state["col_var"] = lerp(state["col_var"], col_mean, one_minus_beta2_t, dtype)
        var_estimate = state["row_var"] @ state["col_var"]
        var_estimate = var_estimate / np.maximum(state["row_var"].mean(axis=-2, keepdims=True, dtype=dtype), dtype(eps1))
    else:
        state["variance"] = lerp(state["variance"], grad * grad, one_minus_beta2_t, dtype)
        var_estimate = state["variance"].copy()
    update = dtype(1) / np.sqrt(np.maximum(var_estimate, dtype(eps1 * eps1)))
    update = update * grad
    denom = max(1.0, norm_item(update) / ((update.size**0.5) * d))
    return p + update * dtype(-alpha / denom)


def final_state(s):
    out = {"step": s["step"]}
    for k in ("row_var", "col_var", "variance"):
        if k in s:
            out[k] = [float(x) for x in s[k].reshape(-1)]
    return out


def main():
    rng = np.random.default_rng(20261202)
    cases = []

    def case(name, shape, steps=20, grad_scale=1.0, zero_first=False, zero_lines=False, **over):
        n = int(np.prod(shape))
        init = rng.normal(size=n).tolist()
        grads = []
        for k in range(steps):
            g = rng.normal(size=shape) * grad_scale * (1 + 0.5 * np.sin(k))
            if zero_lines and len(shape) >= 2:
                g[..., 1, :] = 0  # a zero row: its row factor decays towards 0
                g[..., :, 0] = 0  # a zero column
            if zero_first and k == 0:
                g[...] = 0  # every factor 0: the mean clamps to eps1, V to eps1²
            grads.append(g.reshape(-1).tolist())
        hyper = {**DEFAULTS, **over}
        cases.append(run_shaped_case(f"adafactor/{name}", "adafactor", hyper, tuple(shape), init, grads, step, final_state))

    case("matrix_default", [5, 7])
    case("vector_default", [37])
    case("tensor3d", [2, 3, 5])
    case("wide_row", [1, 9])
    case("tall_column", [9, 1])
    case("eps1_given_zero_lines", [6, 7], eps=[1e-3, 1e-3], zero_lines=True, zero_first=True)
    case("eps1_none_zero_first_vector", [37], zero_first=True, grad_scale=1e-4)
    case("weight_decay_lr_cap", [5, 7], lr=0.5, weight_decay=0.1)
    case("maximize_no_clip", [4, 9], maximize=True, d=4.0, beta2_decay=-0.5)
    case("vector_weight_decay_maximize", [37], weight_decay=0.05, maximize=True, lr=0.1, eps=[1e-30, 1e-2])
    out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "vectors", "adafactor.json")
    write_path(out, "adafactor", DEFAULTS, cases)
    print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
