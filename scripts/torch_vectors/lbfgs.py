"""L-BFGS runs from real PyTorch (torch.optim.LBFGS), float64 and float32, on deterministic
objectives the tests recompute: a quadratic ½xᵀAx − bᵀx with a fixed SPD matrix A (recorded in the
case) and the chained Rosenbrock function Σ 100(x_{i+1} − x_i²)² + (1 − x_i)². The parameters are
two tensors (sizes in `param_sizes`) concatenated into x in order, so the flat-vector handling is
exercised. Each case calls `step(closure)` `steps` times; `expected[k]` is x after call k and
`losses[k]` what that call returned. torch 1.13's lbfgs.py and torch 2.x's perform the same
algorithm (same line search, same stopping rules), so every case holds for both.
"""
import torch

from ._common import FORMAT_VERSION
from .asgd import SOURCE



def quadratic(n, seed, cond=20.0):
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=g, dtype=torch.float64))
    eig = torch.logspace(0, torch.log10(torch.tensor(cond)).item(), n, dtype=torch.float64)
    a = (q * eig) @ q.T
    a = (a + a.T) / 2
    a = a.float().double()  # float32-representable entries
    b = torch.randn(n, generator=g, dtype=torch.float64).float().double()
    return {'kind': 'quadratic', 'A': a.tolist(), 'b': b.tolist()}


def objective_value(obj, x):
    if obj['kind'] == 'quadratic':
        a = torch.tensor(obj['A'], dtype=x.dtype)
        b = torch.tensor(obj['b'], dtype=x.dtype)
        return 0.5 * x @ (a @ x) - b @ x
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def run(hyper, obj, sizes, init, steps, dtype):
    params = []
    off = 0
    for s in sizes:
        params.append(torch.nn.Parameter(torch.tensor(init[off:off + s], dtype=dtype)))
        off += s
    opt = torch.optim.LBFGS(params, **hyper)

    def closure():
        opt.zero_grad()
        x = torch.cat([p.view(-1) for p in params])
        loss = objective_value(obj, x)
        loss.backward()
        return loss

    traj, losses = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure)))
        traj.append([float(v) for p in params for v in p.detach()])
    st = opt.state[params[0]]
    final = {'func_evals': st['func_evals'], 'n_iter': st['n_iter']}
    if 'old_dirs' in st:
        final['history'] = len(st['old_dirs'])
        final['t'] = float(st['t'])
        final['H_diag'] = float(st['H_diag'])
        final['prev_loss'] = float(st['prev_loss'])
    return traj, losses, final


DEFAULTS = {'lr': 1, 'max_iter': 20, 'max_eval': 25, 'tolerance_grad': 1e-7, 'tolerance_change': 1e-9,
            'history_size': 100, 'line_search_fn': None}


def cases():
    quad = quadratic(10, 7)
    rosen = {'kind': 'rosenbrock'}
    g = torch.Generator().manual_seed(11)
    x_quad = (torch.randn(10, generator=g, dtype=torch.float64)).float().double().tolist()
    x_rosen = torch.tensor([-1.2, 1.0, -0.5, 0.8, 1.3, 0.7]).double().tolist()  # float32 values
    configs = [
        # (id, hyper, objective, sizes, init, steps)
        ('quadratic-fixed', {'lr': 0.5, 'max_iter': 4}, quad, [7, 3], x_quad, 3),
        ('quadratic-short-history', {'lr': 0.8, 'max_iter': 5, 'history_size': 2}, quad, [7, 3], x_quad, 3),
        ('quadratic-wolfe', {'max_iter': 4, 'line_search_fn': 'strong_wolfe'}, quad, [7, 3], x_quad, 3),
        ('rosenbrock-fixed', {'lr': 0.1, 'max_iter': 5}, rosen, [4, 2], x_rosen, 3),
        ('rosenbrock-wolfe', {'max_iter': 6, 'line_search_fn': 'strong_wolfe', 'history_size': 5}, rosen, [4, 2], x_rosen, 3),
        ('rosenbrock-wolfe-maxeval', {'max_iter': 10, 'max_eval': 7, 'line_search_fn': 'strong_wolfe'}, rosen, [4, 2], x_rosen, 2),
    ]
    out = []
    for cid, hyper, obj, sizes, init, steps in configs:
        h = dict(DEFAULTS)
        h.update(hyper)
        if 'max_eval' not in hyper:
            h['max_eval'] = h['max_iter'] * 5 // 4
        exp64, loss64, final64 = run(h, obj, sizes, init, steps, torch.float64)
        exp32, loss32, _ = run(h, obj, sizes, init, steps, torch.float32)
        out.append({
            'id': f'lbfgs/{cid}', 'optimizer': 'lbfgs', 'source': SOURCE, 'hyper': h,
            'objective': obj, 'param_sizes': sizes, 'steps': steps, 'init': init,
            'expected': exp64, 'expected_f32': exp32, 'losses': loss64, 'losses_f32': loss32,
            'final_state': final64,
        })
    return out


def vectors():
    return {'lbfgs.json': {'format_version': FORMAT_VERSION, 'source': SOURCE, 'optimizer': 'lbfgs', 'defaults': DEFAULTS, 'cases': cases()}}

