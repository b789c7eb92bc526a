#!/usr/bin/env python3
"""Seconds per training epoch, Nabla vs PyTorch: D2L softmax regression and MLP on Fashion-MNIST.

Issue #10 asks for "seconds per epoch for softmax and MLP measured side by side with PyTorch (same
data in memory, same batch order policy, 2 threads each)". One command, one markdown table:

    ./mvnw -q install -Dmaven.test.skip=true          # builds nabla-bench/target/benchmarks.jar
    /usr/bin/python3 tools/bench/train_compare.py      # 3 rounds (about 4 minutes)
    /usr/bin/python3 tools/bench/train_compare.py --rounds 1 --epochs 1 --out /tmp/t.md  # smoke run
    /usr/bin/python3 tools/bench/train_compare.py --parts   # the parts of one step, both sides

The setting is D2L's (§4.5 concise softmax regression, §5.2 MLP with 256 hidden units and ReLU):
batch 256, SGD lr 0.1, cross-entropy, weights N(0, 0.01²), bias 0 (``--optimizer adam`` for Adam).

What it does
  * With --eval, the test accuracy after each epoch and the training accuracy after the last
    (untimed) are recorded in the JSON (--json-out).
  * Each run is a fresh process that loads Fashion-MNIST into memory (images float32 in [0, 1],
    shape [60000, 1, 28, 28]; labels int64), then trains one warm-up epoch and ``--epochs`` timed
    epochs. An epoch is one pass over the 60,000 training images in a new random order (a new
    permutation each epoch, as DataLoader(shuffle=True)); its time covers batching (gathering the
    256 rows of the images and labels), forward, loss, backward, the optimiser step and reading the
    loss of each batch with ``.item()`` (D2L's loop does). Loading and the test pass are not timed.
  * PyTorch side (``--torch-worker``, under a Python that has torch, default /usr/bin/python3):
    the environment is pinned as in compare.py (OMP/OPENBLAS/MKL_NUM_THREADS = threads,
    OMP_WAIT_POLICY=PASSIVE, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed for the worker only)
    and torch.set_num_threads(threads). Batches are made by indexing the in-memory tensors with a
    slice of torch.randperm (the fastest way PyTorch offers; ``--torch-loader dataloader`` uses
    torch.utils.data.DataLoader(TensorDataset(X, y), batch_size=256, shuffle=True) instead, which
    collates per example and is much slower).
  * Nabla side: ``nabla.bench.TrainEpochs`` from nabla-bench/target/benchmarks.jar, nabla.data's
    DataLoader(train, 256).shuffle(seed).reuseBuffers(true) (a new order each pass; each batch
    gathered into the previous batch's tensors, as PyTorch's allocator reuses the dropped batch),
    kernel threads at their default (Runtime.availableProcessors(); recorded). Two JVM configurations, labelled: the JVM's defaults
    (no heap flags) and ``-Xms4g -XX:+AlwaysPreTouch``.
  * The frameworks alternate: each round runs every configuration once per model, the order of the
    configurations rotating from round to round; the table gives the median over all timed epochs
    of all rounds (and the min-max range), so a burst of load from other processes on this shared
    2-core machine hits every side alike.

Nothing here asserts a timing: it measures and reports.
"""

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import (  # noqa: E402  (shared helpers of the W1-W6 comparison)
    blas_info, find_java, find_torch_python, log, lscpu, _torch_cpu_capability)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JAR = os.path.join(ROOT, "nabla-bench", "target", "benchmarks.jar")
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
JVM_CONFIGS = {
    "nabla-default": [],
    "nabla-xms4g": ["-Xms4g", "-XX:+AlwaysPreTouch"],
    "nabla-compiled": [],
}
# TrainEpochs options of a configuration (nabla-compiled: Trainer.compile's CompiledStep)
TRAIN_OPTIONS = {"nabla-compiled": ["--compile"]}
LABELS = {
    "torch": "PyTorch",
    "nabla-default": "Nabla, JVM defaults",
    "nabla-xms4g": "Nabla, -Xms4g -XX:+AlwaysPreTouch",
    "nabla-compiled": "Nabla compiled step, JVM defaults",
}


# ---------------------------------------------------------------------------------------------
# PyTorch worker (its own process)
# ---------------------------------------------------------------------------------------------

def read_idx(path):
    import numpy as np
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find_file(data_dir, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{stem}(.gz) not found in {data_dir}")


def torch_worker(args):
    threads = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = threads
    os.environ["OPENBLAS_NUM_THREADS"] = threads
    os.environ["MKL_NUM_THREADS"] = threads
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    removed = {k: os.environ.pop(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
               if k in os.environ}
    import numpy as np
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    xs = read_idx(find_file(args.data, "train-images-idx3-ubyte"))
    ys = read_idx(find_file(args.data, "train-labels-idx1-ubyte"))
    X = torch.from_numpy(xs.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(ys.astype(np.int64))
    xt = torch.from_numpy(read_idx(find_file(args.data, "t10k-images-idx3-ubyte"))
                          .astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    yt = torch.from_numpy(read_idx(find_file(args.data, "t10k-labels-idx1-ubyte")).astype(np.int64))
    load_seconds = time.perf_counter() - t0

    torch.manual_seed(args.seed)
    if args.model == "softmax":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    else:
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if args.init == "d2l":
        for m in net:
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)
    loss_fn = nn.CrossEntropyLoss()
    if args.optimizer == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=args.lr)
    n = X.shape[0]
    bs = args.batch_size
    g = torch.Generator().manual_seed(args.seed)

    if args.torch_loader == "dataloader":
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(X, y), batch_size=bs, shuffle=True, generator=g)

        def batches():
            return iter(loader)
    else:
        def batches():
            perm = torch.randperm(n, generator=g)
            for i in range(0, n, bs):
                idx = perm[i:i + bs]
                yield X[idx], y[idx]

    warm, timed, losses, test_acc, cpu = [], [], [], [], []
    for epoch in range(args.warmup + args.epochs):
        start = time.perf_counter()
        cpu_start = time.process_time()
        total, count = 0.0, 0
        for xb, yb in batches():
            l = loss_fn(net(xb), yb)
            opt.zero_grad()
            l.backward()
            opt.step()
            total += l.item() * yb.shape[0]
            count += yb.shape[0]
        s = time.perf_counter() - start
        (warm if epoch < args.warmup else timed).append(s)
        if epoch >= args.warmup:
            cpu.append(time.process_time() - cpu_start)
        if args.eval:
            with torch.no_grad():
                test_acc.append((net(xt).argmax(1) == yt).float().mean().item())
        losses.append(total / count)
        log(f"torch {args.model} epoch {epoch}{' (warm-up)' if epoch < args.warmup else ''}: "
            f"{s:.3f} s, loss {total / count:.4f}")
    acc = test_acc[-1] if args.eval else None
    train_acc = None
    if args.eval:
        with torch.no_grad():
            train_acc = (net(X).argmax(1) == y).float().mean().item()
    print(json.dumps({
        "side": "torch", "model": args.model, "optimizer": args.optimizer, "lr": args.lr,
        "batch_size": bs, "seed": args.seed, "init": args.init, "loader": args.torch_loader,
        "load_seconds": load_seconds, "warmup_seconds": warm, "epoch_seconds": timed,
        "epoch_cpu_seconds": cpu,
        "epoch_loss": losses, "test_accuracy": acc,
        "epoch_test_accuracy": test_acc, "train_accuracy": train_acc,
        "torch": torch.__version__, "torch.get_num_threads": torch.get_num_threads(),
        "torch.cpu_capability": _torch_cpu_capability(torch),
        "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                               "MKL_NUM_THREADS", "OMP_WAIT_POLICY")},
        "removed_in_worker": removed, "blas": blas_info(),
    }))


# Warm-up of the whole-step parts (nabla.bench.TrainStepParts.STEP_WARMUP_SECONDS): the JIT takes
# over a step's glue only after thousands of steps.
STEP_WARMUP_SECONDS = 6
# Warm-up of every other part (nabla.bench.TrainStepParts.PART_WARMUP_SECONDS).
PART_WARMUP_SECONDS = 1.5


def median_per_call(op, min_calls=200, warmup_seconds=PART_WARMUP_SECONDS):
    """Seconds per call of op, timed as nabla.bench.TrainStepParts times Nabla's side: warm-up for
    warmup_seconds (the whole steps: STEP_WARMUP_SECONDS, as TrainStepParts) and at least min_calls
    calls, then the median of 9 samples of n calls each (n chosen so that a sample lasts at least
    50 ms)."""
    pc = time.perf_counter
    warm, i = pc(), 0
    while i < min_calls or pc() - warm < warmup_seconds:
        op()
        i += 1
    t0, calls = pc(), 0
    while pc() - t0 < 0.05:
        op()
        calls += 1
    samples = []
    for _ in range(9):
        start = pc()
        for _ in range(calls):
            op()
        samples.append((pc() - start) / calls)
    samples.sort()
    return samples[4]


def torch_parts(args):
    """The parts of one MLP step, timed as nabla.bench.TrainStepParts times them."""
    threads = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = threads
    os.environ["OPENBLAS_NUM_THREADS"] = threads
    os.environ["MKL_NUM_THREADS"] = threads
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        os.environ.pop(k, None)
    import torch
    from torch import nn
    torch.set_num_threads(args.threads)
    torch.manual_seed(3)
    x = torch.rand(256, 784)
    w1 = torch.randn(256, 784) * 0.01
    h = torch.randn(256, 256).relu()
    w2 = torch.randn(10, 256) * 0.01
    g_out = torch.randn(256, 10) * 0.01
    g_hidden = torch.randn(256, 256) * 0.01
    logits = torch.randn(256, 10) * 3
    labels = torch.randint(0, 10, (256,))
    images = torch.rand(60000, 1, 28, 28)
    train_y = torch.randint(0, 10, (60000,))
    rows = torch.randint(0, 60000, (256,))
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    for m in net:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.01)
            nn.init.zeros_(m.bias)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    batch = images[:256]
    ws = torch.randn(10, 784) * 0.01
    softmax = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    nn.init.normal_(softmax[1].weight, std=0.01)
    nn.init.zeros_(softmax[1].bias)
    softmax_opt = torch.optim.SGD(softmax.parameters(), lr=0.1)

    def softmax_step():
        l = loss_fn(softmax(batch), labels)
        softmax_opt.zero_grad()
        l.backward()
        softmax_opt.step()
        return l.item()

    def ce():
        l = logits.detach().requires_grad_(True)
        loss_fn(l, labels).backward()
        return l.grad

    def step():
        l = loss_fn(net(batch), labels)
        opt.zero_grad()
        l.backward()
        opt.step()
        return l.item()

    parts = [
        ("fwd1 x[256,784] @ W1^T -> [256,256]", lambda: x.matmul(w1.t())),
        ("fwd2 h[256,256] @ W2^T -> [256,10]", lambda: h.matmul(w2.t())),
        ("bwd g[256,10] @ W2 -> [256,256]", lambda: g_out.matmul(w2)),
        ("bwd h^T @ g -> [256,10] (grad W2^T)", lambda: h.t().matmul(g_out)),
        ("bwd x^T @ gH -> [784,256] (grad W1^T)", lambda: x.t().matmul(g_hidden)),
        ("cross-entropy fwd+bwd [256,10]", ce),
        ("softmax fwd x[256,784] @ W^T -> [256,10]", lambda: x.matmul(ws.t())),
        ("softmax bwd g^T @ x -> [10,784] (grad W)", lambda: g_out.t().matmul(x)),
        ("batch: 256 random rows of [60000,1,28,28] + labels", lambda: (images[rows], train_y[rows])),
        ("whole step (fwd, loss, zeroGrad, bwd, SGD) on a fixed batch", step),
        ("softmax whole step on a fixed batch", softmax_step),
    ]
    results = {}
    for name, op in parts:
        results[name] = median_per_call(op, warmup_seconds=STEP_WARMUP_SECONDS if "whole step" in name else PART_WARMUP_SECONDS)
        log(f"torch {name:60s} {results[name] * 1e6:9.1f} us")
    print(json.dumps({"side": "torch", "results": results, "torch": torch.__version__,
                      "torch.get_num_threads": torch.get_num_threads()}))


def torch_same_trajectory(args):
    """Trains PyTorch from the weights and batch orders nabla.bench.SameTrajectory wrote."""
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[k] = str(args.threads)
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    import numpy as np
    import torch
    from torch import nn
    torch.set_num_threads(args.threads)
    d = args.same_trajectory
    xs = read_idx(find_file(args.data, "train-images-idx3-ubyte"))
    X = torch.from_numpy(xs.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(read_idx(find_file(args.data, "train-labels-idx1-ubyte")).astype(np.int64))
    xt = torch.from_numpy(read_idx(find_file(args.data, "t10k-images-idx3-ubyte"))
                          .astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    yt = torch.from_numpy(read_idx(find_file(args.data, "t10k-labels-idx1-ubyte")).astype(np.int64))
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    with torch.no_grad():
        for name, p in net.named_parameters():
            # nn.Sequential names them 1.weight, 3.weight (Flatten is 0); Nabla's numbering is the same
            data = np.fromfile(os.path.join(d, f"{name}.f32"), dtype="<f4")
            p.copy_(torch.from_numpy(data).reshape(p.shape))
    n = X.shape[0]
    orders = np.fromfile(os.path.join(d, "order.i32"), dtype="<i4").reshape(-1, n)
    opt = (torch.optim.Adam(net.parameters(), lr=1e-3) if args.optimizer == "adam"
           else torch.optim.SGD(net.parameters(), lr=0.1))
    loss_fn = nn.CrossEntropyLoss()
    step_loss, epoch_loss, test_acc = [], [], []
    for order in orders:
        order = torch.from_numpy(order.astype(np.int64))
        total = 0.0
        for i in range(0, n, 256):
            idx = order[i:i + 256]
            l = loss_fn(net(X[idx]), y[idx])
            opt.zero_grad()
            l.backward()
            opt.step()
            if len(step_loss) < 60:
                step_loss.append(l.item())
            total += l.item() * idx.shape[0]
        epoch_loss.append(total / n)
        with torch.no_grad():
            test_acc.append((net(xt).argmax(1) == yt).float().mean().item())
        log(f"torch epoch {len(epoch_loss) - 1}: loss {epoch_loss[-1]:.4f}, test accuracy {test_acc[-1]:.4f}")
    print(json.dumps({"side": "torch", "step_loss": step_loss, "epoch_loss": epoch_loss,
                      "epoch_test_accuracy": test_acc}))


def same_trajectory_report(args, java, py, env):
    d = args.same_trajectory
    nab = run_json([java, "--add-modules", "jdk.incubator.vector", "-cp", args.jar,
                    "nabla.bench.SameTrajectory", d, "--optimizer", args.optimizer,
                    "--epochs", str(args.epochs), "--seed", str(args.seed)], env, "nabla")
    tor = run_json([py, os.path.abspath(__file__), "--torch-same-trajectory", "--same-trajectory", d,
                    "--optimizer", args.optimizer, "--threads", str(args.threads),
                    "--data", args.data], env, "torch")
    if not nab or not tor:
        return "same-trajectory run failed"
    lines = [f"MLP from the same initial weights on the same batches ({args.optimizer}, seed "
             f"{args.seed}): relative loss difference |nabla - torch| / torch at steps "
             + ", ".join(f"{s}: {abs(a - b) / b:.1e}" for s, (a, b) in enumerate(
                 zip(nab["step_loss"], tor["step_loss"])) if s in (0, 1, 2, 5, 10, 20, 40, 59)), "",
             "| epoch | loss PyTorch | loss Nabla | test acc PyTorch | test acc Nabla |",
             "|---|---|---|---|---|"]
    for e, (lt, ln, at, an) in enumerate(zip(tor["epoch_loss"], nab["epoch_loss"],
                                            tor["epoch_test_accuracy"], nab["epoch_test_accuracy"])):
        lines.append(f"| {e + 1} | {lt:.4f} | {ln:.4f} | {at:.4f} | {an:.4f} |")
    return "\n".join(lines)


def parts_report(args, java, py, env):
    runs = {"torch": [], "nabla": []}
    for r in range(args.rounds):
        for side in (("torch", "nabla") if r % 2 == 0 else ("nabla", "torch")):
            if side == "torch":
                cmd = [py, os.path.abspath(__file__), "--torch-parts", "--threads", str(args.threads)]
            else:
                threads = [f"-Dnabla.threads={args.nabla_threads}"] if args.nabla_threads else []
                cmd = [java, "--add-modules", "jdk.incubator.vector"] + threads + \
                    args.jvm_extra.split() + ["-cp", args.jar, "nabla.bench.TrainStepParts"]
            out = run_json(cmd, env, f"parts round {r + 1}/{args.rounds} {side}")
            if out is not None:
                runs[side].append(out["results"])
    names = list((runs["torch"] or runs["nabla"])[0].keys())
    lines = [f"Parts of one training step (batch 256; MLP 784-256-10, softmax 784-10), µs per call, median over "
             f"{args.rounds} alternating process(es) of each side's medians; PyTorch threads "
             f"{args.threads}, Nabla threads {args.nabla_threads or 'default'}:", "",
             "| part | PyTorch | Nabla | PyTorch / Nabla |", "|---|---|---|---|"]
    for n in names:
        t = statistics.median(x[n] for x in runs["torch"]) if runs["torch"] else None
        b = statistics.median(x[n] for x in runs["nabla"]) if runs["nabla"] else None
        lines.append(f"| {n} | {t * 1e6:.1f} | {b * 1e6:.1f} | {t / b:.2f}× |" if t and b else
                     f"| {n} | {t} | {b} | — |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# parent
# ---------------------------------------------------------------------------------------------

def run_json(cmd, env, label):
    log(f"[{label}] {' '.join(cmd)}")
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [l for l in proc.stdout.splitlines() if l.strip().startswith("{")]
    if proc.returncode != 0 or not lines:
        log(f"[{label}] failed with exit code {proc.returncode}:\n{proc.stderr[-3000:]}")
        return None
    return json.loads(lines[-1])


def common_args(args, model, seed):
    out = ["--model", model, "--optimizer", args.optimizer, "--batch-size", str(args.batch_size),
           "--warmup", str(args.warmup), "--epochs", str(args.epochs), "--seed", str(seed),
           "--data", args.data, "--init", args.init]
    if args.lr is not None:
        out += ["--lr", str(args.lr)]
    if args.eval:
        out.append("--eval")
    return out


def command(config, args, model, seed, java, py):
    if config == "torch":
        return [py, os.path.abspath(__file__), "--torch-worker", "--threads", str(args.threads),
                "--torch-loader", args.torch_loader] + \
            common_args(args, model, seed)
    threads = [f"-Dnabla.threads={args.nabla_threads}"] if args.nabla_threads else []
    return [java, "--add-modules", "jdk.incubator.vector"] + JVM_CONFIGS[config] + threads + \
        args.jvm_extra.split() + ["-cp", args.jar, "nabla.bench.TrainEpochs"] + \
        common_args(args, model, seed) + TRAIN_OPTIONS.get(config, [])


def fmt_s(v):
    return "—" if v is None else f"{v:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="softmax,mlp")
    ap.add_argument("--configs", default="torch,nabla-default,nabla-xms4g",
                    help="comma-separated subset of torch, nabla-default, nabla-xms4g, nabla-compiled "
                         "(TrainEpochs --compile: forward and backward compiled, JVM defaults)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs per run")
    ap.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"])
    ap.add_argument("--lr", type=float, default=None, help="default 0.1 (sgd), 1e-3 (adam)")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval", action="store_true", help="also compute the test accuracy")
    ap.add_argument("--threads", type=int, default=2, help="PyTorch threads")
    ap.add_argument("--nabla-threads", type=int, default=None,
                    help="Nabla kernel threads (-Dnabla.threads=N); default: Nabla's default")
    ap.add_argument("--data", default=os.environ.get("NABLA_DATA", DEBIAN_DIR))
    ap.add_argument("--torch-loader", default="index", choices=["index", "dataloader"])
    ap.add_argument("--init", default="d2l", choices=["d2l", "torch-default"],
                    help="D2L's N(0,0.01^2) weights and zero bias, or nn.Linear's default (both sides)")
    ap.add_argument("--python", default=None, help="Python with torch (default /usr/bin/python3)")
    ap.add_argument("--java", default=None)
    ap.add_argument("--jar", default=JAR)
    ap.add_argument("--jvm-extra", default="", help="extra JVM options for every Nabla run (write --jvm-extra=-X...)")
    ap.add_argument("--out", default=None, help="also write the markdown report to this file")
    ap.add_argument("--json-out", default=None, help="write every run's JSON to this file")
    ap.add_argument("--parts", action="store_true",
                    help="time the parts of one MLP step (GEMM shapes, loss, batching) instead")
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--torch-parts", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--same-trajectory", default=None, metavar="DIR",
                    help="train both sides from the same weights and batch orders (written to DIR)")
    ap.add_argument("--torch-same-trajectory", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", default="mlp", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_worker:
        if args.lr is None:
            args.lr = 1e-3 if args.optimizer == "adam" else 0.1
        torch_worker(args)
        return 0
    if args.torch_parts:
        torch_parts(args)
        return 0
    if args.torch_same_trajectory:
        torch_same_trajectory(args)
        return 0

    java = find_java(args.java)
    py = find_torch_python(args.python)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if any(c != "torch" for c in configs) and not os.path.exists(args.jar):
        log(f"{args.jar} is missing: build it with ./mvnw -q install -Dmaven.test.skip=true")
        return 1
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    if args.same_trajectory:
        report = same_trajectory_report(args, java, py, env)
        print(report)
        if args.out:
            with open(args.out, "w") as f:
                f.write(report + "\n")
        return 0
    if args.parts:
        report = parts_report(args, java, py, env)
        report += f"\n\n- CPU: {lscpu().get('Model name', '?')}; load average after " \
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        print(report)
        if args.out:
            with open(args.out, "w") as f:
                f.write(report + "\n")
        return 0
    cpu = lscpu()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    runs = []
    for r in range(args.rounds):
        order = configs[r % len(configs):] + configs[:r % len(configs)]
        for model in models:
            for config in order:
                out = run_json(command(config, args, model, args.seed, java, py), env,
                               f"round {r + 1}/{args.rounds} {model} {config}")
                if out is not None:
                    out["config"] = config
                    out["round"] = r
                    runs.append(out)
                    log(f"    epochs: {', '.join(f'{s:.3f}' for s in out['epoch_seconds'])} s")
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(runs, f, indent=1)

    lines = [f"Training epochs, D2L settings (batch {args.batch_size}, {args.optimizer} "
             f"lr {args.lr if args.lr is not None else (1e-3 if args.optimizer == 'adam' else 0.1)}, "
             f"N(0, 0.01²) weights), Fashion-MNIST 60,000 images; seconds per epoch, median over "
             f"{args.rounds} alternating round(s) × {args.epochs} timed epoch(s) after "
             f"{args.warmup} warm-up epoch(s) per process [min–max]:", ""]
    head = "| model | " + " | ".join(LABELS[c] for c in configs)
    nabla_configs = [c for c in configs if c != "torch"]
    if "torch" in configs and nabla_configs:
        head += " | " + " | ".join(f"PyTorch / {LABELS[c]}" for c in nabla_configs)
    lines.append(head + " |")
    lines.append("|---" * (1 + len(configs) + (len(nabla_configs) if "torch" in configs else 0)) + "|")
    for model in models:
        med = {}
        row = f"| {model} |"
        for c in configs:
            xs = [s for run in runs if run["model"] == model and run["config"] == c
                  for s in run["epoch_seconds"]]
            med[c] = statistics.median(xs) if xs else None
            row += (f" {fmt_s(med[c])} [{min(xs):.3f}–{max(xs):.3f}] |" if xs else " — |")
        if "torch" in configs:
            for c in configs:
                if c != "torch":
                    ratio = (med["torch"] / med[c]) if med.get("torch") and med.get(c) else None
                    row += f" {ratio:.2f}× |" if ratio else " — |"
        lines.append(row)
    lines.append("")
    lines.append("Ratio = PyTorch seconds / Nabla seconds (> 1: Nabla is faster).")
    lines.append("")
    lines.append("Process CPU seconds per epoch (all threads; spin-waiting, JIT and GC count), median:")
    lines.append("")
    lines.append("| model | " + " | ".join(LABELS[c] for c in configs) + " |")
    lines.append("|---" * (1 + len(configs)) + "|")
    for model in models:
        row = f"| {model} |"
        for c in configs:
            xs = [s for run in runs if run["model"] == model and run["config"] == c
                  for s in run.get("epoch_cpu_seconds", [])]
            row += f" {fmt_s(statistics.median(xs)) if xs else '—'} |"
        lines.append(row)
    lines.append("")
    lines.append("What a user waits for, median per process: the first epoch (on the JVM it includes "
                 "most of the JIT compilation) and all epochs of the process, warm-up and timed "
                 "(loading the data excluded):")
    lines.append("")
    lines.append("| model | " + " | ".join(f"{LABELS[c]}: first epoch / all {args.warmup + args.epochs}"
                                          for c in configs) + " |")
    lines.append("|---" * (1 + len(configs)) + "|")
    for model in models:
        row = f"| {model} |"
        for c in configs:
            sel = [run for run in runs if run["model"] == model and run["config"] == c]
            firsts = [(run["warmup_seconds"] or run["epoch_seconds"])[0] for run in sel
                      if run.get("warmup_seconds") or run.get("epoch_seconds")]
            totals = [sum(run.get("warmup_seconds", [])) + sum(run["epoch_seconds"]) for run in sel]
            row += (f" {fmt_s(statistics.median(firsts))} / {fmt_s(statistics.median(totals))} |"
                    if firsts else " — |")
        lines.append(row)
    if args.eval:
        lines.append("")
        lines.append("Test accuracy after the last epoch (per run): " + "; ".join(
            f"{r['model']} {r['config']} {r['test_accuracy']:.4f}" for r in runs
            if r.get("test_accuracy") is not None))
    lines.append("")
    tmeta = next((r for r in runs if r["side"] == "torch"), None)
    nmeta = next((r for r in runs if r["side"] == "nabla"), None)
    lines.append(f"- CPU: {cpu.get('Model name', '?')} ({cpu.get('CPU(s)', '?')} CPUs, "
                 f"hypervisor {cpu.get('Hypervisor vendor', 'none')}); load average before "
                 f"{load_before}, after {load_after} (a shared 2-core machine)")
    if tmeta:
        blas = tmeta.get("blas", {})
        lines.append(f"- PyTorch {tmeta['torch']} (CPU capability {tmeta['torch.cpu_capability']}), "
                     f"torch.get_num_threads()={tmeta['torch.get_num_threads']}, env {tmeta['env']}, "
                     f"OpenBLAS core {blas.get('openblas_corename', '?')}; batches by "
                     f"{'X[randperm slice]' if tmeta['loader'] == 'index' else 'DataLoader(TensorDataset)'}")
    if nmeta:
        lines.append(f"- Nabla: JDK {nmeta['java.version']}, kernel threads "
                     f"{nmeta['threads']} ({'-Dnabla.threads' if args.nabla_threads else 'default'}), "
                     f"vector module {nmeta['vector.module']}; JVM args "
                     + "; ".join(f"{LABELS[c]}: `{next(r['jvm.args'] for r in runs if r['config'] == c)}` "
                                 f"(max heap {next(r['max_heap_mb'] for r in runs if r['config'] == c)} MB)"
                                 for c in configs if c != "torch" and any(r['config'] == c for r in runs)))
    report = "\n".join(lines)
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report + "\n")
    return 0 if runs else 1


if __name__ == "__main__":
    sys.exit(main())
