"""Independent float64 reference of torch.optim.Muon (PyTorch 2.9, _single_tensor_muon and
_zeropower_via_newtonschulz), written from PyTorch's code in numpy. Writes test/vectors/muon.json.

PyTorch runs the Newton-Schulz iteration in bfloat16; this reference runs it in the parameter's
dtype (float64 for the trajectory, float32 for the drift run), as simdopt does in float32.
Run: python3 scripts/reference/muon.py
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import lerp, norm_item, run_shaped_case, write_path  # noqa: E402

DEFAULTS = {
    "lr": 1e-3,
    "weight_decay": 0.1,
    "momentum": 0.95,
    "nesterov": True,
    "ns_coefficients": [3.4445, -4.775, 2.0315],
    "eps": 1e-7,
    "ns_steps": 5,
    "adjust_lr_fn": None,
}


def zeropower(grad, coeffs, steps, eps, dtype):
    a, b, c = (dtype(x) for x in coeffs)
    x = grad.T if grad.shape[0] > grad.shape[1] else grad
    x = x / np.maximum(dtype(norm_item(x)), dtype(eps))
    for _ in range(steps):
        gram = x @ x.T
        update = b * gram + c * (gram @ gram)
        x = a * x + update @ x
    return x.T if grad.shape[0] > grad.shape[1] else x


def adjust_lr(lr, fn, shape):
    A, B = shape[:2]
    if fn is None or fn == "original":
        ratio = math.sqrt(max(1, A / B))
    elif fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(A, B))
    else:
        ratio = 1.0
    return lr * ratio


def step(p, g, state, h, dtype):
    if "momentum_buffer" not in state:
        state["momentum_buffer"] = np.zeros_like(g)
    mu = h["momentum"]
    buf = lerp(state["momentum_buffer"], g, 1 - mu, dtype)
    state["momentum_buffer"] = buf
    update = lerp(g, buf, mu, dtype) if h["nesterov"] else buf
    update = zeropower(update, h["ns_coefficients"], h["ns_steps"], h["eps"], dtype)
    lr = h["lr"]
    adjusted = adjust_lr(lr, h["adjust_lr_fn"], p.shape)
    p = p * dtype(1 - lr * h["weight_decay"])
    return p + update * dtype(-adjusted)


def final_state(s):
    return {"momentum_buffer": [float(x) for x in s["momentum_buffer"].reshape(-1)]}


def main():
    rng = np.random.default_rng(20261203)
    cases = []

    def case(name, shape, steps=12, **over):
        n = int(np.prod(shape))
        init = (rng.normal(size=n) * 0.5).tolist()
        grads = [(rng.normal(size=n) * (1 + 0.5 * np.cos(k))).tolist() for k in range(steps)]
        hyper = {**DEFAULTS, **over}
        cases.append(run_shaped_case(f"muon/{name}", "muon", hyper, tuple(shape), init, grads, step, final_state))

    case("wide_default", [5, 7], lr=0.02)
    case("tall_default", [7, 5], lr=0.02)
    case("square_plain_momentum", [6, 6], lr=0.02, nesterov=False)
    case("tall_original", [9, 4], lr=0.05, adjust_lr_fn="original", weight_decay=0.0)
    case("wide_match_rms_adamw", [3, 11], lr=0.01, adjust_lr_fn="match_rms_adamw")
    case("tall_match_rms_adamw_no_nesterov", [11, 3], lr=0.01, adjust_lr_fn="match_rms_adamw", nesterov=False, momentum=0.9)
    case("custom_ns", [4, 6], lr=0.03, ns_coefficients=[2.0, -1.5, 0.5], ns_steps=3, weight_decay=0.5)
    case("one_by_one", [1, 1], lr=0.1)
    case("row_vector_matrix", [1, 8], lr=0.1)
    out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "vectors", "muon.json")
    write_path(out, "muon", DEFAULTS, cases)
    print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
