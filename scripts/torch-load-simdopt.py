"""simdopt -> PyTorch: loads simdopt's `stateDict({ format: 'torch' })` into PyTorch and continues.

For every case of test/vectors/torch/state_dicts.json, simdopt runs the first k steps
(scripts/torch-export-simdopt.ts) and exports its state in PyTorch's layout; here PyTorch loads it
with `optimizer.load_state_dict` over parameters holding simdopt's values, runs the remaining m
steps with the same gradients and is compared with PyTorch's own uninterrupted run. Not part of
`npm test` (it needs PyTorch):
    /usr/bin/python3 scripts/torch-load-simdopt.py
The few lines a user needs are `load` below.
"""
import json
import os
import subprocess
import sys

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def load(optimizer, state_dict):
    """What a user writes: JSON from simdopt -> tensors -> load_state_dict."""
    for entry in state_dict['state'].values():
        for name, value in entry.items():
            entry[name] = torch.tensor(value, dtype=torch.float32)
    state_dict['state'] = {int(k): v for k, v in state_dict['state'].items()}
    optimizer.load_state_dict(state_dict)


def main():
    with open(os.path.join(ROOT, 'test', 'vectors', 'torch', 'state_dicts.json')) as f:
        cases = json.load(f)['cases']
    exported = json.loads(subprocess.run(
        ['node', '--import', 'tsx', os.path.join(ROOT, 'scripts', 'torch-export-simdopt.ts')],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    worst_all = 0.0
    for case in cases:
        mine = exported[case['id']]
        values = iter(mine['params'])
        groups = [[torch.nn.Parameter(torch.tensor(next(values), dtype=torch.float32).reshape(s)) for s in shapes]
                  for shapes in case['shapes']]
        cls = getattr(torch.optim, case['optimizer'])
        options = case['options']
        if len(groups) == 1:
            opt = cls(groups[0], **options)
        else:
            opt = cls([{'params': g} for g in groups], **options)
        load(opt, mine['state_dict'])
        flat = [p for g in groups for p in g]
        for t in range(case['k'], case['k'] + case['m']):
            for p, g in zip(flat, case['grads'][t]):
                p.grad = torch.tensor(g, dtype=torch.float32)
            opt.step()
        worst = max(float((p.detach() - torch.tensor(e)).abs().max()) for p, e in zip(flat, case['expected']))
        scale = max(float(torch.tensor(e).abs().max()) for e in case['expected'])
        worst_all = max(worst_all, worst / scale)
        print(f"{case['id']:28s} max |PyTorch after simdopt's dict - PyTorch uninterrupted| = {worst:.3e} (values up to {scale:.2f})")
    print(f'worst relative to the largest value: {worst_all:.3e}')
    return 0 if worst_all < 1e-5 else 1


if __name__ == '__main__':
    sys.exit(main())
