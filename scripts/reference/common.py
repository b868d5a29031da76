"""Shared pieces of the float64 reference generators: inputs, the float32 drift run, the JSON layout.

Each generator implements its optimizer once, generic over the numpy dtype, following the
reference implementation's code line by line; `run_case` runs it in float64 (the expected
trajectory) and in float32 (the drift a float32 implementation shows), and writes the case in the
layout of test/vectors/adam.json.

Two drivers share the layout: `run_case` (flat parameters, an optimizer object; adopt, lamb,
schedulefree; prodigy takes its constants) and `run_shaped_case` (a parameter of any shape, a step
function; adafactor, muon). `lerp` and `norm_item` reproduce torch's kernels in any dtype.
"""
import json
import os

import numpy as np

FLOAT32_EPS = float(np.finfo(np.float32).eps)

N = 37  # deliberately not a multiple of 4 or 8
STEPS = 20
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'vectors')


def inputs(seed, scale=1.0):
    """Initial values (one exact 0, one tiny) and open-loop gradients (a few exact zeros)."""
    rng = np.random.default_rng(seed)
    init = rng.standard_normal(N) * scale
    init[0] = 0.0
    init[-1] = 1e-3
    grads = []
    for _ in range(STEPS):
        g = rng.standard_normal(N) * np.exp(rng.standard_normal(N))
        g[rng.integers(0, N, 2)] = 0.0
        grads.append(g)
    return init, grads


# The random inputs are data: drawn once, then read back from the committed file, because
# numpy's exp (in `inputs`) is not correctly rounded and moves by an ulp between numpy builds.
# FRESH_INPUTS=1 draws them anew (only when adding or changing cases).
FRESH = os.environ.get('FRESH_INPUTS') == '1'
_committed = {}


def committed_inputs(optimizer, case_id):
    """`(init, grads)` of case `case_id` in the committed test/vectors/<optimizer>.json, or None."""
    if optimizer not in _committed:
        path = os.path.join(OUT, f'{optimizer}.json')
        cases = {}
        if os.path.exists(path):
            with open(path) as f:
                cases = {c['id']: c for c in json.load(f)['cases']}
        _committed[optimizer] = cases
    c = _committed[optimizer].get(case_id)
    return None if c is None else (np.array(c['init']), [np.array(g) for g in c['grads']])


def run_case(case_id, optimizer, hyper, make, init, grads, steps=STEPS, extra=None):
    """`make(dtype)` returns an object with `step(p, g)` (in place) and `state()`.

    `extra(opt, k, p)` may act between steps (Schedule-Free's train/eval) and returns the
    parameter values to record after step k. `init` and `grads` give way to the committed
    file's inputs for the same case id unless FRESH_INPUTS=1.
    """
    kept = None if FRESH else committed_inputs(optimizer, case_id)
    if kept is not None:
        init, grads = kept
    runs = {}
    for dtype in (np.float64, np.float32):
        opt = make(dtype)
        p = np.array(init, dtype=dtype)
        traj = []
        for k in range(steps):
            opt.step(p, np.array(grads[k], dtype=dtype))
            traj.append((extra(opt, k, p) if extra else p).astype(np.float64).copy())
        runs[dtype] = (traj, opt.state())
    traj64, state64 = runs[np.float64]
    traj32, _ = runs[np.float32]
    return {
        'id': case_id,
        'optimizer': optimizer,
        'hyper': hyper,
        'dtype': 'float64',
        'steps': steps,
        'init': [float(x) for x in init],
        'grads': [[float(x) for x in g] for g in grads[:steps]],
        'expected': [[float(x) for x in t] for t in traj64],
        'final_state': {k: (float(v) if np.isscalar(v) else [float(x) for x in v]) for k, v in state64.items()},
        'f32_max_abs_diff': [float(np.max(np.abs(a - b))) for a, b in zip(traj64, traj32)],
    }


def write(optimizer, defaults, cases):
    path = os.path.join(OUT, f'{optimizer}.json')
    with open(path, 'w') as f:
        json.dump({'format_version': 1, 'optimizer': optimizer, 'defaults': defaults, 'cases': cases}, f)
    print(f'{path}: {len(cases)} cases')


def lerp(a, b, w, dtype):
    """torch.lerp as ATen's CPU kernel computes it (weight rounded to the tensor's dtype)."""
    w = dtype(w)
    if abs(w) < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (dtype(1) - w)


def norm_item(x):
    """x.norm(2).item(): the norm in the tensor's dtype, returned as a Python float."""
    return float(np.sqrt(np.sum(np.square(x, dtype=x.dtype), dtype=x.dtype)))


def run_shaped_case(case_id, optimizer, hyper, shape, init, grads, step_fn, state_fn):
    """The float64 trajectory of a parameter of `shape` and, per step, the float32 run's largest
    deviation from it. `step_fn(p, g, state, hyper, dtype)` returns the new p; `state_fn(state)`
    the final state as JSON (the case records `shape`)."""
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


def write_path(path, optimizer, defaults, cases):
    """`write` to an explicit path, ending the file with a newline (adafactor.json, muon.json)."""
    with open(path, "w") as f:
        json.dump({"format_version": 1, "optimizer": optimizer, "defaults": defaults, "cases": cases}, f)
        f.write("\n")
