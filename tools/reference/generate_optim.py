#!/usr/bin/env python3
"""Generate PyTorch reference values for five optimiser steps on fixed gradients (float64).

Regenerate (from the repository root, with the system Python that has PyTorch, Debian's
python3-torch 1.13):

    /usr/bin/python3 tools/reference/generate_optim.py

Output: nabla-nn/src/test/resources/nabla/reference/optim.json, read by
nabla-nn/src/test/java/nabla/optim/OptimizerReferenceTest.java (the Java tests never need
PyTorch).

Format:
    {"torch_version": "...", "steps": 5,
     "cases": [{"name": "sgd/momentum", "optimizer": "SGD", "lr": 0.1,
                "options": {"momentum": 0.9, ...},
                "group": null | {"params": [1], "lr": ..., "weight_decay": ...},  # own settings
                "params": [T, ...],            # initial values
                "grads": [[T, ...], ...],      # per step, per parameter
                "expected": [[T, ...], ...]}], # parameter values after each step
     "schedules": [{"name": "step"|"cosine"|"linear", "lr": 0.1, "options": {...},
                    "lrs": [lr of epoch 0, ..., lr of epoch 12]}]}
    T = {"shape": [...], "data": [...]} (flat row-major float64)

The gradients are fixed (drawn once from random.Random seeded per case name), so the test
checks the update rule alone, not backward. Step 2's gradients are three times larger and
step 4's are zero, so momentum buffers and AMSGrad's running maximum both matter.
"""

import json
import os
import random
import zlib

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "nabla-nn", "src", "test", "resources", "nabla", "reference", "optim.json")
STEPS = 5
SHAPES = [[2, 3], [3]]

CASES = [
    ("sgd/plain", "SGD", 0.1, {}),
    ("sgd/momentum", "SGD", 0.05, {"momentum": 0.9}),
    ("sgd/momentum_dampening", "SGD", 0.05, {"momentum": 0.8, "dampening": 0.3}),
    ("sgd/nesterov", "SGD", 0.05, {"momentum": 0.9, "nesterov": True}),
    ("sgd/weight_decay", "SGD", 0.1, {"weight_decay": 0.1}),
    ("sgd/momentum_weight_decay_nesterov", "SGD", 0.03,
     {"momentum": 0.7, "weight_decay": 0.05, "nesterov": True}),
    ("adam/default", "Adam", 0.01, {}),
    ("adam/betas_eps", "Adam", 0.1, {"betas": [0.8, 0.99], "eps": 1e-3}),
    ("adam/weight_decay", "Adam", 0.01, {"weight_decay": 0.1}),
    ("adam/amsgrad", "Adam", 0.05, {"amsgrad": True}),
    ("adamw/default", "AdamW", 0.01, {}),
    ("adamw/weight_decay_amsgrad", "AdamW", 0.05, {"weight_decay": 0.2, "amsgrad": True}),
    # parameter 1 in a group of its own settings (PyTorch's param groups)
    ("sgd/param_groups", "SGD", 0.05, {"momentum": 0.9, "weight_decay": 0.01},
     {"lr": 0.2, "weight_decay": 0.3}),
    ("adamw/param_groups", "AdamW", 0.01, {}, {"weight_decay": 0.0}),
    ("adam/param_groups", "Adam", 0.01, {"weight_decay": 0.05}, {"lr": 0.1}),
]


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def make_case(name, kind, lr, options, group=None):
    rng = random.Random(zlib.crc32(name.encode()))
    params = [torch.tensor([rng.uniform(-2, 2) for _ in range(int(torch.tensor(s).prod()))],
                           dtype=torch.float64).reshape(s).requires_grad_(True) for s in SHAPES]
    grads = []
    for step in range(STEPS):
        scale = 0.0 if step == 3 else (3.0 if step == 1 else 1.0)  # a big step, then a zero one
        grads.append([torch.tensor([scale * rng.gauss(0, 1) for _ in range(p.numel())],
                                   dtype=torch.float64).reshape(p.shape) for p in params])
    kwargs = dict(options)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    if group is None:
        opt = getattr(torch.optim, kind)(params, lr=lr, **kwargs)
    else:
        opt = getattr(torch.optim, kind)([{"params": [params[0]]},
                                          dict(params=[params[1]], **group)], lr=lr, **kwargs)
    initial = [tensor_json(p) for p in params]
    expected = []
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = g.clone()
        opt.step()
        expected.append([tensor_json(p) for p in params])
    return {"name": name, "optimizer": kind, "lr": lr, "options": options,
            "group": {"params": [1], **group} if group is not None else None, "params": initial,
            "grads": [[tensor_json(g) for g in gs] for gs in grads], "expected": expected}


SCHEDULES = [
    ("step", {"step_size": 3, "gamma": 0.5}),
    ("cosine", {"T_max": 10, "eta_min": 0.001}),
    ("linear", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 4}),
]
EPOCHS = 12


def make_schedule(kind, options):
    """Learning rates of epochs 0..EPOCHS under a schedule, starting from lr 0.1."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    cls = {"step": torch.optim.lr_scheduler.StepLR,
           "cosine": torch.optim.lr_scheduler.CosineAnnealingLR,
           "linear": torch.optim.lr_scheduler.LinearLR}[kind]
    sched = cls(opt, **options)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(EPOCHS):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return {"name": kind, "lr": 0.1, "options": options, "lrs": lrs}


def main():
    torch.set_num_threads(1)
    data = {"torch_version": torch.__version__, "steps": STEPS,
            "cases": [make_case(*c) for c in CASES],
            "schedules": [make_schedule(*s) for s in SCHEDULES]}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("wrote", OUT, len(data["cases"]), "cases")


if __name__ == "__main__":
    main()
