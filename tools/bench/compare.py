#!/usr/bin/env python3
"""Nabla vs PyTorch on workloads W1-W6 (issues "Speed close to the hardware" and #13 "Speed II").

One command, both sides back-to-back in the same session, one markdown table:

    ./mvnw -q install -Dmaven.test.skip=true      # builds nabla-bench/target/benchmarks.jar
    /usr/bin/python3 tools/bench/compare.py        # full run (about ten minutes)
    /usr/bin/python3 tools/bench/compare.py --quick --out /tmp/quick.md   # short validation run
    /usr/bin/python3 tools/bench/compare.py --configs default --no-memory  # one JVM configuration
    /usr/bin/python3 tools/bench/compare.py --epochs 2   # also the D2L training epochs (train_compare.py)

What it does
  0. Machine: lscpu's model name, family/model and SIMD flags (avx2, avx512f, AMX), and the FMA peak
     measured in Java (``nabla.bench.FmaPeak``: 12 independent chains of FMAs on the Vector API's
     preferred species per thread, 1 thread and all threads, float32 and float64, best of a few
     rounds, timed by thread CPU time and by wall time). GEMM speeds (W1 and the MLP training
     shapes T1-T3) are reported as GFLOP/s and as a fraction of the all-threads float32 peak.
  1. PyTorch side: re-runs this script as a subprocess (``--torch-worker``) under a Python that has
     torch (default /usr/bin/python3). The worker sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and
     MKL_NUM_THREADS to the thread count (default 2) in os.environ *before importing torch*, and
     calls torch.set_num_threads(2). It also sets OMP_WAIT_POLICY=PASSIVE (option
     --torch-omp-wait-policy): this Debian PyTorch build runs its OpenMP pool *and* OpenBLAS's own
     pthread pool, and with libgomp's default spin-waiting the two pools fight over the 2 cores
     (W4 measured 2-3x slower and very noisy); PASSIVE is PyTorch's better configuration here, so
     Nabla is compared against it. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the
     environment of that subprocess only (the machine may set them for other tools); the core type
     OpenBLAS then picked is recorded (openblas_get_corename). The worker also times numpy float32
     matmul n=1024 (the OpenBLAS sgemm reference for W1's target) and the shapes T1-T3.
  2. Nabla side: runs ``nabla.bench.Compare`` from nabla-bench/target/benchmarks.jar on JDK 25, in
     each JVM configuration of --configs (default: all three), one fresh JVM each: ``default`` is
     what a library user gets (``java --add-modules=jdk.incubator.vector``, no heap flags),
     ``tuned`` adds ``-Xms4g -Xmx4g -XX:+AlwaysPreTouch``, ``scalar`` is the fallback without the
     Vector API (no --add-modules, -Dnabla.simd=false; tuned heap flags, so that only SIMD differs
     from ``tuned``). Each prints JSON; each gets its own columns and ratios.
  3. Both sides use the same timing scheme: warm up, calibrate a batch of k calls lasting at least
     a minimum sample time, take as many samples as fit in a budget, report the median per call.
     Ratios are Nabla speed / PyTorch speed (>1 means Nabla is faster).
  3b. glibc malloc (--torch-malloc, default both): W5's target in issue #13 is against PyTorch
     "with malloc tuned"; a second PyTorch worker runs W4 and W5 with MALLOC_MMAP_MAX_=0 and
     MALLOC_TRIM_THRESHOLD_=64 GiB (large blocks stay in the heap and are reused instead of being
     unmapped and page-faulted in again) and gets its own rows, in time and in memory.
  4. Peak memory (unless --no-memory) of W5 and of the W4 training loop, one fresh process per
     workload and side/configuration, after the timings: PyTorch -- the worker's peak RSS (VmHWM)
     minus its idle RSS after importing torch; Nabla -- ``nabla.bench.PeakMemory``: the same RSS
     difference plus the peak heap occupancy seen by the GC. See the notes under the table.
  5. With --epochs N, tools/bench/train_compare.py (its companion for D2L training epochs) runs one
     round of N timed epochs per model and configuration and its table is appended.

Nothing here asserts a timing: it measures and reports.
"""

import argparse
import ctypes
import json
import os
import platform
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JAR = os.path.join(ROOT, "nabla-bench", "target", "benchmarks.jar")
WORKLOADS = ["W1", "W2", "W3", "W4", "W5", "W6"]
# GEMM shapes of the MLP training step (nabla.bench.Workloads.GemmShape): name -> (m, k, n, meaning)
GEMM_SHAPES = {
    "T1": (256, 784, 256, "x·Wᵀ, x [256,784], W [256,784] (hidden layer forward)"),
    "T2": (256, 256, 784, "gᵀ·x, g [256,256], x [256,784] (hidden layer weight gradient)"),
    "T3": (256, 256, 10, "h·W2ᵀ, h [256,256], W2 [10,256] (output layer forward)"),
}
ALL_WORKLOADS = WORKLOADS + list(GEMM_SHAPES)
W5_N = 10_000_000
# Nabla JVM configurations: name -> (label, JVM options)
TUNED_HEAP = ["-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"]
NABLA_CONFIGS = {
    "default": ("Nabla default", ["--add-modules=jdk.incubator.vector"],
                "what a library user gets: `java --add-modules=jdk.incubator.vector`, no heap flags"),
    "tuned": ("Nabla tuned", TUNED_HEAP + ["--add-modules=jdk.incubator.vector"],
              "`-Xms4g -Xmx4g -XX:+AlwaysPreTouch --add-modules=jdk.incubator.vector`"),
    "scalar": ("Nabla scalar", TUNED_HEAP + ["-Dnabla.simd=false"],
               "the scalar fallback: no Vector API module, `-Dnabla.simd=false`, tuned heap flags "
               "(`-Xms4g -Xmx4g -XX:+AlwaysPreTouch`), so only SIMD differs from *Nabla tuned*"),
}
SIMD_CONFIGS = ("default", "tuned")
# Iterations of the peak-memory runs (one fresh process each): full, quick
MEMORY_ITERATIONS = {"W4": (200, 50), "W5": (20, 5)}

# (warmup s, measurement budget s, min sample s, min samples, max samples) -- same as Compare.java
PLANS = {
    "full": (3.0, 10.0, 0.10, 5, 41),
    "quick": (0.5, 1.5, 0.03, 3, 9),
}

DESCRIPTIONS = {
    "W1": "GEMM n=1024 (float32)",
    "W2": "D2L toy: y=2·xᵀx, backward, zeroGrad (x=arange(4))",
    "W3": "~100k 0-d ops (33,334 × y=y·a+sin y) + backward",
    "W4": "MLP 784-256-10 SGD step, batch 256",
    "W5": "(x·y+x).exp().sum() fwd+bwd, 10M floats",
    "W6": "Hessian of sum(x³ sin x), x∈R¹⁰⁰",
}
# unit, scale from seconds per call, higher_is_better
UNITS = {
    "W1": ("GFLOP/s", None, True),
    "W2": ("µs/iter", 1e6, False),
    "W3": ("ms total", 1e3, False),
    "W4": ("ms/step", 1e3, False),
    "W5": ("ms", 1e3, False),
    "W6": ("ms", 1e3, False),
    "W5C": ("ms", 1e3, False),
    "W4C": ("ms/step", 1e3, False),
}
# minimum ratio (Nabla speed / PyTorch speed) for the target (issue #13's acceptance); W1 is judged
# against OpenBLAS and the measured FMA peak.
TARGETS = {
    "W2": (10.0, "≥ 10× faster than PyTorch"),
    "W3": (10.0, "≥ 10× faster than PyTorch"),
    "W4": (1.25, "≥ 1.25× PyTorch"),
    "W5": (1.0, "≥ 1.0× PyTorch with malloc tuned"),
    "W6": (1.0, "Nabla time ≤ PyTorch"),
    "W5C": (2.5, "≥ 2.5× PyTorch with malloc tuned (issue #14)"),
    "W4C": (1.5, "≥ 1.5× PyTorch (issue #14)"),
}
W1_PEAK_FRACTION = 0.75
# glibc malloc tuned for PyTorch (--torch-malloc): no mmap for large blocks and no trimming, so
# freed blocks are reused instead of unmapped and page-faulted in again (W5's 40 MB temporaries).
MALLOC_TUNED_ENV = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(64 << 30)}
MALLOC_WORKLOADS = ("W4", "W5")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# timing (mirrors nabla.bench.Compare.measure)
# ---------------------------------------------------------------------------------------------

def measure(op, plan):
    warmup, budget, min_sample, min_samples, max_samples = plan
    pc = time.perf_counter
    start = pc()
    warm_end = start + warmup
    calls = 0
    half_start = None
    half_calls = 0
    now = start
    while calls < 2 or now < warm_end:
        op()
        calls += 1
        now = pc()
        if half_start is None and now - start >= (warm_end - start) / 2:
            half_start = now
            half_calls = 0
        elif half_start is not None:
            half_calls += 1
    est = (now - half_start) / half_calls if half_calls > 0 else (now - start) / calls
    k = max(1, int(-(-min_sample // max(est, 1e-9))))
    n = int(budget // (k * est))
    n = max(min_samples, min(max_samples, n))
    per = []
    for _ in range(n):
        t0 = pc()
        for _ in range(k):
            op()
        per.append((pc() - t0) / k)
    per.sort()

    def q(p):
        pos = p * (len(per) - 1)
        lo, hi = int(pos), min(int(pos) + 1, len(per) - 1)
        return per[lo] + (per[hi] - per[lo]) * (pos - lo)

    return {"median_s": q(0.5), "p25_s": q(0.25), "p75_s": q(0.75), "min_s": per[0],
            "samples": n, "batch": k}


# ---------------------------------------------------------------------------------------------
# PyTorch worker (runs in its own process)
# ---------------------------------------------------------------------------------------------

def blas_info():
    """Loaded BLAS libraries of this process and, for OpenBLAS, its version/core/threads."""
    libs = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path).lower()
                if any(s in base for s in ("blas", "mkl", "blis", "lapack")) and path not in libs:
                    libs.append(path)
    except OSError:
        pass
    info = {"libraries": libs}
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            corename = lib.openblas_get_corename
        except (OSError, AttributeError):
            continue
        corename.restype = ctypes.c_char_p
        config = lib.openblas_get_config
        config.restype = ctypes.c_char_p
        info["openblas_corename"] = corename().decode()
        info["openblas_config"] = config().decode()
        info["openblas_num_threads"] = lib.openblas_get_num_threads()
        info["openblas_library"] = path
        break
    return info


def pin_torch_env(args):
    """Pins the thread pools in os.environ; call BEFORE importing numpy/torch (read at load time).
    Returns the OpenBLAS variables removed (the parent already removed them; make sure)."""
    threads = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = threads
    os.environ["OPENBLAS_NUM_THREADS"] = threads
    os.environ["MKL_NUM_THREADS"] = threads
    if args.torch_omp_wait_policy.lower() == "unset":
        os.environ.pop("OMP_WAIT_POLICY", None)
    else:
        os.environ["OMP_WAIT_POLICY"] = args.torch_omp_wait_policy.upper()
    return {k: os.environ.pop(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
            if k in os.environ}


def torch_mlp_step(torch, F):
    """W4: one SGD step of the 784-256-10 MLP, batch 256 (as nabla.bench.Workloads.MlpStep)."""
    torch.manual_seed(4)
    x = torch.randn(256, 784)
    targets = torch.randint(0, 10, (256,), dtype=torch.int64)
    w1_ = (torch.randn(784, 256) * 0.01).requires_grad_(True)
    b1 = torch.zeros(256, requires_grad=True)
    w2_ = (torch.randn(256, 10) * 0.01).requires_grad_(True)
    b2 = torch.zeros(10, requires_grad=True)
    params = [w1_, b1, w2_, b2]
    lr = 0.1

    def op():
        logits = x.matmul(w1_).add(b1).relu().matmul(w2_).add(b2)
        loss = F.cross_entropy(logits, targets)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(p.grad.mul(lr))
                p.grad.zero_()
        return loss
    return op


def torch_big_elementwise(torch, n):
    """W5: (x·y+x).exp().sum() fwd+bwd over n floats (as nabla.bench.Workloads.BigElementwise)."""
    x = torch.linspace(0, 1, n).requires_grad_(True)
    y = torch.linspace(1, 0, n).requires_grad_(True)

    def op():
        s = x.mul(y).add(x).exp().sum()
        s.backward()
        x.grad.zero_()
        y.grad.zero_()
        return s
    return op


def proc_status_bytes(field):
    """A kB field of /proc/self/status (VmRSS, VmHWM) in bytes; -1 if unavailable."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return -1


def reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def torch_memory_worker(args):
    """Peak memory of one workload (W4 loop or W5) in this fresh process; prints JSON."""
    pin_torch_env(args)
    import gc
    import resource
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    gc.collect()
    baseline = proc_status_bytes("VmRSS")
    reset = reset_peak_rss()
    w = args.memory_worker.upper()
    t0 = time.perf_counter()
    op = torch_mlp_step(torch, F) if w == "W4" else torch_big_elementwise(torch, args.w5_n)
    for _ in range(args.iterations):
        op()
    seconds = time.perf_counter() - t0
    print(json.dumps({"meta": {"side": "torch", "torch": torch.__version__},
                      "memory": {"workload": w, "iterations": args.iterations, "seconds": seconds,
                                 "rss_baseline_bytes": baseline,
                                 "rss_peak_bytes": proc_status_bytes("VmHWM"),
                                 "rss_end_bytes": proc_status_bytes("VmRSS"),
                                 "ru_maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                                 "rss_peak_reset": reset}}))


def torch_worker(args):
    removed = pin_torch_env(args)

    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch.autograd.functional import hessian

    torch.set_num_threads(args.threads)
    plan = PLANS["quick" if args.quick else "full"]
    only = [w.strip().upper() for w in args.only.split(",")]
    results, checks, errors = {}, {}, {}

    def run(name, fn):
        t0 = time.perf_counter()
        try:
            fn()
        except Exception as e:  # report, keep going
            errors[name] = repr(e)
            import traceback
            traceback.print_exc()
        log(f"torch {name} done in {time.perf_counter() - t0:.1f} s")

    def w1():
        torch.manual_seed(1)
        a = torch.randn(1024, 1024)
        b = torch.randn(1024, 1024)
        results["W1"] = dict(measure(lambda: a.matmul(b), plan), flops=2.0 * 1024 ** 3)
        rng = np.random.default_rng(1)
        an = rng.standard_normal((1024, 1024), dtype=np.float32)
        bn = rng.standard_normal((1024, 1024), dtype=np.float32)
        results["W1_numpy"] = dict(measure(lambda: an @ bn, plan), flops=2.0 * 1024 ** 3)

    def w2():
        x = torch.arange(4.0, requires_grad=True)

        def op():
            y = x.dot(x).mul(2)
            y.backward()
            x.grad.zero_()
            return y
        y = x.dot(x).mul(2)
        y.backward()
        checks["W2 x.grad"] = str(x.grad.tolist())
        x.grad.zero_()
        results["W2"] = measure(op, plan)

    def w3():
        def op():
            a = torch.tensor(0.5, requires_grad=True)
            y = torch.tensor(1.0)
            for _ in range(33_334):
                y = y.mul(a).add(y.sin())
            y.backward()
            return a.grad
        checks["W3 a.grad"] = op().item()
        results["W3"] = measure(op, plan)

    def w4():
        op = torch_mlp_step(torch, F)
        checks["W4 first loss"] = op().item()
        results["W4"] = measure(op, plan)

    def w5():
        op = torch_big_elementwise(torch, args.w5_n)
        checks["W5 value"] = op().item()
        results["W5"] = dict(measure(op, plan), n=args.w5_n)

    def gemm_shape(name):
        # The operands are transposed views, as in the MLP step (Nabla's Workloads.GemmShape).
        m, k, n, _ = GEMM_SHAPES[name]
        torch.manual_seed(7)
        rng = np.random.default_rng(7)
        if name == "T1":
            a, b = torch.randn(m, k), torch.randn(n, k).t()
            an, bn = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((n, k), dtype=np.float32).T
        elif name == "T2":
            a, b = torch.randn(k, m).t(), torch.randn(k, n)
            an, bn = rng.standard_normal((k, m), dtype=np.float32).T, rng.standard_normal((k, n), dtype=np.float32)
        else:
            a, b = torch.randn(m, k), torch.randn(n, k).t()
            an, bn = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((n, k), dtype=np.float32).T
        flops = 2.0 * m * k * n
        results[name] = dict(measure(lambda: a.matmul(b), plan), flops=flops)
        results[name + "_numpy"] = dict(measure(lambda: an @ bn, plan), flops=flops)

    def w6():
        x = torch.linspace(-2, 2, 100)

        def f(t):
            return t.pow(3).mul(t.sin()).sum()

        def op():
            return hessian(f, x, vectorize=True)
        checks["W6 trace"] = op().diagonal().sum().item()
        results["W6"] = measure(op, plan)

    for name, fn in (("W1", w1), ("W2", w2), ("W3", w3), ("W4", w4), ("W5", w5), ("W6", w6)):
        if name in only:
            run(name, fn)
    for name in GEMM_SHAPES:
        if name in only:
            run(name, lambda name=name: gemm_shape(name))

    meta = {
        "side": "torch",
        "quick": args.quick,
        "python": sys.executable + " " + platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "torch.get_num_threads": torch.get_num_threads(),
        "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                               "MKL_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE",
                                               "OPENBLAS_L2_SIZE", "MALLOC_MMAP_MAX_",
                                               "MALLOC_TRIM_THRESHOLD_")},
        "removed_in_worker": removed,
        "torch.cpu_capability": _torch_cpu_capability(torch),
        "blas": blas_info(),
    }
    print(json.dumps({"meta": meta, "results": results, "checks": checks, "errors": errors}))


def _torch_cpu_capability(torch):
    try:
        return torch.backends.cpu.get_cpu_capability()
    except Exception:  # torch < 2.0
        for line in torch.__config__.show().splitlines():
            if "CPU capability usage" in line:
                return line.split(":", 1)[1].strip()
    return "?"


# ---------------------------------------------------------------------------------------------
# parent: run both sides, print the table
# ---------------------------------------------------------------------------------------------

def jdk_major(home):
    try:
        with open(os.path.join(home, "release")) as f:
            for line in f:
                if line.startswith("JAVA_VERSION="):
                    v = line.split("=", 1)[1].strip().strip('"')
                    v = v[2:] if v.startswith("1.") else v
                    return int("".join(c for c in v.split(".")[0] if c.isdigit()) or 0)
    except OSError:
        pass
    return 0


def find_java(explicit):
    if explicit:
        return explicit
    for var in ("NABLA_JAVA_HOME", "JAVA_HOME"):
        home = os.environ.get(var)
        if home and os.access(os.path.join(home, "bin", "java"), os.X_OK) and jdk_major(home) >= 25:
            return os.path.join(home, "bin", "java")
    home = "/usr/lib/jvm/temurin-25-jdk-amd64"
    if os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java") or "java"


def find_torch_python(explicit):
    if explicit:
        return explicit
    if os.access("/usr/bin/python3", os.X_OK):
        return "/usr/bin/python3"
    return sys.executable


def run_json(cmd, env=None, label=""):
    log(f"[{label}] {' '.join(cmd)}")
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=None, text=True)
    lines = [l for l in proc.stdout.splitlines() if l.strip().startswith("{")]
    if proc.returncode != 0 or not lines:
        log(f"[{label}] failed with exit code {proc.returncode}; stdout:\n{proc.stdout[-2000:]}")
        return None
    return json.loads(lines[-1])


def lscpu():
    info = {}
    try:
        out = subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True, env={"LC_ALL": "C"}).stdout
        for line in out.splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                info[k.strip()] = v.strip()
    except OSError:
        pass
    return info


def cpu_lines(cpu):
    """The CPU as lscpu describes it: model name, family/model, the SIMD flags that matter."""
    flags = cpu.get("Flags", "").split()
    simd = ", ".join(f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8")
                     if f in flags) or "?"
    if not any(f.startswith("amx") for f in flags):
        simd += "; no AMX"
    return [
        f"- CPU: {cpu.get('Model name', '?')} ({cpu.get('Vendor ID', '?')}, family {cpu.get('CPU family', '?')}, "
        f"model {cpu.get('Model', '?')}, stepping {cpu.get('Stepping', '?')}; {cpu.get('CPU(s)', '?')} CPUs, "
        f"{cpu.get('Thread(s) per core', '?')} thread(s)/core, L2 {cpu.get('L2 cache', '?')}, "
        f"L3 {cpu.get('L3 cache', '?')}; flags: {simd}; hypervisor {cpu.get('Hypervisor vendor', 'none')})",
    ]


def peak_of(fma, dtype, threads=None):
    """The measured peak entry for dtype at `threads` (None: the largest thread count)."""
    if not fma:
        return None
    rows = [p for p in fma.get("peaks", []) if p["dtype"] == dtype]
    if threads is None:
        return max(rows, key=lambda p: p["threads"], default=None)
    return next((p for p in rows if p["threads"] == threads), None)


def all_threads_peak(fma):
    """GFLOP/s denominator of the GEMM fractions: float32, all threads, by thread CPU time."""
    p = peak_of(fma, "float32")
    return p["gflops_cpu"] if p else None


def fma_lines(fma):
    if not fma:
        return ["- Measured FMA peak: not measured (--no-fma-peak, or nabla.bench.FmaPeak failed: see stderr)"]
    meta = fma.get("meta", {})
    parts = []
    for dtype in ("float32", "float64"):
        one, alln = peak_of(fma, dtype, 1), peak_of(fma, dtype)
        if one is None or alln is None:
            continue
        s = f"{dtype} {one['gflops_cpu']:.0f} GFLOP/s on 1 thread"
        if alln["threads"] != 1:
            s += (f", {alln['gflops_cpu']:.0f} on all {alln['threads']} threads "
                  f"(wall time: {one['gflops_wall']:.0f} / {alln['gflops_wall']:.0f})")
        parts.append(s)
    return [
        f"- Measured FMA peak (nabla.bench.FmaPeak: {meta.get('chains')} independent FMA chains per "
        f"thread on {meta.get('float.species')} / {meta.get('double.species')}, best of "
        f"{meta.get('rounds')} rounds of {meta.get('round_s')} s, GFLOP/s by each thread's CPU time, "
        f"summed over threads): " + "; ".join(parts) + ". GEMM fractions below are of the all-threads "
        "float32 figure; the wall-time figures are what the threads got on this shared machine."]


def machine_lines(torch_meta, nabla_metas, parent_env, load_before, load_after, args):
    lines = [
        f"- OS: {platform.system()} {platform.release()}",
        f"- Load average (1/5/15 min) before: {load_before}, after: {load_after} "
        f"(other processes on a 2-core machine make every number noisy)",
        f"- Threads: {args.threads} on both sides",
    ]
    for config, nabla_meta in nabla_metas.items():
        if not nabla_meta:
            continue
        lines.append(
            f"- {NABLA_CONFIGS[config][0]}: JDK {nabla_meta.get('java.version')} ({nabla_meta.get('java.vm')}), "
            f"JVM args `{nabla_meta.get('jvm.args')}`; vector module present: "
            f"{nabla_meta.get('vector.module')}, -Dnabla.simd={nabla_meta.get('nabla.simd')}, "
            f"Simd.enabled()={nabla_meta.get('Simd.enabled()')}; kernel threads: "
            f"{nabla_meta.get('threads.set')}, Parallel.threads()={nabla_meta.get('Parallel.threads()')}; "
            f"GEMM blocking {nabla_meta.get('gemm.blocking')}")
    if torch_meta:
        blas = torch_meta.get("blas", {})
        if "openblas_config" in blas:
            blas_s = (f"{blas['openblas_config']} (core used: {blas['openblas_corename']}, "
                      f"{blas['openblas_num_threads']} threads)")
        else:
            blas_s = ", ".join(blas.get("libraries", [])) or "?"
        env = torch_meta.get("env", {})
        lines.append(
            f"- PyTorch: {torch_meta.get('torch')} (CPU capability {torch_meta.get('torch.cpu_capability')}), "
            f"numpy {torch_meta.get('numpy')}, {torch_meta.get('python')}; "
            f"torch.get_num_threads()={torch_meta.get('torch.get_num_threads')}")
        lines.append(f"- BLAS (numpy and PyTorch): {blas_s}")
        lines.append(
            f"- PyTorch worker environment (set in os.environ before importing torch): "
            f"OMP_NUM_THREADS={env.get('OMP_NUM_THREADS')}, "
            f"OPENBLAS_NUM_THREADS={env.get('OPENBLAS_NUM_THREADS')}, "
            f"MKL_NUM_THREADS={env.get('MKL_NUM_THREADS')}, "
            f"OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY') or '(unset)'}; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE "
            f"unset for the worker only (this session had OPENBLAS_CORETYPE="
            f"{parent_env.get('OPENBLAS_CORETYPE') or '(unset)'}, OPENBLAS_L2_SIZE="
            f"{parent_env.get('OPENBLAS_L2_SIZE') or '(unset)'}); glibc malloc: "
            + ("tuned, " + ", ".join(f"{k}={env.get(k)}" for k in MALLOC_TUNED_ENV)
               if env.get("MALLOC_MMAP_MAX_") else "glibc's defaults")
            + ("" if args.torch_malloc != "both" else
               "; rows marked *PyTorch with malloc tuned* come from a second worker with "
               + ", ".join(f"{k}={v}" for k, v in MALLOC_TUNED_ENV.items())
               + " (large blocks are reused instead of unmapped and faulted in again)"))
    return lines


def fmt(v):
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def value(res, w):
    """Value in the workload's unit (GFLOP/s for the GEMMs), from a result dict (or None)."""
    if not res or w not in res:
        return None
    r = res[w]
    if "flops" in r:
        return r["flops"] / r["median_s"] / 1e9
    unit, scale, _ = UNITS[w]
    return r["median_s"] * scale


def spread(res, w):
    if not res or w not in res:
        return None
    r = res[w]
    return (r["p75_s"] - r["p25_s"]) / r["median_s"] * 100 if r["median_s"] > 0 else None


def mib(b):
    return "—" if b is None or b < 0 else f"{b / 2 ** 20:.0f}"


def selected(args):
    return [w.strip().upper() for w in args.only.split(",") if w.strip()]


def main_table(tres, nres_by, peak, only, args, tres_malloc=None):
    """W1-W6 rows; with tres_malloc (a PyTorch worker with malloc tuned), an extra row after W4 and W5."""
    configs = list(nres_by)
    lines = []
    torch_head = "PyTorch (malloc tuned)" if args.torch_malloc == "tuned" else "PyTorch"
    head = f"| workload | unit | {torch_head} |"
    rule = "|---|---|---:|"
    for c in configs:
        head += f" {NABLA_CONFIGS[c][0]} | ratio |"
        rule += "---:|---:|"
    met_head = " / ".join(configs) if len(configs) > 1 else ""
    head += f" target | met?{' (' + met_head + ')' if met_head else ''} |"
    rule += "---|---|"
    lines += [head, rule]
    numpy_gflops = value(tres, "W1_numpy")

    def row(w, label, t, target, judge):
        unit, _, higher = UNITS[w]
        out = f"| {label} | {unit} | {fmt(t)} |"
        mets = []
        for c in configs:
            n = value(nres_by[c], w)
            ratio = None
            if t and n:
                ratio = n / t if higher else t / n
            out += f" {fmt(n)} | {'—' if ratio is None else f'{ratio:.2f}×'} |"
            if not judge:
                met = None
            elif w == "W1":
                met = None if (n is None or numpy_gflops is None) else n >= numpy_gflops
                if met is not None and peak:
                    met = met and n >= W1_PEAK_FRACTION * peak
            else:
                met = None if ratio is None else ratio >= TARGETS[w][0]
            mets.append("n/a" if met is None else ("yes" if met else "no"))
        return out + f" {target} | {' / '.join(mets)} |"

    for w in WORKLOADS:
        if w not in only:
            continue
        malloc_row = tres_malloc is not None and w in (tres_malloc.get("results") or {})
        if w == "W1":
            target = f"≥ 1.0× OpenBLAS sgemm (numpy: {fmt(numpy_gflops)} GFLOP/s)"
            if peak:
                target += f" and ≥ {W1_PEAK_FRACTION:.0%} of the FMA peak ({fmt(W1_PEAK_FRACTION * peak)})"
        elif w == "W5" and malloc_row:
            target = "(judged against PyTorch with malloc tuned, next row)"
        elif w == "W5" and args.torch_malloc == "default":
            target = TARGETS[w][1] + " (not run: here PyTorch has glibc's defaults)"
        else:
            target = TARGETS[w][1]
        lines.append(row(w, f"{w} {DESCRIPTIONS[w]}", value(tres, w), target,
                         judge=not (w == "W5" and malloc_row)))
        if malloc_row:
            lines.append(row(w, f"{w}, PyTorch with malloc tuned", value(tres_malloc["results"], w),
                             TARGETS[w][1] if w == "W5" else "(for information)", judge=w == "W5"))
        if w == "W4" and any(value(nres_by[c], "W4C") for c in configs):
            lines.append(row("W4C", "W4 compiled: forward, backward and SGD update as one compiled plan",
                             value(tres, "W4"), TARGETS["W4C"][1], judge=True))
        if w == "W5" and any(value(nres_by[c], "W5C") for c in configs):
            # Nabla's compile(valueAndGrad(f)) against PyTorch's eager W5 (malloc tuned when run)
            torch_w5 = value(tres_malloc["results"], "W5") if malloc_row else value(tres, "W5")
            against = "PyTorch with malloc tuned" if malloc_row else "PyTorch"
            lines.append(row("W5C", f"W5 compiled: Autograd.compileMulti(valueAndGrad(f)), vs {against}",
                             torch_w5, TARGETS["W5C"][1], judge=True))
    return lines


def gemm_table(tres, nres_by, peak, only):
    names = [w for w in ["W1"] + list(GEMM_SHAPES) if w in only]
    if not names:
        return []
    configs = list(nres_by)
    pct = (lambda g: "" if (g is None or not peak) else f" ({g / peak:.0%})")
    head = "| GEMM, float32 | m×k×n | PyTorch | numpy (OpenBLAS) |"
    rule = "|---|---|---:|---:|"
    for c in configs:
        head += f" {NABLA_CONFIGS[c][0]} |"
        rule += "---:|"
    head += " Nabla / OpenBLAS" + (f" ({' / '.join(configs)})" if len(configs) > 1 else "") + " |"
    rule += "---:|"
    lines = [head, rule]
    for w in names:
        if w == "W1":
            shape, what = "1024×1024×1024", "W1, a·b"
        else:
            m, k, n, what = GEMM_SHAPES[w]
            shape, what = f"{m}×{k}×{n}", f"{w}, {what}"
        t, npy = value(tres, w), value(tres, w + "_numpy")
        row = f"| {what} | {shape} | {fmt(t)}{pct(t)} | {fmt(npy)}{pct(npy)} |"
        ratios = []
        for c in configs:
            n = value(nres_by[c], w)
            row += f" {fmt(n)}{pct(n)} |"
            ratios.append("—" if not (n and npy) else f"{n / npy:.2f}×")
        row += f" {' / '.join(ratios)} |"
        lines.append(row)
    lines.append("")
    lines.append("GFLOP/s (2·m·k·n per product, median) and, in brackets, the fraction of the measured "
                 "all-threads float32 FMA peak" + (f" ({peak:.0f} GFLOP/s)" if peak else " (not measured)")
                 + ". T1-T3 are the GEMMs of the MLP training step on transposed views (`.t()` in "
                   "PyTorch, `.T` in numpy, `transpose()` in Nabla), as the step computes them.")
    return lines


def memory_table(memory, iterations):
    """memory: {workload: {side_or_config: JSON or None}}."""
    if not memory:
        return []
    lines = ["| workload | side | peak RSS − idle RSS, MiB | peak RSS, MiB | idle RSS, MiB | "
             "peak heap used at a GC, MiB | peak heap after a GC, MiB | heap live at the end, MiB | "
             "GCs | Nabla / PyTorch |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for w, by_side in memory.items():
        torch_growth = None
        tm = (by_side.get("torch") or {}).get("memory")
        if tm:
            torch_growth = tm["rss_peak_bytes"] - tm["rss_baseline_bytes"]
        for side, out in by_side.items():
            label = {"torch": "PyTorch", "torch_malloc": "PyTorch, malloc tuned",
                     "compiled": "Nabla default, compiled (applyInto)"}.get(side) or NABLA_CONFIGS[side][0]
            m = (out or {}).get("memory")
            calls = (m or {}).get("iterations", iterations.get(w))
            desc = f"W4 MLP training loop, {calls} steps" if w == "W4" else f"W5 fwd+bwd, {calls} calls"
            if not m:
                lines.append(f"| {desc} | {label} | failed | | | | | | | |")
                continue
            growth = m["rss_peak_bytes"] - m["rss_baseline_bytes"]
            ratio = "—"
            if not side.startswith("torch") and torch_growth:
                if side != "compiled" and "-XX:+AlwaysPreTouch" in NABLA_CONFIGS[side][1]:
                    ratio = f"{m['heap_peak_at_gc_bytes'] / torch_growth:.2f}× (heap)"
                else:
                    ratio = f"{growth / torch_growth:.2f}× (RSS)"
            lines.append(f"| {desc} | {label} | {mib(growth)} | {mib(m['rss_peak_bytes'])} | "
                         f"{mib(m['rss_baseline_bytes'])} | {mib(m.get('heap_peak_at_gc_bytes'))} | "
                         f"{mib(m.get('heap_peak_after_gc_bytes') if m.get('gc_count') else None)} | {mib(m.get('heap_live_end_bytes'))} | "
                         f"{m.get('gc_count', '—')} | {ratio} |")
    resets = {m["memory"].get("rss_peak_reset") for by in memory.values() for m in by.values()
              if m and m.get("memory")}
    lines.append("")
    lines.append(
        "One fresh process per row. *Idle RSS*: resident set (VmRSS) of the process before the workload "
        "builds anything (PyTorch: after `import torch` and `gc.collect()`; Nabla: JVM started, "
        "`System.gc()`). *Peak RSS*: VmHWM of /proc/self/status after the calls, inputs included"
        + ("; VmHWM was reset to the idle RSS first (write 5 to /proc/self/clear_refs), so start-up "
           "peaks do not count" if resets == {True} else "; VmHWM could not be reset, so it may include "
           "start-up") +
        ". Nabla's heap, from GC notifications: *peak heap used at a GC*, the largest occupancy (live "
        "data plus garbage not yet collected) just before a collection or at the end, which is what the "
        "heap had to hold; *peak heap after a GC*, the largest occupancy just after one (what survived, "
        "close to the peak live data; — if no GC ran); *heap live at the end*, after a `System.gc()` "
        "(inputs, parameters, gradients and any buffer cache still held). With -Xms4g and AlwaysPreTouch the whole "
        "heap is resident before the idle point, so that row's RSS growth is memory outside the heap and "
        "its heap columns are the meaningful ones. *Nabla / PyTorch*: Nabla's RSS growth over PyTorch's "
        "(RSS), or for a pre-touched heap Nabla's peak heap used at a GC over PyTorch's RSS growth "
        "(heap); < 1 means Nabla needed less. The ratio is against the first PyTorch row (glibc's malloc "
        "defaults unless --torch-malloc tuned).")
    return lines


def sanity_lines(torch_out, nabla_outs):
    """One line per check: PyTorch's value and each Nabla configuration's (once if they agree)."""
    tchk = (torch_out or {}).get("checks", {})
    nchks = {c: (o or {}).get("checks", {}) for c, o in nabla_outs.items()}
    keys = list(dict.fromkeys(list(tchk) + [k for n in nchks.values() for k in n]))
    if not keys:
        return []

    def agree(tv, nv):
        if isinstance(tv, (int, float)) and isinstance(nv, (int, float)):
            rel = abs(tv - nv) / max(abs(tv), 1e-12)
            return " ✓" if rel < 1e-3 else f" ✗ MISMATCH (rel. diff {rel:.2e})"
        if isinstance(tv, str) and isinstance(nv, str):
            try:
                a, b = json.loads(tv), json.loads(nv)
                ok = len(a) == len(b) and all(abs(x - y) <= 1e-5 * max(1, abs(x)) for x, y in zip(a, b))
                return " ✓" if ok else " ✗ MISMATCH"
            except ValueError:
                pass
        return ""

    lines = ["Sanity checks (PyTorch vs Nabla, results of the same computation):", ""]
    for k in keys:
        tv = tchk.get(k)
        values = {NABLA_CONFIGS[c][0]: n.get(k) for c, n in nchks.items() if n.get(k) is not None}
        distinct = list(dict.fromkeys(json.dumps(v) for v in values.values()))
        if len(distinct) == 1:
            nv = next(iter(values.values()))
            who = "Nabla" if len(values) == 1 else "Nabla (all configurations)"
            nabla_s = [(who, nv)]
        else:
            nabla_s = list(values.items())
        parts = [] if tv is None else [f"PyTorch {tv}"]
        for who, nv in nabla_s:
            flag = "" if (tv is None or k.startswith("W4")) else agree(tv, nv)
            parts.append(f"{who} {nv}{flag}")
        lines.append(f"- {k}: " + ", ".join(parts))
    if any(k.startswith("W4") for k in keys):
        lines.append("  (W4 initial weights come from different generators, so the losses only "
                     "need to be close to ln 10 ≈ 2.303)")
    lines.append("")
    return lines


def build_report(torch_out, nabla_outs, fma, memory, mem_iterations, cpu, parent_env,
                 load_before, load_after, args, torch_malloc_out=None):
    tres = (torch_out or {}).get("results", {})
    nres_by = {c: (out or {}).get("results", {}) for c, out in nabla_outs.items()}
    only = selected(args)
    peak = all_threads_peak(fma)
    lines = []
    kind = "QUICK validation run (short, noisy)" if args.quick else "full run"
    when = getattr(args, "run_time", None) or time.strftime('%Y-%m-%d %H:%M %Z')
    lines.append(f"Nabla vs PyTorch — {kind}, {when}")
    lines.append("")
    lines.extend(cpu_lines(cpu))
    lines.extend(fma_lines(fma))
    for c in nabla_outs:
        lines.append(f"- *{NABLA_CONFIGS[c][0]}*: {NABLA_CONFIGS[c][2]}")
    lines.append("")
    if any(w in only for w in WORKLOADS):
        lines.extend(main_table(tres, nres_by, peak, only, args, torch_malloc_out))
        lines.append("")
        lines.append("Medians over repeated timed samples after warm-up (same scheme on both sides); "
                     "ratio > 1 means Nabla is faster. W1 ratio is Nabla/PyTorch GFLOP/s; "
                     "W1's target is judged against numpy's float32 matmul (OpenBLAS) and the measured "
                     "FMA peak. Each Nabla configuration is a separate JVM, run one after the other.")
        lines.append("")
    g = gemm_table(tres, nres_by, peak, only)
    if g:
        lines.extend(g)
        lines.append("")
    m = memory_table(memory, mem_iterations)
    if m:
        lines.append("Peak memory:")
        lines.append("")
        lines.extend(m)
        lines.append("")
    lines.append("Machine:")
    lines.append("")
    lines.extend(machine_lines((torch_out or {}).get("meta"),
                               {c: (o or {}).get("meta") for c, o in nabla_outs.items()},
                               parent_env, load_before, load_after, args))
    lines.append("")
    noise = []
    extra = [w + "_numpy" for w in ["W1"] + list(GEMM_SHAPES) if w in only]
    for w in [x for x in ALL_WORKLOADS if x in only] + extra:
        parts = []
        sides = [("numpy" if w.endswith("_numpy") else "PyTorch", tres)]
        if not w.endswith("_numpy"):
            sides += [(f"Nabla {c}", r) for c, r in nres_by.items()]
        for side, res in sides:
            if res and w in res:
                r = res[w]
                parts.append(f"{side} IQR {spread(res, w):.0f}% of median, {r['samples']}×{r['batch']} calls")
        if parts:
            noise.append(f"{w}: " + "; ".join(parts))
    if noise:
        lines.append("Spread: " + " · ".join(noise))
        lines.append("")
    lines.extend(sanity_lines(torch_out, nabla_outs))
    if args.skip_torch:
        lines.append("(PyTorch side skipped.)")
    elif torch_out is None:
        lines.append("**PyTorch side failed to run** (see stderr).")
    elif torch_out.get("errors"):
        for w, e in torch_out["errors"].items():
            lines.append(f"**PyTorch {w} failed**: {e}")
    if args.skip_nabla:
        lines.append("(Nabla side skipped.)")
    for config, out in nabla_outs.items():
        if out is None:
            lines.append(f"**{NABLA_CONFIGS[config][0]} failed to run** (see stderr).")
        elif out.get("errors"):
            for w, e in out["errors"].items():
                lines.append(f"**{NABLA_CONFIGS[config][0]} {w} failed**: {e}")
    return "\n".join(lines).rstrip() + "\n"


def torch_env(args, malloc_tuned=False):
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_",
              "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_"):
        env.pop(k, None)
    if malloc_tuned:
        env.update(MALLOC_TUNED_ENV)
    t = str(args.threads)
    env.update(OMP_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t, MKL_NUM_THREADS=t)
    if args.torch_omp_wait_policy.lower() == "unset":
        env.pop("OMP_WAIT_POLICY", None)
    else:
        env["OMP_WAIT_POLICY"] = args.torch_omp_wait_policy.upper()
    return env


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short validation run (noisy)")
    ap.add_argument("--out", metavar="FILE", help="also write the markdown report to FILE")
    ap.add_argument("--raw", metavar="FILE", help="also write all raw JSON to FILE")
    ap.add_argument("--only", default=",".join(ALL_WORKLOADS),
                    help="comma-separated workloads, e.g. W2,W3 (default: W1-W6 and the GEMM shapes T1-T3)")
    ap.add_argument("--threads", type=int, default=2, help="threads on both sides (default 2)")
    ap.add_argument("--configs", default=",".join(NABLA_CONFIGS),
                    help="Nabla JVM configurations, comma-separated subset of default (plain java with "
                         "the Vector API module), tuned (-Xms4g -Xmx4g -XX:+AlwaysPreTouch), scalar "
                         "(no Vector API, tuned heap); default: all three")
    ap.add_argument("--no-simd", action="store_true",
                    help="only the scalar configuration (same as --configs scalar)")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs of W4 and W5")
    ap.add_argument("--no-fma-peak", action="store_true", help="skip measuring the FMA peak")
    ap.add_argument("--epochs", type=int, default=0, metavar="N",
                    help="also run tools/bench/train_compare.py (D2L softmax and MLP training epochs): "
                         "1 round of N timed epochs after 1 warm-up epoch (default 0: skip)")
    ap.add_argument("--report-from", metavar="FILE",
                    help="run nothing: print the report of an earlier run from its --raw FILE")
    ap.add_argument("--java", help="java executable (default: NABLA_JAVA_HOME/JAVA_HOME if JDK>=25, "
                                   "else /usr/lib/jvm/temurin-25-jdk-amd64)")
    ap.add_argument("--jar", default=JAR, help="benchmarks jar (default nabla-bench/target/benchmarks.jar)")
    ap.add_argument("--torch-python", help="Python with torch+numpy (default /usr/bin/python3)")
    ap.add_argument("--torch-omp-wait-policy", default="PASSIVE", choices=["PASSIVE", "ACTIVE", "unset"],
                    help="OMP_WAIT_POLICY for the PyTorch worker (default PASSIVE, see above)")
    ap.add_argument("--torch-malloc", default="both", choices=["both", "default", "tuned"],
                    help="glibc malloc of the PyTorch worker: default, tuned (MALLOC_MMAP_MAX_=0, "
                         "MALLOC_TRIM_THRESHOLD_=64 GiB: large blocks reused, not unmapped), or both "
                         "(default: everything with glibc's defaults, plus W4 and W5 again with malloc tuned)")
    ap.add_argument("--skip-torch", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--skip-nabla", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--w5-n", type=int, default=W5_N, help=argparse.SUPPRESS)
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--memory-worker", metavar="W", help=argparse.SUPPRESS)
    ap.add_argument("--iterations", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.torch_worker:
        torch_worker(args)
        return 0
    if args.memory_worker:
        torch_memory_worker(args)
        return 0
    if args.report_from:
        with open(args.report_from) as f:
            raw = json.load(f)
        ctx = raw.get("context", {})
        for k in ("quick", "threads", "only", "torch_malloc"):
            if k in ctx:
                setattr(args, k, ctx[k])
        args.run_time = ctx.get("time")
        print(build_report(raw.get("torch"), raw.get("nabla", {}), raw.get("fma_peak"), raw.get("memory", {}),
                           ctx.get("mem_iterations", {w: v[0] for w, v in MEMORY_ITERATIONS.items()}),
                           ctx.get("lscpu") or lscpu(), ctx.get("parent_env", {}), ctx.get("load_before", "?"),
                           ctx.get("load_after", "?"), args, raw.get("torch_malloc")), end="")
        return 0

    configs = ["scalar"] if args.no_simd else [c.strip().lower() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in NABLA_CONFIGS]
    if unknown:
        ap.error(f"--configs: unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(NABLA_CONFIGS)}")
    only = selected(args)
    bad = [w for w in only if w not in ALL_WORKLOADS]
    if bad:
        ap.error(f"--only: unknown workload(s) {', '.join(bad)}; choose from {', '.join(ALL_WORKLOADS)}")
    if args.skip_nabla:
        configs = []

    if configs and not os.path.isfile(args.jar):
        log(f"compare.py: {args.jar} not found; build it first:\n"
            f"  cd {ROOT} && ./mvnw -q install -Dmaven.test.skip=true")
        return 2

    cpu = lscpu()
    parent_env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    common = ["--only", ",".join(only), "--threads", str(args.threads)] + (["--quick"] if args.quick else [])
    java = find_java(args.java)
    py = find_torch_python(args.torch_python)
    ok = True

    # The FMA peak first, while nothing else of this script runs.
    fma = None
    if not args.no_fma_peak and os.path.isfile(args.jar):
        counts = sorted({1, args.threads, os.cpu_count() or 1})
        cmd = [java, "--add-modules=jdk.incubator.vector", "-cp", args.jar, "nabla.bench.FmaPeak",
               "--threads", ",".join(map(str, counts))] + (["--quick"] if args.quick else [])
        fma = run_json(cmd, label="fma-peak")

    torch_out = None
    if not args.skip_torch:
        cmd = [py, os.path.abspath(__file__), "--torch-worker", "--w5-n", str(args.w5_n),
               "--torch-omp-wait-policy", args.torch_omp_wait_policy] + common
        torch_out = run_json(cmd, env=torch_env(args, args.torch_malloc == "tuned"), label="pytorch")
        ok &= torch_out is not None
    torch_malloc_out = None
    malloc_only = [w for w in only if w in MALLOC_WORKLOADS]
    if not args.skip_torch and args.torch_malloc == "both" and malloc_only:
        cmd = [py, os.path.abspath(__file__), "--torch-worker", "--w5-n", str(args.w5_n),
               "--torch-omp-wait-policy", args.torch_omp_wait_policy, "--only", ",".join(malloc_only),
               "--threads", str(args.threads)] + (["--quick"] if args.quick else [])
        torch_malloc_out = run_json(cmd, env=torch_env(args, True), label="pytorch malloc tuned")
        ok &= torch_malloc_out is not None

    nabla_outs = {}
    for config in configs:
        jvm = NABLA_CONFIGS[config][1]
        cmd = [java] + jvm + ["-cp", args.jar, "nabla.bench.Compare", "--w5-n", str(args.w5_n)] + common
        nabla_outs[config] = run_json(cmd, label=f"nabla {config}")
        ok &= nabla_outs[config] is not None

    # Peak memory: one fresh process per workload and side.
    memory = {}
    mem_iterations = {w: MEMORY_ITERATIONS[w][1 if args.quick else 0] for w in MEMORY_ITERATIONS}
    if not args.no_memory:
        for w in ("W5", "W4"):
            if w not in only:
                continue
            memory[w] = {}
            it = str(mem_iterations[w])
            if not args.skip_torch:
                cmd = [py, os.path.abspath(__file__), "--memory-worker", w, "--iterations", it,
                       "--w5-n", str(args.w5_n), "--threads", str(args.threads),
                       "--torch-omp-wait-policy", args.torch_omp_wait_policy]
                memory[w]["torch"] = run_json(cmd, env=torch_env(args, args.torch_malloc == "tuned"),
                                              label=f"pytorch memory {w}")
                if args.torch_malloc == "both":
                    memory[w]["torch_malloc"] = run_json(cmd, env=torch_env(args, True),
                                                         label=f"pytorch malloc tuned memory {w}")
            for config in configs:
                cmd = [java] + NABLA_CONFIGS[config][1] + [
                    "-cp", args.jar, "nabla.bench.PeakMemory", "--workload", w, "--iterations", it,
                    "--w5-n", str(args.w5_n), "--threads", str(args.threads)]
                memory[w][config] = run_json(cmd, label=f"nabla {config} memory {w}")
            if w == "W5" and "default" in configs:
                # compileMulti(valueAndGrad(f)) with applyInto: one pass, no temporaries
                cmd = [java] + NABLA_CONFIGS["default"][1] + [
                    "-cp", args.jar, "nabla.bench.PeakMemory", "--workload", "W5C", "--iterations", it,
                    "--w5-n", str(args.w5_n), "--threads", str(args.threads)]
                memory[w]["compiled"] = run_json(cmd, label="nabla default memory W5 compiled")

    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    report = build_report(torch_out, nabla_outs, fma, memory, mem_iterations, cpu, parent_env,
                          load_before, load_after, args, torch_malloc_out)

    if args.epochs > 0:
        cmd = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "train_compare.py"),
               "--rounds", "1", "--warmup", "1", "--epochs", str(args.epochs),
               "--threads", str(args.threads), "--java", java, "--jar", args.jar, "--python", py]
        log(f"[epochs] {' '.join(cmd)}")
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        report += "\n## D2L training epochs (tools/bench/train_compare.py)\n\n"
        if proc.returncode == 0:
            report += proc.stdout.strip() + "\n"
        else:
            report += f"**train_compare.py failed** (exit code {proc.returncode}, see stderr).\n"
            ok = False

    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)
        log(f"wrote {args.out}")
    if args.raw:
        with open(args.raw, "w") as f:
            context = {"quick": args.quick, "threads": args.threads, "only": args.only,
                       "torch_malloc": args.torch_malloc,
                       "mem_iterations": mem_iterations, "lscpu": cpu, "parent_env": parent_env,
                       "load_before": load_before, "load_after": load_after,
                       "time": time.strftime('%Y-%m-%d %H:%M %Z')}
            json.dump({"context": context, "fma_peak": fma, "torch": torch_out,
                       "torch_malloc": torch_malloc_out, "nabla": nabla_outs,
                       "memory": memory}, f, indent=2)
        log(f"wrote {args.raw}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
