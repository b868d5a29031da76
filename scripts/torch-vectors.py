#!/usr/bin/env python3
"""Regenerates test/vectors/torch/*.json from real PyTorch runs (Debian python3-torch 1.13).

Run with the Python that has torch: `/usr/bin/python3 scripts/torch-vectors.py [module ...]`.
Every module scripts/torch_vectors/<name>.py (names starting with `_` are helpers) defines
`vectors() -> dict[str, dict]`, file name → JSON content; this driver writes each to
test/vectors/torch/<file name>. Without arguments every module runs; with arguments only those.
Shared run loop: scripts/torch_vectors/_common.py. Format and tolerance: test/vectors/torch/README.md.
"""
import importlib
import json
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent / "test" / "vectors" / "torch"


def main(argv):
    sys.path.insert(0, str(HERE))
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    names = argv or sorted(p.stem for p in (HERE / "torch_vectors").glob("*.py") if not p.stem.startswith("_"))
    OUT.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in names:
        module = importlib.import_module(f"torch_vectors.{name}")
        for file_name, content in module.vectors().items():
            if file_name in written:
                raise SystemExit(f"{file_name} produced by both {written[file_name]} and {name}")
            written[file_name] = name
            text = json.dumps(content, separators=(",", ":"), allow_nan=False)
            (OUT / file_name).write_text(text + "\n")
            cases = len(content.get("cases", []))
            print(f"{name}: {file_name} ({cases} cases)")


if __name__ == "__main__":
    main(sys.argv[1:])
