#!/usr/bin/env python3
"""Nabla vs PyTorch on the six workloads of the issue "Speed close to the hardware".

One command, both sides back-to-back in the same session, one markdown table:

    ./mvnw -q install -Dmaven.test.skip=true      # builds nabla-bench/target/benchmarks.jar
    /usr/bin/python3 tools/bench/compare.py        # full run (a few minutes)
    /usr/bin/python3 tools/bench/compare.py --quick --out /tmp/quick.md   # short validation run

What it does
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
     matmul n=1024: the OpenBLAS sgemm reference for W1's target.
  2. Nabla side: runs ``nabla.bench.Compare`` from nabla-bench/target/benchmarks.jar on JDK 25 with
     --add-modules=jdk.incubator.vector (or -Dnabla.simd=false with --no-simd). It prints JSON.
  3. Both sides use the same timing scheme: warm up, calibrate a batch of k calls lasting at least
     a minimum sample time, take as many samples as fit in a budget, report the median per call.
     Ratios are Nabla speed / PyTorch speed (>1 means Nabla is faster).

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
W5_N = 10_000_000

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
}
# minimum ratio (Nabla speed / PyTorch speed) for the target; W1 is judged against OpenBLAS.
TARGETS = {
    "W2": (10.0, "≥ 10× faster than PyTorch"),
    "W3": (10.0, "≥ 10× faster than PyTorch"),
    "W4": (1.25, "Nabla time ≤ 0.8× PyTorch"),
    "W5": (2.0, "≥ 2× faster than PyTorch"),
    "W6": (1.0, "Nabla time ≤ PyTorch"),
}


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


def torch_worker(args):
    threads = str(args.threads)
    # Pin the thread pools BEFORE importing numpy/torch (they read these at load time).
    os.environ["OMP_NUM_THREADS"] = threads
    os.environ["OPENBLAS_NUM_THREADS"] = threads
    os.environ["MKL_NUM_THREADS"] = threads
    if args.torch_omp_wait_policy.lower() == "unset":
        os.environ.pop("OMP_WAIT_POLICY", None)
    else:
        os.environ["OMP_WAIT_POLICY"] = args.torch_omp_wait_policy.upper()
    # The parent already removed these from our environment; make sure, and record it.
    removed = {k: os.environ.pop(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
               if k in os.environ}

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
        checks["W4 first loss"] = op().item()
        results["W4"] = measure(op, plan)

    def w5():
        n = args.w5_n
        x = torch.linspace(0, 1, n).requires_grad_(True)
        y = torch.linspace(1, 0, n).requires_grad_(True)

        def op():
            s = x.mul(y).add(x).exp().sum()
            s.backward()
            x.grad.zero_()
            y.grad.zero_()
            return s
        checks["W5 value"] = op().item()
        results["W5"] = dict(measure(op, plan), n=n)

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

    meta = {
        "side": "torch",
        "quick": args.quick,
        "python": sys.executable + " " + platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "torch.get_num_threads": torch.get_num_threads(),
        "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                               "MKL_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE",
                                               "OPENBLAS_L2_SIZE")},
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


def machine_lines(cpu, torch_meta, nabla_meta, parent_env, load_before, load_after, args):
    flags = cpu.get("Flags", "").split()
    simd = ", ".join(f for f in ("avx2", "avx512f", "avx512_bf16") if f in flags) or "?"
    lines = [
        f"- CPU: {cpu.get('Model name', '?')} (family {cpu.get('CPU family', '?')}, model "
        f"{cpu.get('Model', '?')}; {cpu.get('CPU(s)', '?')} CPUs, "
        f"{cpu.get('Thread(s) per core', '?')} thread(s)/core, L2 {cpu.get('L2 cache', '?')}, "
        f"L3 {cpu.get('L3 cache', '?')}; {simd}; hypervisor {cpu.get('Hypervisor vendor', 'none')})",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Load average (1/5/15 min) before: {load_before}, after: {load_after} "
        f"(other processes on a 2-core machine make every number noisy)",
        f"- Threads: {args.threads} on both sides",
    ]
    if nabla_meta:
        lines.append(
            f"- Nabla: JDK {nabla_meta.get('java.version')} ({nabla_meta.get('java.vm')}), "
            f"JVM args `{nabla_meta.get('jvm.args')}`; vector module present: "
            f"{nabla_meta.get('vector.module')}, -Dnabla.simd={nabla_meta.get('nabla.simd')}, "
            f"Simd.enabled()={nabla_meta.get('Simd.enabled()')}; kernel threads: "
            f"{nabla_meta.get('threads.set')}, Parallel.threads()={nabla_meta.get('Parallel.threads()')}")
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
            f"{parent_env.get('OPENBLAS_L2_SIZE') or '(unset)'})")
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
    """Value in the workload's unit, from a result dict (or None)."""
    if not res or w not in res:
        return None
    r = res[w]
    unit, scale, _ = UNITS["W1" if w.startswith("W1") else w]
    if scale is None:
        return r["flops"] / r["median_s"] / 1e9
    return r["median_s"] * scale


def spread(res, w):
    if not res or w not in res:
        return None
    r = res[w]
    return (r["p75_s"] - r["p25_s"]) / r["median_s"] * 100 if r["median_s"] > 0 else None


def build_report(torch_out, nabla_out, cpu, parent_env, load_before, load_after, args):
    tres = (torch_out or {}).get("results", {})
    nres = (nabla_out or {}).get("results", {})
    only = [w.strip().upper() for w in args.only.split(",")]
    lines = []
    kind = "QUICK validation run (short, noisy)" if args.quick else "full run"
    lines.append(f"Nabla vs PyTorch — {kind}, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    lines.append("")
    lines.append("| workload | unit | PyTorch | Nabla | ratio (Nabla speed / PyTorch) | target | met? |")
    lines.append("|---|---|---:|---:|---:|---|---|")
    numpy_gflops = value(tres, "W1_numpy")
    for w in WORKLOADS:
        if w not in only:
            continue
        unit, _, higher = UNITS[w]
        t, n = value(tres, w), value(nres, w)
        ratio = None
        if t and n:
            ratio = n / t if higher else t / n
        if w == "W1":
            target = f"≥ 0.9× OpenBLAS sgemm (numpy: {fmt(numpy_gflops)} GFLOP/s)"
            met = None if (n is None or numpy_gflops is None) else n >= 0.9 * numpy_gflops
        else:
            thr, target = TARGETS[w]
            met = None if ratio is None else ratio >= thr
        met_s = "n/a" if met is None else ("yes" if met else "no")
        ratio_s = "—" if ratio is None else f"{ratio:.2f}×"
        lines.append(f"| {w} {DESCRIPTIONS[w]} | {unit} | {fmt(t)} | {fmt(n)} | {ratio_s} | {target} | {met_s} |")
    lines.append("")
    lines.append("Medians over repeated timed samples after warm-up (same scheme on both sides); "
                 "ratio > 1 means Nabla is faster. W1 ratio is Nabla/PyTorch GFLOP/s; "
                 "W1's target is judged against numpy's float32 matmul (OpenBLAS).")
    lines.append("")
    lines.append("Machine:")
    lines.append("")
    lines.extend(machine_lines(cpu, (torch_out or {}).get("meta"), (nabla_out or {}).get("meta"),
                               parent_env, load_before, load_after, args))
    lines.append("")
    # Noise and sanity checks.
    noise = []
    for w in [x for x in WORKLOADS if x in only] + (["W1_numpy"] if "W1" in only else []):
        parts = []
        for side, res in (("PyTorch", tres), ("Nabla", nres)):
            if side == "PyTorch" and w == "W1_numpy":
                side = "numpy"
            if res and w in res:
                r = res[w]
                parts.append(f"{side} IQR {spread(res, w):.0f}% of median, {r['samples']}×{r['batch']} calls")
        if parts:
            noise.append(f"{w}: " + "; ".join(parts))
    if noise:
        lines.append("Spread: " + " · ".join(noise))
        lines.append("")
    tchk = (torch_out or {}).get("checks", {})
    nchk = (nabla_out or {}).get("checks", {})
    keys = list(dict.fromkeys(list(tchk) + list(nchk)))
    if keys:
        lines.append("Sanity checks (PyTorch vs Nabla results of the same computation):")
        lines.append("")
        for k in keys:
            tv, nv = tchk.get(k), nchk.get(k)
            flag = ""
            if isinstance(tv, (int, float)) and isinstance(nv, (int, float)) and not k.startswith("W4"):
                rel = abs(tv - nv) / max(abs(tv), 1e-12)
                flag = " ✓" if rel < 1e-3 else f" ✗ MISMATCH (rel. diff {rel:.2e})"
            elif isinstance(tv, str) and isinstance(nv, str):
                try:
                    a, b = json.loads(tv), json.loads(nv)
                    ok = len(a) == len(b) and all(abs(x - y) <= 1e-5 * max(1, abs(x)) for x, y in zip(a, b))
                    flag = " ✓" if ok else " ✗ MISMATCH"
                except ValueError:
                    pass
            if tv is None or nv is None:
                side = "Nabla" if tv is None else "PyTorch"
                lines.append(f"- {k}: {side} {nv if tv is None else tv}")
            else:
                lines.append(f"- {k}: PyTorch {tv}, Nabla {nv}{flag}")
        if any(k.startswith("W4") for k in keys):
            lines.append("  (W4 initial weights come from different generators, so the losses only "
                         "need to be close to ln 10 ≈ 2.303)")
        lines.append("")
    for side, out, skipped in (("PyTorch", torch_out, args.skip_torch),
                               ("Nabla", nabla_out, args.skip_nabla)):
        if skipped:
            lines.append(f"({side} side skipped.)")
        elif out is None:
            lines.append(f"**{side} side failed to run** (see stderr).")
        elif out.get("errors"):
            for w, e in out["errors"].items():
                lines.append(f"**{side} {w} failed**: {e}")
    return "\n".join(lines).rstrip() + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short validation run (noisy)")
    ap.add_argument("--out", metavar="FILE", help="also write the markdown report to FILE")
    ap.add_argument("--raw", metavar="FILE", help="also write both sides' raw JSON to FILE")
    ap.add_argument("--only", default=",".join(WORKLOADS), help="comma-separated workloads, e.g. W2,W3")
    ap.add_argument("--threads", type=int, default=2, help="threads on both sides (default 2)")
    ap.add_argument("--no-simd", action="store_true",
                    help="Nabla side without the Vector API (-Dnabla.simd=false, no --add-modules)")
    ap.add_argument("--java", help="java executable (default: NABLA_JAVA_HOME/JAVA_HOME if JDK>=25, "
                                   "else /usr/lib/jvm/temurin-25-jdk-amd64)")
    ap.add_argument("--jar", default=JAR, help="benchmarks jar (default nabla-bench/target/benchmarks.jar)")
    ap.add_argument("--torch-python", help="Python with torch+numpy (default /usr/bin/python3)")
    ap.add_argument("--torch-omp-wait-policy", default="PASSIVE", choices=["PASSIVE", "ACTIVE", "unset"],
                    help="OMP_WAIT_POLICY for the PyTorch worker (default PASSIVE, see above)")
    ap.add_argument("--skip-torch", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--skip-nabla", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--w5-n", type=int, default=W5_N, help=argparse.SUPPRESS)
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.torch_worker:
        torch_worker(args)
        return 0

    if not args.skip_nabla and not os.path.isfile(args.jar):
        log(f"compare.py: {args.jar} not found; build it first:\n"
            f"  cd {ROOT} && ./mvnw -q install -Dmaven.test.skip=true")
        return 2

    cpu = lscpu()
    parent_env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    common = ["--only", args.only, "--threads", str(args.threads)] + (["--quick"] if args.quick else [])

    torch_out = None
    if not args.skip_torch:
        env = dict(os.environ)
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            env.pop(k, None)
        t = str(args.threads)
        env.update(OMP_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t, MKL_NUM_THREADS=t)
        if args.torch_omp_wait_policy.lower() == "unset":
            env.pop("OMP_WAIT_POLICY", None)
        else:
            env["OMP_WAIT_POLICY"] = args.torch_omp_wait_policy.upper()
        cmd = [find_torch_python(args.torch_python), os.path.abspath(__file__), "--torch-worker",
               "--w5-n", str(args.w5_n),
               "--torch-omp-wait-policy", args.torch_omp_wait_policy] + common
        torch_out = run_json(cmd, env=env, label="pytorch")

    nabla_out = None
    if not args.skip_nabla:
        java = find_java(args.java)
        # AlwaysPreTouch: fault the whole heap in at start-up. On this VM a first touch of a heap
        # page costs tens of microseconds; without it, allocation-heavy workloads (W1, W2, W4) run
        # 2-10x slower until G1 has cycled through all 4 GB once (measured, see BENCHMARKS.md).
        jvm = ["-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "-Xss16m"]
        jvm += ["-Dnabla.simd=false"] if args.no_simd else ["--add-modules=jdk.incubator.vector"]
        cmd = [java] + jvm + ["-cp", args.jar, "nabla.bench.Compare", "--w5-n", str(args.w5_n)] + common
        nabla_out = run_json(cmd, label="nabla")

    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    report = build_report(torch_out, nabla_out, cpu, parent_env, load_before, load_after, args)
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)
        log(f"wrote {args.out}")
    if args.raw:
        with open(args.raw, "w") as f:
            json.dump({"torch": torch_out, "nabla": nabla_out}, f, indent=2)
        log(f"wrote {args.raw}")
    return 0 if (torch_out is not None or args.skip_torch) and (nabla_out is not None or args.skip_nabla) else 1


if __name__ == "__main__":
    sys.exit(main())
