"""ASGD trajectories from real PyTorch (torch.optim.ASGD), float64 and float32 runs.

Contract of scripts/torch-vectors.py: `vectors()` returns {file name: JSON content} for
test/vectors/torch/. `make_cases` (also used by rprop.py) is this family's trajectory runner: its
inputs come from torch.Generator, not _common.inputs, so the committed vectors stay as they are. torch 1.13's `_single_tensor_asgd` performs the
same operations in the same order as torch 2.x's (non-capturable path): η and μ are 0-dim tensors
of the default dtype in both, updated after the parameter and `ax`, so every configuration here
holds for both versions.
"""
import torch

from ._common import FORMAT_VERSION

N = 37
STEPS = 20


def torch_source():
    """What produced the vectors: Debian's package version where there is one (its torch reports
    `__version__` 1.13.0a0 for the 1.13.1 sources), else torch.__version__."""
    try:
        import subprocess
        deb = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'python3-torch'], capture_output=True, text=True, check=True).stdout
        upstream = deb.split('+')[0].split('-')[0]
        return f'torch {upstream} (Debian python3-torch {deb}, __version__ {torch.__version__})'
    except Exception:
        return f'torch {torch.__version__}'


SOURCE = torch_source()


def _init_and_grads(seed, steps, zero_every=0):
    g = torch.Generator().manual_seed(seed)
    init = (torch.rand(N, generator=g, dtype=torch.float64) * 4 - 2)
    grads = []
    for k in range(steps):
        x = torch.randn(N, generator=g, dtype=torch.float64)
        if zero_every:
            x[k % zero_every::zero_every] = 0.0
        grads.append(x)
    # round through float32 so both runs start from the same float32-representable values
    init = init.float().double()
    grads = [x.float().double() for x in grads]
    return init, grads


def run(cls, hyper, init, grads, dtype):
    torch.set_default_dtype(dtype)
    try:
        p = torch.nn.Parameter(init.clone().to(dtype))
        opt = cls([p], **hyper)
        traj = []
        for g in grads:
            p.grad = g.clone().to(dtype)
            opt.step()
            traj.append([float(v) for v in p.detach()])
        st = opt.state[p]
        final = {}
        for k, v in st.items():
            if torch.is_tensor(v) and v.dim() == 0:
                final[k] = float(v)
            elif torch.is_tensor(v):
                final[k] = [float(x) for x in v]
            else:
                final[k] = float(v)
        return traj, final
    finally:
        torch.set_default_dtype(torch.float32)


def make_cases(name, cls, defaults, configs, zero_every=0):
    cases = []
    for i, (cid, hyper) in enumerate(configs):
        h = dict(defaults)
        h.update(hyper)
        init, grads = _init_and_grads(1000 + 17 * i + len(name), STEPS, zero_every)
        exp64, final64 = run(cls, h, init, grads, torch.float64)
        exp32, _ = run(cls, h, init, grads, torch.float32)
        cases.append({
            'id': f'{name}/{cid}',
            'optimizer': name,
            'source': SOURCE,
            'hyper': h,
            'steps': STEPS,
            'init': [float(v) for v in init],
            'grads': [[float(v) for v in g] for g in grads],
            'expected': exp64,
            'expected_f32': exp32,
            'final_state': final64,
        })
    return cases


DEFAULTS = {'lr': 1e-2, 'lambd': 1e-4, 'alpha': 0.75, 't0': 1e6, 'weight_decay': 0.0, 'maximize': False}

CONFIGS = [
    ('default', {}),
    ('averaging', {'t0': 4.0, 'lr': 0.05}),
    ('strong-decay', {'lambd': 0.5, 'lr': 0.1, 'alpha': 0.6, 't0': 2.0}),
    ('weight-decay', {'weight_decay': 0.1, 'lr': 0.05, 't0': 8.0}),
    ('maximize', {'maximize': True, 'lr': 0.03, 't0': 0.0}),
]


def vectors():
    return {'asgd.json': {
        'format_version': FORMAT_VERSION,
        'source': SOURCE,
        'optimizer': 'asgd',
        'defaults': DEFAULTS,
        'cases': make_cases('asgd', torch.optim.ASGD, DEFAULTS, CONFIGS),
    }}

