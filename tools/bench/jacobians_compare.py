#!/usr/bin/env python3
"""Jacobians and a Hessian, Nabla vs PyTorch (issue #14: jacrev and jacfwd as vmap of the VJP/JVP).

    ./mvnw -q install -Dmaven.test.skip=true                 # builds nabla-bench/target/benchmarks.jar
    /usr/bin/python3 tools/bench/jacobians_compare.py          # 3 alternating rounds, about a minute

f(x) = exp(tanh(W x) * (W sin x)), W [300, 200] with W[i, j] = 0.1 sin(i*200 + j), x[j] = cos(j),
float32, on both sides: Nabla's Autograd.jacrev, jacfwd and hessian (of sum f) from
nabla.bench.Jacobians, PyTorch's torch.autograd.functional.jacobian (vectorize=True, reverse and
forward-mode strategies) and hessian (vectorize=True). Each side runs in its own process, the sides
alternate from round to round, and the table gives the median of each side's medians. PyTorch's
environment is pinned as in compare.py (2 threads, OMP_WAIT_POLICY=PASSIVE, OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE removed). The sums of the results are compared as a check. Nothing asserts a
timing: it measures and reports.
"""

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import find_java, find_torch_python, log, lscpu  # noqa: E402
from train_compare import median_per_call, run_json  # noqa: E402  (shared with the epochs)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JAR = os.path.join(ROOT, "nabla-bench", "target", "benchmarks.jar")
NAMES = ["jacrev [300, 200]", "jacfwd [300, 200]", "hessian [200, 200]"]


def torch_worker(threads):
    import math
    import torch
    from torch.autograd.functional import hessian, jacobian
    torch.set_num_threads(threads)
    m, n = 300, 200
    w = torch.tensor([0.1 * math.sin(i) for i in range(m * n)], dtype=torch.float64)
    w = w.reshape(m, n).float()
    x = torch.tensor([math.cos(j) for j in range(n)], dtype=torch.float64).float()

    def f(t):
        return torch.exp(torch.tanh(w @ t) * (w @ torch.sin(t)))

    def s(t):
        return f(t).sum()

    ops = {
        NAMES[0]: lambda: jacobian(f, x, vectorize=True),
        NAMES[1]: lambda: jacobian(f, x, vectorize=True, strategy="forward-mode"),
        NAMES[2]: lambda: hessian(s, x, vectorize=True),
    }
    results = {name: median_per_call(op) for name, op in ops.items()}
    checks = {"jacrev sum": ops[NAMES[0]]().sum().item(), "jacfwd sum": ops[NAMES[1]]().sum().item(),
              "hessian sum": ops[NAMES[2]]().sum().item()}
    print(json.dumps({"side": "torch", "results": results, "checks": checks,
                      "torch": torch.__version__}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--java", default=None)
    ap.add_argument("--jar", default=JAR)
    ap.add_argument("--python", default=None, help="Python with torch (default /usr/bin/python3)")
    ap.add_argument("--out", default=None, help="also write the markdown table to this file")
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_worker:
        torch_worker(args.threads)
        return 0
    if not os.path.exists(args.jar):
        log(f"{args.jar} is missing: build it with ./mvnw -q install -Dmaven.test.skip=true")
        return 1
    java = find_java(args.java)
    py = find_torch_python(args.python)
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(k, None)
    t = str(args.threads)
    env.update(OMP_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t, MKL_NUM_THREADS=t,
               OMP_WAIT_POLICY="PASSIVE")
    runs = {"torch": [], "nabla": []}
    checks = {}
    for r in range(args.rounds):
        for side in (("torch", "nabla") if r % 2 == 0 else ("nabla", "torch")):
            if side == "torch":
                cmd = [py, os.path.abspath(__file__), "--torch-worker", "--threads", t]
            else:
                cmd = [java, "--add-modules", "jdk.incubator.vector", f"-Dnabla.threads={t}",
                       "-cp", args.jar, "nabla.bench.Jacobians"]
            out = run_json(cmd, env, f"round {r + 1}/{args.rounds} {side}")
            if out is not None:
                runs[side].append(out["results"])
                checks[side] = out["checks"]
    lines = [f"Jacobians of f(x) = exp(tanh(W x) * (W sin x)), W [300, 200], float32, µs per call; "
             f"median over {args.rounds} alternating process(es) of each side's medians; "
             f"{args.threads} threads each; PyTorch: torch.autograd.functional with vectorize=True",
             "", "| what | PyTorch | Nabla | PyTorch / Nabla |", "|---|---:|---:|---:|"]
    for n in NAMES:
        tv = statistics.median(x[n] for x in runs["torch"]) if runs["torch"] else None
        nv = statistics.median(x[n] for x in runs["nabla"]) if runs["nabla"] else None
        lines.append(f"| {n} | {tv * 1e6:.0f} | {nv * 1e6:.0f} | {tv / nv:.2f}× |" if tv and nv
                     else f"| {n} | {tv} | {nv} | — |")
    lines.append("")
    for k in ("jacrev sum", "jacfwd sum", "hessian sum"):
        a = checks.get("torch", {}).get(k)
        b = checks.get("nabla", {}).get(k)
        ok = a is not None and b is not None and abs(a - b) <= 1e-3 * max(1.0, abs(a))
        lines.append(f"- check {k}: PyTorch {a}, Nabla {b} {'✓' if ok else '✗'}")
    lines.append(f"- CPU: {lscpu().get('Model name', '?')}; load average after "
                 f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    report = "\n".join(lines)
    print(report)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
