"""Shared pieces of the independent numpy references (float64 trajectories, float32 drift)."""
import json
import math

import numpy as np

FLOAT32_EPS = float(np.finfo(np.float32).eps)


def lerp(a, b, w, dtype):
    """torch.lerp as ATen's CPU kernel computes it (weight rounded to the tensor's dtype)."""
    w = dtype(w)
    if abs(w) < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (dtype(1) - w)


def norm_item(x):
    """x.norm(2).item(): the norm in the tensor's dtype, returned as a Python float."""
    return float(np.sqrt(np.sum(np.square(x, dtype=x.dtype), dtype=x.dtype)))


def run_case(case_id, optimizer, hyper, shape, init, grads, step_fn, state_fn):
    """The float64 trajectory and, per step, the float32 run's largest deviation from it."""
    runs = {}
    for dtype in (np.float64, np.float32):
        p = np.array(init, dtype=dtype).reshape(shape)
        state = {}
        traj = []
        for g in grads:
            p = step_fn(p, np.array(g, dtype=dtype).reshape(shape), state, hyper, dtype)
            traj.append(p.reshape(-1).astype(np.float64))
        runs[dtype] = (traj, state)
    traj64, state64 = runs[np.float64]
    traj32, _ = runs[np.float32]
    return {
        "id": case_id,
        "optimizer": optimizer,
        "hyper": hyper,
        "dtype": "float64",
        "steps": len(grads),
        "shape": list(shape),
        "init": [float(x) for x in init],
        "grads": [[float(x) for x in g] for g in grads],
        "expected": [[float(x) for x in t] for t in traj64],
        "final_state": state_fn(state64),
        "f32_max_abs_diff": [float(np.max(np.abs(a - b), initial=0.0)) for a, b in zip(traj64, traj32)],
    }


def write(path, optimizer, defaults, cases):
    with open(path, "w") as f:
        json.dump({"format_version": 1, "optimizer": optimizer, "defaults": defaults, "cases": cases}, f)
        f.write("\n")


def sqrt(x):
    return math.sqrt(x)
