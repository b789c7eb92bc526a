#!/usr/bin/env python3
"""Generate PyTorch reference values for the forward value of every Nabla tensor operation.

Regenerate (from the repository root, with a Python 3 that has PyTorch installed):

    python3 tools/reference/generate_forward.py [--keep-existing]

On Debian 12 PyTorch comes from the `python3-torch` package (1.13.1+dfsg-4, which reports
torch.__version__ == "1.13.0a0"); it lives in the system interpreter, so if `python3` on your
PATH is another interpreter use `/usr/bin/python3 tools/reference/generate_forward.py`.
The data committed was generated with torch 1.13.0a0 (Debian 1.13.1+dfsg-4), CPU; the
version is also stored in the JSON as "torch_version".

Input: the list of operations, nabla-core/src/test/resources/nabla/ops.json, which the Java
spec table (nabla-core/src/test/java/nabla/ops/PrimitiveSpecs.java) reads too. A row of family
"unary" is generated from the row alone (torch.<op>, its input range, special values and NaN
case); a row of family "binary" or "compare" uses torch.<op> in the binary or compare group; any
other row names its group in "gen" (the gen_* functions below, run in the order of GROUPS). Rows
without a group have no PyTorch reference. The generator fails if a listed op gets no case or a
case has an op that is not listed.

Output: nabla-core/src/test/resources/nabla/reference/forward.json, read by
nabla-core/src/test/java/nabla/reference/ForwardReferenceTest.java (the Java tests never
need PyTorch).

Format:
    {"torch_version": "...",
     "cases": [{"name": "add/broadcast_2x3+3", "op": "add", "params": {...},
                "inputs": [T, ...], "output": T}, ...]}
    T = {"dtype": "float32"|"float64"|"int64"|"bool", "shape": [...], "data": [...]}
data is flat row-major; 0-d tensors have shape [] and one datum; float values are the exact
value of the element as a double (float32 elements widened exactly); non-finite values are
the strings "nan", "inf", "-inf".

Options:
    --keep-existing   keep the committed line of every case that is already in the output file
                      and add only the new cases (use it when adding an op: torch's matmul and dot
                      can differ in their last bits between machines, through OpenBLAS, and would
                      otherwise show up in the diff)

The output is deterministic: inputs come from random.Random seeded per op name (crc32), not
from torch's RNG. float32 inputs are drawn as doubles and rounded to float32; float64 inputs
use full double precision (the Java side builds them with Tensor.ofDoubles).
"""

import json
import math
import os
import random
import struct
import sys
import zlib

import torch
import torch.nn.functional as F

torch.set_num_threads(1)  # reductions in a fixed order

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "nabla", "reference", "forward.json")
OPS = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "nabla", "ops.json")

F64, F32, I64, BOOL = torch.float64, torch.float32, torch.int64, torch.bool
DTYPE_NAMES = {F64: "float64", F32: "float32", I64: "int64", BOOL: "bool"}
NAME_DTYPES = {v: k for k, v in DTYPE_NAMES.items()}

INF = float("inf")
NAN = float("nan")

CASES = []
_names = set()


# ---------------------------------------------------------------- encoding

def _enc_float(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(t):
    assert isinstance(t, torch.Tensor), t
    t = t.detach().contiguous()
    dt = DTYPE_NAMES[t.dtype]
    flat = t.reshape(-1)
    if t.dtype in (F64, F32):
        data = [_enc_float(v) for v in flat.double().tolist()]
    elif t.dtype == I64:
        data = [int(v) for v in flat.tolist()]
    else:
        data = [bool(v) for v in flat.tolist()]
    return {"dtype": dt, "shape": list(t.shape), "data": data}


def add_case(op, name, inputs, output, params=None):
    full = op + "/" + name
    assert full not in _names, "duplicate case name " + full
    _names.add(full)
    CASES.append({
        "name": full,
        "op": op,
        "params": params or {},
        "inputs": [enc(t) for t in inputs],
        "output": enc(output),
    })


# ---------------------------------------------------------------- inputs

class Gen:
    def __init__(self, op):
        self.r = random.Random(zlib.crc32(op.encode("utf-8")))

    def uniform(self, shape, lo=-2.0, hi=2.0, dtype=F64):
        n = 1
        for s in shape:
            n *= s
        vals = [self.r.uniform(lo, hi) for _ in range(n)]
        return torch.tensor(vals, dtype=F64).reshape(shape).to(dtype)

    def ints(self, shape, lo, hi, dtype=F64):
        """Integer values in [lo, hi] (inclusive) as the given dtype."""
        n = 1
        for s in shape:
            n *= s
        vals = [self.r.randint(lo, hi) for _ in range(n)]
        return torch.tensor(vals, dtype=I64).reshape(shape).to(dtype)

    def index(self, shape, size):
        return self.ints(shape, 0, size - 1, I64)

    def mask(self, shape, p=0.5):
        n = 1
        for s in shape:
            n *= s
        vals = [self.r.random() < p for _ in range(n)]
        return torch.tensor(vals, dtype=BOOL).reshape(shape)

    def distinct(self, shape, dtype=F64, lo=-3.0, hi=3.0):
        """Random values, distinct from one another (for argmax/argmin without ties)."""
        n = 1
        for s in shape:
            n *= s
        while True:
            t = self.uniform([n], lo, hi, dtype)
            if len(set(t.tolist())) == n:
                return t.reshape(shape)


def ft(vals, dt, shape=None):
    """A float tensor of the given dtype from literal values."""
    t = torch.tensor(vals, dtype=dt)
    return t.reshape(shape) if shape is not None else t


def t64(vals, shape=None):
    return ft(vals, F64, shape)


def t32(vals, shape=None):
    t = torch.tensor(vals, dtype=F32)
    return t.reshape(shape) if shape is not None else t


def sname(shape):
    return "scalar" if len(shape) == 0 else "x".join(str(s) for s in shape)


def dname(dt):
    return "f32" if dt == F32 else ("f64" if dt == F64 else DTYPE_NAMES[dt])


# ---------------------------------------------------------------- unary

def num(v):
    """A number of ops.json: non-finite values are the strings "inf", "-inf", "nan"."""
    return float(v) if isinstance(v, str) else v


def torch_fn(row):
    """torch.<name>, else torch.nn.functional.<name>; the name is the row's "torch" or its op."""
    name = row.get("torch", row["op"])
    return getattr(torch, name, None) or getattr(F, name)


def gen_unary(rows):
    for row in rows:
        op = row["op"]
        fn = torch_fn(row)
        lo, hi = row["range"]
        g = Gen(op)
        for shape, dt in [([], F64), ([7], F64), ([3, 4], F64), ([2, 3, 4], F64),
                          ([], F32), ([3, 5], F32), ([2, 2, 3], F32)]:
            x = g.uniform(shape, lo, hi, dt)
            add_case(op, f"{sname(shape)}_{dname(dt)}", [x], fn(x))
        for shape, dt in [([0], F64), ([2, 0], F32)]:
            x = g.uniform(shape, lo, hi, dt)
            add_case(op, f"empty_{sname(shape)}_{dname(dt)}", [x], fn(x))
        for dt in (F64, F32):
            x = ft([num(v) for v in row["special"]], dt)
            add_case(op, f"special_{dname(dt)}", [x], fn(x))
        if "nan" in row:  # plain IEEE propagation (relu and sign leave it out on purpose)
            x = t64([NAN, num(row["nan"])])
            add_case(op, "nan_f64", [x], fn(x))


# ---------------------------------------------------------------- binary

BINARY_SHAPES = [
    ([2, 3], [2, 3], F64),
    ([2, 3], [3], F64),
    ([3], [2, 3], F64),
    ([2, 1], [1, 3], F64),
    ([], [2, 2], F64),
    ([2, 2], [], F64),
    ([], [], F64),
    ([5], [5], F64),
    ([4, 1, 3], [2, 1], F64),
    ([2, 3, 4], [2, 3, 4], F64),
    ([2, 3, 4], [3, 1], F64),
    ([0], [0], F64),
    ([2, 0], [1], F64),
    ([1, 3], [0, 1], F64),
    ([2, 3], [3], F32),
    ([4, 1, 3], [2, 1], F32),
    ([], [3], F32),
]


def binary_inputs(g, op, sa, sb, dt):
    if op == "pow":
        return g.uniform(sa, 0.1, 3.0, dt), g.uniform(sb, -2.0, 3.0, dt)
    if op == "div":
        a = g.uniform(sa, -3.0, 3.0, dt)
        b = g.uniform(sb, 0.25, 3.0, dt)
        s = g.ints(sb, 0, 1, dt) * 2 - 1  # random signs, keep |b| >= 0.25
        return a, b * s
    if op in ("remainder", "fmod"):
        # divisors away from 0 with both signs; dividends of either sign, some multiples of b
        a = g.uniform(sa, -7.0, 7.0, dt)
        b = g.uniform(sb, 0.25, 3.0, dt) * (g.ints(sb, 0, 1, dt) * 2 - 1)
        return a, b
    if op in ("maximum", "minimum"):
        # small integers so that ties occur
        return g.ints(sa, -2, 2, dt) * 0.5, g.ints(sb, -2, 2, dt) * 0.5
    return g.uniform(sa, -3.0, 3.0, dt), g.uniform(sb, -3.0, 3.0, dt)


def gen_binary(ops):
    for op in ops:
        fn = getattr(torch, op)
        g = Gen(op)
        for sa, sb, dt in BINARY_SHAPES:
            a, b = binary_inputs(g, op, sa, sb, dt)
            add_case(op, f"{sname(sa)}+{sname(sb)}_{dname(dt)}", [a, b], fn(a, b))
    # special values
    a = t64([1.0, -1.0, 0.0, INF, -INF, INF, 1e30, NAN])
    b = t64([INF, INF, 0.0, -INF, -INF, 1.0, 1e30, 1.0])
    for op in ops:
        if op in ("add", "sub", "mul", "div"):
            add_case(op, "special_f64", [a, b], getattr(torch, op)(a, b))
    if "div" in ops:
        a = t64([1.0, -1.0, 0.0, 5.0, -5.0])
        b = t64([0.0, 0.0, 0.0, INF, -INF])
        add_case("div", "by_zero_and_inf_f64", [a, b], torch.div(a, b))
        a = t32([1.0, -1.0, 0.0, 3.0])
        b = t32([0.0, 0.0, 0.0, 7.0])
        add_case("div", "by_zero_f32", [a, b], torch.div(a, b))
    if "pow" in ops:  # base 0 / 1 and exponent 0
        a = t64([0.0, 0.0, 1.0, 2.0, 0.5, 4.0, 1e10])
        b = t64([0.0, 2.0, 1000.0, 0.0, -1.0, 0.5, 2.0])
        add_case("pow", "special_f64", [a, b], torch.pow(a, b))
    for op in ops:
        if op in ("remainder", "fmod"):  # the signs, exact multiples, zero divisors, infinities
            fn = getattr(torch, op)
            a = t64([5.0, -5.0, 5.0, -5.0, 6.0, -6.0, 0.0, -0.0, -0.0, 1.0, INF, 1.0, -1.0, NAN, 7.5, -7.5, 1e300])
            b = t64([3.0, 3.0, -3.0, -3.0, 3.0, -2.0, 2.0, 2.0, -2.0, 0.0, 2.0, INF, INF, 1.0, 2.5, 2.5, 3.0])
            add_case(op, "special_f64", [a, b], fn(a, b))
            a = t32([5.0, -5.0, 5.0, -5.0, 0.1, -0.1, 3.5])
            b = t32([3.0, 3.0, -3.0, -3.0, 0.03, 0.03, -1.5])
            add_case(op, "signs_f32", [a, b], fn(a, b))
            a = torch.tensor([5, -5, 5, -5, 0, 7, -7, 6], dtype=I64)
            b = torch.tensor([3, 3, -3, -3, 2, -7, 7, 4], dtype=I64)
            add_case(op, "signs_i64", [a, b], fn(a, b))
        if op == "atan2":  # signed zeros and infinities pick the quadrant
            a = t64([0.0, -0.0, 0.0, -0.0, 1.0, -1.0, INF, INF, -INF, 1.0, NAN, 1e-300, 1e300])
            b = t64([0.0, 0.0, -0.0, -0.0, 0.0, 0.0, INF, -INF, 1.0, INF, 1.0, -1e300, 1e-300])
            add_case(op, "special_f64", [a, b], torch.atan2(a, b))
            a = torch.tensor([1, -1, 0, 3], dtype=I64)
            b = torch.tensor([1, 1, -1, 4], dtype=I64)
            add_case(op, "i64_f32", [a, b], torch.atan2(a, b))
        if op in ("maximum", "minimum"):
            a = t64([NAN, 1.0, NAN, INF, -INF, 0.0, 2.0])
            b = t64([1.0, NAN, NAN, 1.0, 1.0, -0.0, 2.0])
            add_case(op, "nan_inf_f64", [a, b], getattr(torch, op)(a, b))


# ---------------------------------------------------------------- binary with scalar

def gen_scalar_ops(ops):
    specs = {
        "add_scalar": (lambda x, s: torch.add(x, s), [2.5, -1.25, 0.0, 0.1, 1e10]),
        "sub_scalar": (lambda x, s: torch.sub(x, s), [2.5, -1.25, 0.0, 0.1]),
        "mul_scalar": (lambda x, s: torch.mul(x, s), [2.5, -1.25, 0.0, 0.1, 1e-3]),
        "div_scalar": (lambda x, s: torch.div(x, s), [2.5, -1.25, 0.1, 3.0, 0.0]),
    }
    shapes = [([2, 3], F64), ([], F64), ([5], F64), ([2, 3, 2], F64)]
    for op in ops:
        if op not in specs:
            continue
        fn, scalars = specs[op]
        g = Gen(op)
        for i, s in enumerate(scalars):
            shape, dt = shapes[i % len(shapes)]
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_{dname(dt)}_s{s!r}", [x], fn(x, s), {"scalar": s})
        for shape, dt, s in (([3, 2], F32, 1.75), ([], F32, -0.5), ([4], F32, 0.1), ([0], F64, 2.0),
                             ([2, 0], F32, 2.0)):
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_{dname(dt)}_s{s!r}", [x], fn(x, s), {"scalar": s})
        x = t64([INF, -INF, 0.0, NAN, 1.0])
        s = 2.0 if op != "div_scalar" else 0.5
        add_case(op, "special_f64", [x], fn(x, s), {"scalar": s})

    if "pow_scalar" not in ops:
        return
    op = "pow_scalar"
    g = Gen(op)
    for e in (2.0, 3.0, 0.5, -1.0, 0.0, 1.0, -2.0, 1.5, -0.5, 2.5):
        for shape, dt in (([2, 3], F64), ([5], F32)):
            x = g.uniform(shape, 0.1, 3.0, dt)
            add_case(op, f"pos_{sname(shape)}_{dname(dt)}_e{e!r}", [x], torch.pow(x, e), {"exponent": e})
    for e in (2.0, 3.0, -1.0, 0.0, 1.0, -2.0, 4.0):
        x = g.uniform([3, 2], -3.0, 3.0, F64)
        add_case(op, f"neg_base_3x2_f64_e{e!r}", [x], torch.pow(x, e), {"exponent": e})
    x = g.uniform([4], -3.0, -0.1, F32)
    add_case(op, "neg_base_4_f32_e3.0", [x], torch.pow(x, 3.0), {"exponent": 3.0})
    x = t64(-2.5)
    add_case(op, "neg_base_scalar_f64_e3.0", [x], torch.pow(x, 3.0), {"exponent": 3.0})
    x = t64([-2.0, -0.5])
    add_case(op, "neg_base_frac_exponent_nan_f64_e0.5", [x], torch.pow(x, 0.5), {"exponent": 0.5})
    x = t64([0.0, 1.0, 2.0])
    for e in (2.0, 0.0, 0.5, -1.0, 3.0):
        add_case(op, f"zero_base_f64_e{e!r}", [x], torch.pow(x, e), {"exponent": e})
    x = t64([INF, -INF, NAN])
    add_case(op, "special_f64_e0.0", [x], torch.pow(x, 0.0), {"exponent": 0.0})
    add_case(op, "special_f64_e2.0", [x], torch.pow(x, 2.0), {"exponent": 2.0})
    x = t64([], [0])
    add_case(op, "empty_f64_e2.0", [x], torch.pow(x, 2.0), {"exponent": 2.0})


# ---------------------------------------------------------------- compare

def gen_compare(ops):
    shapes = [([2, 3], [2, 3], F64), ([2, 3], [3], F64), ([2, 1], [1, 3], F64), ([], [2, 2], F64),
              ([2, 2], [], F64), ([], [], F64), ([4, 1, 3], [2, 1], F64), ([0], [1], F64),
              ([3, 4], [4], F32), ([6], [6], F32)]
    for op in ops:
        fn = getattr(torch, op)
        g = Gen(op)
        for sa, sb, dt in shapes:
            a = g.ints(sa, -2, 2, dt) * 0.5
            b = g.ints(sb, -2, 2, dt) * 0.5
            add_case(op, f"{sname(sa)}+{sname(sb)}_{dname(dt)}", [a, b], fn(a, b))
        a = t64([NAN, NAN, 1.0, INF, -INF, INF, 0.0])
        b = t64([NAN, 1.0, NAN, INF, INF, 1e30, -0.0])
        add_case(op, "nan_inf_f64", [a, b], fn(a, b))
        a = t64([0.1, 0.2, 0.3, 1.0])
        b = a + t64([0.0, 1e-15, -2e-16, 1e-9])  # distinct but close
        add_case(op, "close_f64", [a, b], fn(a, b))
        if op.startswith("logical_"):
            a = torch.tensor([True, True, False, False])
            b = torch.tensor([True, False, True, False])
            add_case(op, "bool", [a, b], fn(a, b))
            a = torch.tensor([0, 3, -1, 0], dtype=I64)
            add_case(op, "i64+bool", [a, b], fn(a, b))


# ---------------------------------------------------------------- where / clamp

def gen_where(ops):
    op = "where"
    g = Gen(op)
    specs = [([2, 3], [2, 3], [2, 3], F64), ([2, 3], [3], [], F64), ([3], [2, 1], [2, 3], F64),
             ([], [2], [2], F64), ([2, 1, 3], [4, 1], [1], F64), ([2, 2], [], [], F64),
             ([0], [0], [1], F64), ([2, 3], [2, 3], [3], F32), ([3, 1], [1, 4], [3, 4], F32)]
    for sc, sx, sy, dt in specs:
        c = g.mask(sc)
        x = g.uniform(sx, -3.0, 3.0, dt)
        y = g.uniform(sy, -3.0, 3.0, dt)
        add_case(op, f"{sname(sc)}_{sname(sx)}_{sname(sy)}_{dname(dt)}", [c, x, y], torch.where(c, x, y))
    c = torch.tensor([True, False, True, False])
    x = t64([NAN, NAN, INF, 1.0])
    y = t64([1.0, 2.0, -INF, NAN])
    add_case(op, "nonfinite_f64", [c, x, y], torch.where(c, x, y))


def gen_clamp(ops):
    op = "clamp"
    g = Gen(op)
    specs = [([2, 3], F64, -0.5, 0.5), ([7], F64, 0.0, 1.0), ([], F64, -1.0, 1.0), ([], F64, 0.5, 2.0),
             ([2, 3, 4], F64, -1.0, 2.0), ([4], F64, 0.5, 0.5), ([0], F64, 0.0, 1.0),
             ([3, 4], F32, -0.5, 1.5), ([5], F32, 0.1, 0.9), ([3, 3], F64, -10.0, 10.0)]
    for shape, dt, lo, hi in specs:
        x = g.ints(shape, -4, 4, dt) * 0.5 if len(shape) >= 2 and dt == F64 and hi < 5 else g.uniform(shape, -3.0, 3.0, dt)
        add_case(op, f"{sname(shape)}_{dname(dt)}_{lo!r}_{hi!r}", [x], torch.clamp(x, lo, hi),
                 {"min": lo, "max": hi})
    x = t64([INF, -INF, 0.0, -0.0, 1e30])
    add_case(op, "special_f64_-1.0_1.0", [x], torch.clamp(x, -1.0, 1.0), {"min": -1.0, "max": 1.0})


# ---------------------------------------------------------------- elementwise ops with parameters

def gen_elementwise_params(ops):
    def unary_cases(op, fn, params_list, lo, hi, special):
        g = Gen(op)
        for i, params in enumerate(params_list):
            shape, dt = [([2, 3], F64), ([7], F64), ([], F64), ([3, 4], F32)][i % 4]
            x = g.uniform(shape, lo, hi, dt)
            tag = "_".join(f"{k}{v!r}" for k, v in params.items())
            add_case(op, f"{sname(shape)}_{dname(dt)}_{tag}", [x], fn(x, **params), params)
            x = t64(special)
            add_case(op, f"special_f64_{tag}", [x], fn(x, **params), params)

    if "remainder_scalar" in ops:
        unary_cases("remainder_scalar", lambda x, other: torch.remainder(x, other),
                    [{"other": 3.0}, {"other": -2.5}, {"other": 0.75}, {"other": -1.0}], -7.0, 7.0,
                    [5.0, -5.0, 0.0, -0.0, INF, NAN, 1e300, 3.0])
    if "fmod_scalar" in ops:
        unary_cases("fmod_scalar", lambda x, other: torch.fmod(x, other),
                    [{"other": 3.0}, {"other": -2.5}, {"other": 0.75}, {"other": -1.0}], -7.0, 7.0,
                    [5.0, -5.0, 0.0, -0.0, INF, NAN, 1e300, 3.0])
    if "gelu_tanh" in ops:
        unary_cases("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), [{}], -5.0, 5.0,
                    [0.0, -0.0, 1.0, -1.0, -5.0, -10.0, 10.0, 30.0, -30.0, INF])
    if "softplus_beta" in ops:
        unary_cases("softplus_beta", lambda x, beta, threshold: F.softplus(x, beta, threshold),
                    [{"beta": 2.0, "threshold": 20.0}, {"beta": 0.5, "threshold": 5.0},
                     {"beta": 1.0, "threshold": 1.0}, {"beta": 3.0, "threshold": 10.0}], -10.0, 10.0,
                    [0.0, -20.0, 4.9, 5.0, 5.1, 9.9, 10.5, 100.0, -800.0, INF, -INF, NAN])
    if "leaky_relu_slope" in ops:
        unary_cases("leaky_relu_slope", lambda x, slope: F.leaky_relu(x, slope),
                    [{"slope": 0.2}, {"slope": 0.0}, {"slope": -0.5}, {"slope": 1.5}], -3.0, 3.0,
                    [0.0, -0.0, -2.0, 2.0, -INF, INF, NAN])
    if "elu_alpha" in ops:
        unary_cases("elu_alpha", lambda x, alpha: F.elu(x, alpha),
                    [{"alpha": 0.5}, {"alpha": 2.0}, {"alpha": 0.0}, {"alpha": 1.5}], -5.0, 5.0,
                    [0.0, -0.0, -1.0, 1.0, -50.0, 800.0, -INF, INF, NAN])
    if "hardtanh_bounds" in ops:
        unary_cases("hardtanh_bounds", lambda x, min, max: F.hardtanh(x, min, max),
                    [{"min": -0.5, "max": 2.0}, {"min": 0.0, "max": 1.0}, {"min": -2.0, "max": -1.0},
                     {"min": 0.5, "max": 0.5}], -3.0, 3.0,
                    [-3.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, -INF, INF, NAN])
    if "nan_to_num_values" in ops:
        unary_cases("nan_to_num_values", lambda x, nan, posinf, neginf: torch.nan_to_num(x, nan, posinf, neginf),
                    [{"nan": 1.5, "posinf": 100.0, "neginf": -100.0}, {"nan": -1.0, "posinf": 0.0, "neginf": 0.0},
                     {"nan": 0.0, "posinf": 1e300, "neginf": -1e300}, {"nan": 2.0, "posinf": 7.0, "neginf": -7.0}],
                    -3.0, 3.0, [NAN, INF, -INF, 1.0, -0.0])
        x = t32([NAN, INF, -INF, 1.0])  # 1e300 does not fit float32: it becomes inf, as a replacement too
        params = {"nan": 0.0, "posinf": 1e300, "neginf": -1e300}
        add_case("nan_to_num_values", "special_f32_overflow", [x], torch.nan_to_num(x, **params), params)

    if "lerp" in ops:
        op = "lerp"
        g = Gen(op)
        for ss, se, sw, dt in [([2, 3], [2, 3], [2, 3], F64), ([2, 3], [3], [], F64), ([3], [2, 1], [2, 3], F64),
                               ([], [], [], F64), ([4], [4], [1], F64), ([0], [0], [0], F64),
                               ([3, 4], [3, 4], [4], F32), ([2, 2], [2, 2], [2, 2], F32)]:
            s = g.uniform(ss, -3.0, 3.0, dt)
            e = g.uniform(se, -3.0, 3.0, dt)
            w = g.uniform(sw, -1.0, 2.0, dt)
            add_case(op, f"{sname(ss)}_{sname(se)}_{sname(sw)}_{dname(dt)}", [s, e, w], torch.lerp(s, e, w))
        s = t64([1.0, 1.0, 0.0, 1e300, INF, 1.0, 2.0, 0.1])
        e = t64([3.0, 3.0, 1.0, -1e300, 1.0, NAN, 2.0, 0.7])
        w = t64([0.0, 1.0, 0.5, 0.5, 0.25, 0.5, 7.0, 0.49999999999999994])
        add_case(op, "special_f64", [s, e, w], torch.lerp(s, e, w))
    if "lerp_scalar" in ops:
        op = "lerp_scalar"
        g = Gen(op)
        for i, wt in enumerate([0.0, 0.25, 0.5, 1.0, -0.5, 1.75, 0.49999999999999994]):
            shape, dt = [([2, 3], F64), ([5], F64), ([], F64), ([3, 2], F32)][i % 4]
            s = g.uniform(shape, -3.0, 3.0, dt)
            e = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_{dname(dt)}_w{wt!r}", [s, e], torch.lerp(s, e, wt), {"weight": wt})


# ---------------------------------------------------------------- reductions

def reduce_torch(op, x, axes, keep):
    if op == "logsumexp":
        dims = tuple(range(x.dim())) if axes is None else tuple(axes)
        if x.dim() == 0:
            return torch.logsumexp(x, 0)
        return torch.logsumexp(x, dims, keepdim=keep)
    fn = {"sum": torch.sum, "mean": torch.mean}[op]
    if axes is None:
        return fn(x)
    return fn(x, dim=tuple(axes), keepdim=keep)


def gen_reductions(ops):
    specs = [
        ([], None, False, F64), ([5], None, False, F64), ([5], [0], False, F64), ([5], [-1], True, F64),
        ([3, 4], None, False, F64), ([3, 4], [0], False, F64), ([3, 4], [1], False, F64),
        ([3, 4], [-1], True, F64), ([3, 4], [0], True, F64), ([3, 4], [0, 1], True, F64),
        ([3, 4], [1, 0], False, F64),
        ([2, 3, 4], None, False, F64), ([2, 3, 4], [0, 2], False, F64), ([2, 3, 4], [1], True, F64),
        ([2, 3, 4], [-1, -3], True, F64), ([2, 3, 4], [0, 1, 2], False, F64),
        ([1, 3, 1], [0, 2], False, F64),
        ([3, 4], [1], False, F32), ([2, 3, 2], None, False, F32), ([2, 3, 2], [0], True, F32),
        ([], None, False, F32),
    ]
    for op in ops:
        g = Gen(op)
        for shape, axes, keep, dt in specs:
            x = g.uniform(shape, -3.0, 3.0, dt)
            ax = "all" if axes is None else "ax" + ",".join(str(a) for a in axes)
            add_case(op, f"{sname(shape)}_{ax}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x],
                     reduce_torch(op, x, axes, keep), {"axes": axes, "keepDim": keep})
        # empty inputs
        for shape, axes, keep in (([0], None, False), ([2, 0], [1], False), ([2, 0], [0], False),
                                  ([2, 0], [1], True)):
            x = torch.zeros(shape, dtype=F64)
            ax = "all" if axes is None else "ax" + ",".join(str(a) for a in axes)
            add_case(op, f"empty_{sname(shape)}_{ax}_{'keep' if keep else 'nokeep'}_f64", [x],
                     reduce_torch(op, x, axes, keep), {"axes": axes, "keepDim": keep})
    # stability / special values
    if "logsumexp" in ops:
        op = "logsumexp"
        for name, vals, shape, axes, dt in [
            ("large_f64", [1000.0, 1000.5, 999.0, 1001.0], [4], None, F64),
            ("large_2x3_ax1_f64", [1000.0, 1000.5, 999.0, -1000.0, -1000.5, -999.0], [2, 3], [1], F64),
            ("mixed_large_f64", [-1000.0, 0.0, 1000.0], [3], None, F64),
            ("large_f32", [1000.0, 1000.5, 999.0, 1001.0], [4], None, F32),
            ("large_2x3_ax0_f32", [100.0, 90.0, -100.0, 101.0, 89.0, -101.0], [2, 3], [0], F32),
            ("with_neg_inf_f64", [-INF, 0.0, 1.0], [3], None, F64),
            ("all_neg_inf_f64", [-INF, -INF], [2], None, F64),
            ("rows_neg_inf_f64", [-INF, -INF, 1.0, 2.0], [2, 2], [1], F64),
        ]:
            x = ft(vals, dt, shape)
            add_case(op, name, [x], reduce_torch(op, x, axes, False), {"axes": axes, "keepDim": False})
    for op in [o for o in ops if o in ("sum", "mean")]:
        x = t64([1e30, 1.0, -1e30, INF])
        add_case(op, "inf_f64", [x], reduce_torch(op, x, None, False), {"axes": None, "keepDim": False})
        x = t64([1.0, NAN, 2.0, 3.0], [2, 2])
        add_case(op, "nan_ax1_f64", [x], reduce_torch(op, x, [1], False), {"axes": [1], "keepDim": False})


def gen_max_min(ops):
    specs = [([], None, False, F64), ([6], None, False, F64), ([6], 0, False, F64), ([6], 0, True, F64),
             ([3, 4], None, False, F64), ([3, 4], 0, False, F64), ([3, 4], 1, False, F64),
             ([3, 4], -1, True, F64), ([3, 4], 0, True, F64), ([2, 3, 4], 1, True, F64),
             ([2, 3, 4], -3, False, F64), ([2, 3, 4], 2, False, F64), ([2, 3, 4], None, False, F64),
             ([1, 4], 0, False, F64),
             ([3, 5], 1, False, F32), ([2, 2, 3], None, False, F32), ([], None, False, F32)]
    for op in ops:
        g = Gen(op)
        arg = op.startswith("arg")
        for shape, axis, keep, dt in specs:
            x = g.distinct(shape, dt)
            if arg:
                out = torch.argmax(x) if op == "argmax" else torch.argmin(x)
                if axis is not None:
                    out = (torch.argmax if op == "argmax" else torch.argmin)(x, dim=axis, keepdim=keep)
            else:
                fn = torch.max if op == "max" else torch.min
                out = fn(x) if axis is None else fn(x, dim=axis, keepdim=keep).values
            ax = "all" if axis is None else f"ax{axis}"
            add_case(op, f"{sname(shape)}_{ax}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x], out,
                     {"axis": axis, "keepDim": keep})
        # infinities (no ties)
        x = t64([1.0, -INF, 3.0, INF, -2.0, 0.5], [2, 3])
        for axis in (None, 1):
            if arg:
                fn = torch.argmax if op == "argmax" else torch.argmin
                out = fn(x) if axis is None else fn(x, dim=axis)
            else:
                fn = torch.max if op == "max" else torch.min
                out = fn(x) if axis is None else fn(x, dim=axis).values
            add_case(op, f"inf_2x3_{'all' if axis is None else 'ax1'}_f64", [x], out,
                     {"axis": axis, "keepDim": False})
    # ties do not matter for values
    for op in [o for o in ops if o in ("max", "min")]:
        x = torch.zeros([2, 0], dtype=F64)
        fn = torch.max if op == "max" else torch.min
        add_case(op, "empty_2x0_ax0_f64", [x], fn(x, dim=0).values, {"axis": 0, "keepDim": False})
        x = t64([1.0, 2.0, 2.0, -1.0, -1.0, 0.0], [2, 3])
        fn = torch.max if op == "max" else torch.min
        add_case(op, "ties_2x3_ax1_f64", [x], fn(x, dim=1).values, {"axis": 1, "keepDim": False})
        add_case(op, "ties_2x3_all_f64", [x], fn(x), {"axis": None, "keepDim": False})


def gen_norm(ops):
    op = "norm"
    g = Gen(op)
    specs = [([5], None, False, F64), ([3, 4], [1], False, F64), ([3, 4], [0], True, F64),
             ([2, 3, 4], [0, 2], False, F64), ([2, 3, 4], [-1], True, F64), ([2, 3, 4], None, False, F64),
             ([], None, False, F64), ([3, 4], [0, 1], True, F64), ([3, 5], [1], False, F32),
             ([2, 3], None, False, F32)]
    for p in (2, 1, 3):
        for shape, axes, keep, dt in specs:
            x = g.uniform(shape, -3.0, 3.0, dt)
            out = torch.linalg.vector_norm(x, ord=p, dim=None if axes is None else tuple(axes), keepdim=keep)
            ax = "all" if axes is None else "ax" + ",".join(str(a) for a in axes)
            add_case(op, f"p{p}_{sname(shape)}_{ax}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x], out,
                     {"p": p, "axes": axes, "keepDim": keep})
        x = torch.zeros([4], dtype=F64)
        add_case(op, f"p{p}_zeros_f64", [x], torch.linalg.vector_norm(x, ord=p),
                 {"p": p, "axes": None, "keepDim": False})
        x = torch.zeros([0], dtype=F64)
        add_case(op, f"p{p}_empty_f64", [x], torch.linalg.vector_norm(x, ord=p),
                 {"p": p, "axes": None, "keepDim": False})
        x = t64([3.0, -4.0, 12.0, 0.0])
        add_case(op, f"p{p}_exact_f64", [x], torch.linalg.vector_norm(x, ord=p),
                 {"p": p, "axes": None, "keepDim": False})


def gen_softmax(ops):
    specs = [([5], 0, F64), ([5], -1, F64), ([3, 4], 0, F64), ([3, 4], 1, F64), ([3, 4], -1, F64),
             ([2, 3, 4], 1, F64), ([2, 3, 4], -1, F64), ([2, 3, 4], 0, F64), ([2, 1], 1, F64),
             ([3, 4], 1, F32), ([2, 3, 2], 0, F32)]
    for op in ops:
        fn = getattr(torch, op)
        g = Gen(op)
        for shape, dim, dt in specs:
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_dim{dim}_{dname(dt)}", [x], fn(x, dim), {"dim": dim})
        for name, vals, shape, dim, dt in [
            ("large_f64", [1000.0, 1001.0, 1002.0], [3], 0, F64),
            ("mixed_large_f64", [-1000.0, 0.0, 1000.0, 999.0], [4], 0, F64),
            ("large_2x3_dim1_f64", [1000.0, 1000.5, 999.0, -1000.0, -1000.5, -999.0], [2, 3], 1, F64),
            ("large_f32", [1000.0, 1001.0, 1002.0, 990.0], [4], 0, F32),
            ("with_neg_inf_f64", [-INF, 0.0, 1.0], [3], 0, F64),
            ("equal_f64", [2.0, 2.0, 2.0, 2.0], [4], 0, F64),
        ]:
            x = ft(vals, dt, shape)
            add_case(op, name, [x], fn(x, dim), {"dim": dim})
        x = torch.zeros([0, 3], dtype=F64)
        add_case(op, "empty_0x3_dim1_f64", [x], fn(x, 1), {"dim": 1})


# ---------------------------------------------------------------- matmul / dot

def gen_matmul(ops):
    if "matmul" in ops:
        op = "matmul"
        g = Gen(op)
        specs = [([4], [4], F64), ([3, 4], [4], F64), ([4], [4, 3], F64), ([2, 3], [3, 4], F64),
                 ([1, 5], [5, 1], F64), ([5, 1], [1, 5], F64), ([2, 3, 4], [2, 4, 2], F64),
                 ([2, 3, 4], [4, 5], F64), ([3, 4], [2, 4, 2], F64), ([2, 1, 3, 4], [3, 4, 5], F64),
                 ([2, 3, 4], [4], F64), ([4], [2, 4, 3], F64), ([1], [1], F64), ([2, 0], [0, 3], F64),
                 ([0, 3], [3, 2], F64), ([2, 3], [3, 4], F32), ([2, 3, 4], [4, 5], F32), ([6], [6], F32)]
        for sa, sb, dt in specs:
            a = g.uniform(sa, -2.0, 2.0, dt)
            b = g.uniform(sb, -2.0, 2.0, dt)
            add_case(op, f"{sname(sa)}@{sname(sb)}_{dname(dt)}", [a, b], torch.matmul(a, b))
    if "dot" in ops:
        op = "dot"
        g = Gen(op)
        for n, dt in ((5, F64), (1, F64), (12, F64), (0, F64), (7, F32), (3, F32)):
            a = g.uniform([n], -2.0, 2.0, dt)
            b = g.uniform([n], -2.0, 2.0, dt)
            add_case(op, f"{n}_{dname(dt)}", [a, b], torch.dot(a, b))
        a = t64([1.0, 2.0, 3.0])
        b = t64([4.0, -5.0, 6.0])
        add_case(op, "exact_f64", [a, b], torch.dot(a, b))


# ---------------------------------------------------------------- shape ops

def gen_shape_ops(ops):
    if "reshape" in ops:
        op = "reshape"
        g = Gen(op)
        for shape, new, dt in [([2, 3, 4], [6, 4], F64), ([2, 3, 4], [-1], F64), ([2, 3, 4], [4, -1], F64),
                               ([2, 3, 4], [2, -1, 2], F64), ([6], [2, 3], F64), ([1], [], F64),
                               ([], [1, 1], F64), ([], [-1], F64), ([2, 0], [0, 3], F64), ([3, 4], [4, 3], F32),
                               ([3, 4], [2, 1, 6], F32)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_to_{sname(new) if new else 'scalar'}_{dname(dt)}", [x],
                     torch.reshape(x, new), {"shape": new})

    if "permute" in ops:
        op = "permute"
        g = Gen(op)
        for shape, dims, dt in [([2, 3, 4], [2, 0, 1], F64), ([2, 3, 4], [1, 2, 0], F64), ([2, 3, 4], [0, 1, 2], F64),
                                ([2, 3, 4], [-1, 0, 1], F64), ([3, 4], [1, 0], F64), ([], [], F64),
                                ([2, 1, 3, 2], [3, 1, 0, 2], F64), ([3, 4], [1, 0], F32), ([2, 0, 3], [2, 1, 0], F64)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_{','.join(map(str, dims)) or 'none'}_{dname(dt)}", [x],
                     x.permute(*dims) if dims else x.permute(()), {"dims": dims})

    if "transpose" in ops:
        op = "transpose"
        g = Gen(op)
        for shape, d0, d1, dt in [([3, 4], 0, 1, F64), ([3, 4], 1, 0, F64), ([2, 3, 4], 0, 2, F64),
                                  ([2, 3, 4], -1, 1, F64), ([2, 3, 4], 1, 1, F64), ([5], 0, 0, F64),
                                  ([2, 3, 4], 0, 1, F32), ([4, 2], -1, -2, F32)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_{d0},{d1}_{dname(dt)}", [x], torch.transpose(x, d0, d1),
                     {"dim0": d0, "dim1": d1})

    if "expand" in ops:
        op = "expand"
        g = Gen(op)
        for shape, new, dt in [([3], [2, 3], F64), ([2, 1], [2, 4], F64), ([], [2, 3], F64), ([1, 3], [2, 2, 3], F64),
                               ([4, 1, 3], [4, 2, 3], F64), ([2, 3], [2, 3], F64), ([1], [5], F64),
                               ([2, 1], [2, 0], F64), ([3, 1], [3, 4], F32), ([], [], F32)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_to_{sname(new)}_{dname(dt)}", [x], x.expand(*new) if new else x.expand(()),
                     {"shape": new})

    if "squeeze" in ops:
        op = "squeeze"
        g = Gen(op)
        for shape, dim, dt in [([1, 3, 1], None, F64), ([1, 1], None, F64), ([1, 3], 0, F64), ([2, 1], -1, F64),
                               ([2, 1, 3], 1, F64), ([3], None, F64), ([1], 0, F64), ([1], None, F64),
                               ([2, 1, 1, 3], None, F32), ([2, 1, 3], -2, F32)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            out = torch.squeeze(x) if dim is None else torch.squeeze(x, dim)
            add_case(op, f"{sname(shape)}_{'all' if dim is None else 'dim' + str(dim)}_{dname(dt)}", [x], out,
                     {"dim": dim})

    if "unsqueeze" in ops:
        op = "unsqueeze"
        g = Gen(op)
        for shape, dim, dt in [([3], 0, F64), ([3], 1, F64), ([3], -1, F64), ([2, 3], 1, F64), ([2, 3], -1, F64),
                               ([2, 3], -3, F64), ([2, 3], 2, F64), ([], 0, F64), ([], -1, F64), ([2, 3], 0, F32),
                               ([0], 1, F64)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_dim{dim}_{dname(dt)}", [x], torch.unsqueeze(x, dim), {"dim": dim})

    if "flatten" in ops:
        op = "flatten"
        g = Gen(op)
        for shape, dt in [([2, 3, 4], F64), ([3], F64), ([], F64), ([2, 0], F64), ([3, 4], F32), ([1, 1, 1], F64)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_{dname(dt)}", [x], torch.flatten(x))


def py_slice(x, dim, start, end, step):
    idx = [slice(None)] * x.dim()
    idx[dim] = slice(start, end, step)
    return x[tuple(idx)]


def gen_slice(ops):
    op = "slice"
    g = Gen(op)
    x10 = g.uniform([10], -3.0, 3.0, F64)
    for s, e, k in [(2, 7, 1), (0, 10, 3), (-3, 100, 1), (-100, 3, 1), (5, 2, 1), (1, 9, 2), (0, 10, 1),
                    (-4, -1, 1), (-1, 10, 1), (9, 100, 5), (10, 20, 1), (0, 0, 1), (-100, 100, 4), (3, -3, 2)]:
        add_case(op, f"10_dim0_{s}:{e}:{k}_f64", [x10], py_slice(x10, 0, s, e, k),
                 {"dim": 0, "start": s, "end": e, "step": k})
    x45 = g.uniform([4, 5], -3.0, 3.0, F64)
    for d, s, e, k in [(1, 1, 4, 2), (-1, -2, 5, 1), (0, 0, 1, 1), (0, 1, 100, 2), (-2, -3, -1, 1), (1, 4, 1, 1)]:
        add_case(op, f"4x5_dim{d}_{s}:{e}:{k}_f64", [x45], py_slice(x45, d, s, e, k),
                 {"dim": d, "start": s, "end": e, "step": k})
    x234 = g.uniform([2, 3, 4], -3.0, 3.0, F64)
    for d, s, e, k in [(2, 0, 4, 2), (1, 1, 3, 1), (0, 1, 2, 1), (-1, -3, 100, 2)]:
        add_case(op, f"2x3x4_dim{d}_{s}:{e}:{k}_f64", [x234], py_slice(x234, d, s, e, k),
                 {"dim": d, "start": s, "end": e, "step": k})
    x32 = g.uniform([3, 6], -3.0, 3.0, F32)
    for d, s, e, k in [(1, 1, 6, 3), (0, -2, 3, 1)]:
        add_case(op, f"3x6_dim{d}_{s}:{e}:{k}_f32", [x32], py_slice(x32, d, s, e, k),
                 {"dim": d, "start": s, "end": e, "step": k})


def gen_cat_stack(ops):
    if "cat" in ops:
        op = "cat"
        g = Gen(op)
        for shapes, dim, dt in [([[2, 3], [1, 3]], 0, F64), ([[2, 3], [2, 2], [2, 1]], 1, F64),
                                ([[2, 3], [2, 2]], -1, F64), ([[0, 3], [2, 3]], 0, F64), ([[3], [4]], 0, F64),
                                ([[2, 1, 3], [2, 2, 3], [2, 1, 3]], 1, F64), ([[2, 3]], 0, F64),
                                ([[2, 2], [2, 0], [2, 1]], 1, F64), ([[1, 2, 2], [1, 2, 2]], -3, F64),
                                ([[2, 3], [2, 3]], 0, F32), ([[3, 1], [3, 2]], 1, F32)]:
            xs = [g.uniform(s, -3.0, 3.0, dt) for s in shapes]
            add_case(op, f"{'+'.join(sname(s) for s in shapes)}_dim{dim}_{dname(dt)}", xs, torch.cat(xs, dim),
                     {"dim": dim})
    if "stack" in ops:
        op = "stack"
        g = Gen(op)
        for shape, n, dim, dt in [([3], 2, 0, F64), ([3], 2, 1, F64), ([3], 3, -1, F64), ([2, 3], 3, 0, F64),
                                  ([2, 3], 2, 1, F64), ([2, 3], 2, 2, F64), ([2, 3], 2, -1, F64), ([2, 3], 2, -3, F64),
                                  ([], 3, 0, F64), ([2, 3], 1, 0, F64), ([0], 2, 0, F64), ([2, 2], 3, 1, F32)]:
            xs = [g.uniform(shape, -3.0, 3.0, dt) for _ in range(n)]
            add_case(op, f"{n}x{sname(shape)}_dim{dim}_{dname(dt)}", xs, torch.stack(xs, dim), {"dim": dim})


# ---------------------------------------------------------------- indexing

def gen_indexing(ops):
    if "index_select" in ops:
        op = "index_select"
        g = Gen(op)
        for shape, dim, idx, dt in [([4, 3], 0, [2, 0, 2], F64), ([4, 3], 1, [1], F64), ([4, 3], -1, [2, 1, 0, 1], F64),
                                    ([5], 0, [4, 0], F64), ([2, 3, 4], 1, [0, 2], F64), ([2, 3, 4], 2, [3, 3, 0], F64),
                                    ([4, 3], 0, [], F64), ([3, 4], 1, [0, 3], F32), ([3], 0, [0, 1, 2, 1, 0], F32)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            i = torch.tensor(idx, dtype=I64)
            add_case(op, f"{sname(shape)}_dim{dim}_n{len(idx)}_{dname(dt)}", [x, i], torch.index_select(x, dim, i),
                     {"dim": dim})

    if "gather" in ops:
        op = "gather"
        g = Gen(op)
        for shape, dim, ishape, dt in [([3, 4], 1, [3, 2], F64), ([3, 4], 0, [2, 4], F64), ([3, 4], -1, [3, 5], F64),
                                       ([3, 4], 0, [3, 4], F64), ([2, 3, 4], 2, [2, 3, 2], F64),
                                       ([2, 3, 4], 1, [2, 2, 4], F64), ([2, 3, 4], 0, [1, 2, 3], F64),
                                       ([5], 0, [7], F64), ([3, 4], 1, [2, 3], F64), ([3, 3], 1, [3, 1], F32),
                                       ([4], 0, [4], F32), ([3, 4], 1, [3, 0], F64)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            i = g.index(ishape, shape[dim])
            add_case(op, f"{sname(shape)}_dim{dim}_idx{sname(ishape)}_{dname(dt)}", [x, i], torch.gather(x, dim, i),
                     {"dim": dim})

    if "scatter_add" in ops:
        op = "scatter_add"
        g = Gen(op)
        for shape, dim, ishape, dt in [([3, 4], 0, [2, 4], F64), ([3, 4], 1, [3, 4], F64), ([5], 0, [6], F64),
                                       ([2, 3, 4], 2, [2, 3, 4], F64), ([3, 4], -1, [3, 6], F64),
                                       ([3, 4], 1, [2, 2], F64), ([3, 4], 0, [5, 4], F64),
                                       ([2, 3], 0, [2, 3], F32), ([4], 0, [3], F32), ([3, 4], 0, [0, 4], F64)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            i = g.index(ishape, shape[dim])
            src = g.uniform(ishape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_dim{dim}_idx{sname(ishape)}_{dname(dt)}", [x, i, src],
                     torch.scatter_add(x, dim, i, src), {"dim": dim})

    if "masked_select" in ops:
        op = "masked_select"
        g = Gen(op)
        for sx, sm, dt in [([2, 3], [2, 3], F64), ([2, 3], [3], F64), ([3], [2, 3], F64), ([2, 1], [1, 3], F64),
                           ([], [2, 2], F64), ([2, 2], [], F64), ([5], [5], F64), ([2, 3, 2], [3, 1], F64),
                           ([3, 4], [3, 4], F32), ([0], [0], F64)]:
            x = g.uniform(sx, -3.0, 3.0, dt)
            m = g.mask(sm)
            add_case(op, f"{sname(sx)}_mask{sname(sm)}_{dname(dt)}", [x, m], torch.masked_select(x, m))
        x = g.uniform([2, 3], -3.0, 3.0, F64)
        m = torch.zeros([2, 3], dtype=BOOL)
        add_case(op, "all_false_2x3_f64", [x, m], torch.masked_select(x, m))
        m = torch.ones([2, 3], dtype=BOOL)
        add_case(op, "all_true_2x3_f64", [x, m], torch.masked_select(x, m))


# ---------------------------------------------------------------- cast

def gen_cast(ops):
    op = "cast"
    g = Gen(op)
    fvals = [-2.75, -2.5, -0.5, -0.0, 0.0, 0.5, 1.0, 2.9990234375, 3.0, -3.0, 1e10, -1e10, 123456.75]
    for src in (F64, F32):
        x = ft(fvals, src)
        for dst in (F64, F32, I64, BOOL):
            add_case(op, f"{dname(src)}_to_{dname(dst)}", [x], x.to(dst), {"dtype": DTYPE_NAMES[dst]})
    x = g.uniform([2, 3], -3.0, 3.0, F64)
    add_case(op, "f64_to_i64_2x3", [x], x.to(I64), {"dtype": "int64"})
    x = g.uniform([2, 2], -3.0, 3.0, F32)
    add_case(op, "f32_to_f64_2x2", [x], x.to(F64), {"dtype": "float64"})
    x = t64([0.1, 1.0 / 3.0, -2.0 / 3.0, 16777217.0, 1.0 + 2.0 ** -24, 1.0 + 3 * 2.0 ** -24, 1e39, -1e39, 1e-40, 1e-50,
             3.4028235677973366e38])
    add_case(op, "f64_to_f32_rounding", [x], x.to(F32), {"dtype": "float32"})
    x = t64(-7.5)
    add_case(op, "f64_to_i64_scalar", [x], x.to(I64), {"dtype": "int64"})
    x = t64([INF, -INF, NAN, 1.0])
    add_case(op, "nonfinite_f64_to_f32", [x], x.to(F32), {"dtype": "float32"})
    add_case(op, "nonfinite_f64_to_bool", [x], x.to(BOOL), {"dtype": "bool"})
    ivals = [-5, 0, 1, 7, 16777217, -16777219, 9007199254740993, -(1 << 40)]
    x = torch.tensor(ivals, dtype=I64)
    for dst in (F64, F32, I64, BOOL):
        add_case(op, f"i64_to_{dname(dst)}", [x], x.to(dst), {"dtype": DTYPE_NAMES[dst]})
    x = torch.tensor([[3, -4], [0, 2]], dtype=I64)
    add_case(op, "i64_to_f64_2x2", [x], x.to(F64), {"dtype": "float64"})
    b = torch.tensor([True, False, True, True, False], dtype=BOOL)
    for dst in (F64, F32, I64, BOOL):
        add_case(op, f"bool_to_{dname(dst)}", [b], b.to(dst), {"dtype": DTYPE_NAMES[dst]})
    x = torch.zeros([0], dtype=F64)
    add_case(op, "empty_f64_to_i64", [x], x.to(I64), {"dtype": "int64"})


# ---------------------------------------------------------------- losses

def gen_losses(ops):
    if "cross_entropy" in ops:
        op = "cross_entropy"
        g = Gen(op)
        for n, c, dt in ((3, 4, F64), (1, 5, F64), (6, 3, F64), (2, 2, F64), (4, 3, F32), (5, 10, F32)):
            x = g.uniform([n, c], -3.0, 3.0, dt)
            t = g.index([n], c)
            add_case(op, f"{n}x{c}_{dname(dt)}", [x, t], F.cross_entropy(x, t))
        for name, vals, tgt, dt in [
            ("large_f64", [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [0.0, 0.0, 1000.0]], [1, 2, 2], F64),
            ("large_f32", [[100.0, -100.0, 0.0], [-50.0, 60.0, 59.0]], [0, 2], F32),
            ("uniform_f64", [[0.5, 0.5, 0.5, 0.5]], [3], F64),
        ]:
            x = ft(vals, dt)
            t = torch.tensor(tgt, dtype=I64)
            add_case(op, name, [x, t], F.cross_entropy(x, t))

    if "mse_loss" in ops:
        op = "mse_loss"
        g = Gen(op)
        for shape, dt in (([5], F64), ([2, 3], F64), ([], F64), ([2, 3, 4], F64), ([3, 4], F32), ([1], F32)):
            x = g.uniform(shape, -3.0, 3.0, dt)
            y = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_{dname(dt)}", [x, y], F.mse_loss(x, y))
        x = t64([1.0, 2.0, 3.0])
        add_case(op, "equal_f64", [x, x.clone()], F.mse_loss(x, x))


# ---------------------------------------------------------------- statistics, scans, selection

def both(r):
    """A (values, indices) result as one tensor: both stacked, the indices in the values' dtype."""
    return torch.stack([r.values, r.indices.to(r.values.dtype)])


def tag(d):
    return "all" if d is None else ("ax" + ",".join(str(a) for a in d) if isinstance(d, list) else f"dim{d}")


def gen_statistics(ops):
    if "prod" in ops:
        op = "prod"
        g = Gen(op)
        for shape, dim, keep, dt in [([5], None, False, F64), ([3, 4], 1, False, F64), ([3, 4], 0, True, F64),
                                     ([2, 3, 4], -1, False, F64), ([], None, False, F64), ([0], None, False, F64),
                                     ([2, 0], 1, False, F64), ([3, 5], 1, False, F32)]:
            x = g.uniform(shape, -2.0, 2.0, dt)
            out = torch.prod(x) if dim is None else torch.prod(x, dim, keepdim=keep)
            add_case(op, f"{sname(shape)}_{tag(dim)}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x], out,
                     {"dim": dim, "keepDim": keep})
        for name, x in [("zeros_f64", t64([2.0, 0.0, 4.0, 0.0])), ("special_f64", t64([INF, 0.0, NAN, 2.0])),
                        ("int64", torch.tensor([3, -2, 5], dtype=I64)), ("bool", torch.tensor([True, True]))]:
            add_case(op, name, [x], torch.prod(x), {"dim": None, "keepDim": False})
    for op in [o for o in ops if o in ("var", "std")]:
        fn = getattr(torch, op)
        g = Gen(op)
        for shape, dims, corr, keep, dt in [([5], None, 1, False, F64), ([3, 4], [1], 1, False, F64),
                                            ([3, 4], [0], 0, True, F64), ([2, 3, 4], [0, 2], 1, False, F64),
                                            ([2, 3, 4], None, 2, False, F64), ([1], None, 1, False, F64),
                                            ([3, 4], [1], 4, False, F64), ([3, 5], [-1], 1, True, F32)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            out = fn(x, dim=None if dims is None else tuple(dims), correction=corr, keepdim=keep)
            add_case(op, f"{sname(shape)}_{tag(dims)}_c{corr}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x], out,
                     {"dims": dims, "correction": corr, "keepDim": keep})
    for op in [o for o in ops if o in ("amax", "amin")]:
        fn = getattr(torch, op)
        g = Gen(op)
        for shape, dims, keep, dt in [([5], None, False, F64), ([3, 4], [1], False, F64), ([3, 4], [0], True, F64),
                                      ([2, 3, 4], [0, 2], False, F64), ([3, 4], [1], False, F32)]:
            x = g.ints(shape, -2, 2, dt) * 0.5  # ties
            out = fn(x) if dims is None else fn(x, dim=tuple(dims), keepdim=keep)
            add_case(op, f"{sname(shape)}_{tag(dims)}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x], out,
                     {"dims": dims, "keepDim": keep})
    for op in [o for o in ops if o in ("max_dim", "min_dim")]:
        fn = torch.max if op == "max_dim" else torch.min
        g = Gen(op)
        for shape, dim, dt in [([5], 0, F64), ([3, 4], 1, F64), ([3, 4], -2, F64), ([2, 3, 4], 1, F64),
                               ([3, 4], 1, F32)]:
            x = g.distinct(shape, dt)
            add_case(op, f"{sname(shape)}_dim{dim}_{dname(dt)}", [x], both(fn(x, dim)), {"dim": dim})
        x = t64([1.0, 3.0, 3.0, -1.0, -1.0, 0.0], [2, 3])  # ties: the first position
        add_case(op, "ties_2x3_dim1_f64", [x], both(fn(x, 1)), {"dim": 1})
    for op in [o for o in ops if o in ("all", "any")]:
        fn = getattr(torch, op)
        g = Gen(op)
        for shape, dim, dt in [([5], None, F64), ([3, 4], 1, F64), ([3, 4], 0, I64), ([2, 3], None, BOOL),
                               ([0], None, F64), ([2, 0], 1, F64)]:
            x = g.ints(shape, 0, 2, dt) if dt != BOOL else g.mask(shape, 0.7)
            out = fn(x) if dim is None else fn(x, dim)
            add_case(op, f"{sname(shape)}_{tag(dim)}_{dname(dt)}", [x], out, {"dim": dim})
        x = t64([NAN, 1.0])
        add_case(op, "nan_f64", [x], fn(x), {"dim": None})
    if "count_nonzero" in ops:
        op = "count_nonzero"
        g = Gen(op)
        for shape, dims, dt in [([6], None, F64), ([3, 4], [1], F64), ([2, 3, 4], [0, 2], I64), ([3, 2], None, BOOL)]:
            x = g.ints(shape, 0, 2, dt) if dt != BOOL else g.mask(shape)
            out = torch.count_nonzero(x) if dims is None else torch.count_nonzero(x, dim=tuple(dims))
            add_case(op, f"{sname(shape)}_{tag(dims)}_{dname(dt)}", [x], out, {"dims": dims})


def gen_scans(ops):
    shapes = [([5], 0, F64), ([3, 4], 1, F64), ([3, 4], 0, F64), ([2, 3, 4], -2, F64), ([], 0, F64),
              ([0], 0, F64), ([3, 4], 1, F32)]
    for op in ops:
        g = Gen(op)
        fn = getattr(torch, op)
        for shape, dim, dt in shapes:
            x = g.uniform(shape, -2.0, 2.0, dt)
            out = fn(x, dim)
            out = both(out) if op in ("cummax", "cummin") else out
            add_case(op, f"{sname(shape)}_dim{dim}_{dname(dt)}", [x], out, {"dim": dim})
        if op in ("cumsum", "cumprod"):
            x = torch.tensor([[3, -2, 5], [1, 0, 4]], dtype=I64)
            add_case(op, "int64_dim1", [x], fn(x, 1), {"dim": 1})
            x = torch.tensor([True, False, True])
            add_case(op, "bool_dim0", [x], fn(x, 0), {"dim": 0})
        if op == "cumprod":
            x = t64([2.0, 0.0, 3.0, 0.0, 5.0])
            add_case(op, "zeros_f64", [x], fn(x, 0), {"dim": 0})
        if op == "logcumsumexp":
            for name, vals in [("large_f64", [1000.0, 1001.0, -1000.0, 999.0]),
                               ("small_first_f64", [-1000.0, 0.0, -INF, 5.0]),
                               ("neg_inf_f64", [-INF, -INF, 1.0])]:
                x = t64(vals)
                add_case(op, name, [x], fn(x, 0), {"dim": 0})
        if op in ("cummax", "cummin"):
            x = t64([1.0, 3.0, 3.0, 2.0, NAN, 5.0, NAN, 0.0, 0.0])
            add_case(op, "ties_nan_f64", [x], both(fn(x, 0)), {"dim": 0})


def gen_selection(ops):
    if "sort" in ops or "argsort" in ops:
        for op in [o for o in ops if o in ("sort", "argsort")]:
            g = Gen(op)
            for shape, dim, desc, dt in [([6], 0, False, F64), ([6], 0, True, F64), ([3, 4], 1, False, F64),
                                         ([3, 4], 0, True, F64), ([2, 3, 4], -1, True, F64), ([], 0, False, F64),
                                         ([0], 0, False, F64), ([3, 5], 1, False, F32)]:
                x = g.distinct(shape, dt)
                r = torch.sort(x, dim=dim, descending=desc, stable=True)
                out = both(r) if op == "sort" else r.indices
                add_case(op, f"{sname(shape)}_dim{dim}_{'desc' if desc else 'asc'}_{dname(dt)}", [x], out,
                         {"dim": dim, "descending": desc})
            for desc in (False, True):  # ties (stable), NaN above every number, -0.0 == 0.0
                x = t64([1.0, NAN, 3.0, -0.0, 0.0, 1.0, NAN, -INF])
                r = torch.sort(x, dim=0, descending=desc, stable=True)
                add_case(op, f"special_{'desc' if desc else 'asc'}_f64", [x], both(r) if op == "sort" else r.indices,
                         {"dim": 0, "descending": desc})
            x = torch.tensor([[3, -2, 5, -2], [1, 0, 4, 1]], dtype=I64)
            r = torch.sort(x, dim=1, stable=True)
            add_case(op, "int64_dim1", [x], both(r) if op == "sort" else r.indices, {"dim": 1, "descending": False})
    if "topk" in ops:
        op = "topk"
        g = Gen(op)
        for shape, k, dim, largest, dt in [([6], 2, 0, True, F64), ([6], 3, 0, False, F64), ([3, 4], 4, 1, True, F64),
                                           ([3, 4], 1, 0, False, F64), ([2, 3, 4], 2, -1, True, F64),
                                           ([3, 4], 0, 1, True, F64), ([3, 5], 3, 1, True, F32)]:
            x = g.distinct(shape, dt)
            add_case(op, f"{sname(shape)}_k{k}_dim{dim}_{'largest' if largest else 'smallest'}_{dname(dt)}", [x],
                     both(torch.topk(x, k, dim, largest=largest)), {"k": k, "dim": dim, "largest": largest})
        x = t64([1.0, NAN, 3.0, 2.0])
        add_case(op, "nan_f64", [x], both(torch.topk(x, 2)), {"k": 2, "dim": -1, "largest": True})
    if "kthvalue" in ops:
        op = "kthvalue"
        g = Gen(op)
        for shape, k, dim, keep, dt in [([6], 2, 0, False, F64), ([6], 6, 0, False, F64), ([3, 4], 1, 1, True, F64),
                                        ([3, 4], 3, 0, False, F64), ([2, 3, 4], 2, -2, False, F64),
                                        ([], 1, 0, False, F64), ([3, 5], 4, 1, True, F32)]:
            x = g.distinct(shape, dt)
            add_case(op, f"{sname(shape)}_k{k}_dim{dim}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x],
                     both(torch.kthvalue(x, k, dim, keepdim=keep)), {"k": k, "dim": dim, "keepDim": keep})
    if "median" in ops:
        op = "median"
        g = Gen(op)
        for shape, dim, keep, dt in [([5], None, False, F64), ([6], None, False, F64), ([3, 4], 1, False, F64),
                                     ([3, 4], 0, True, F64), ([2, 3, 4], -1, False, F64), ([], None, False, F64),
                                     ([3, 5], 1, False, F32)]:
            x = g.distinct(shape, dt)
            out = torch.median(x) if dim is None else both(torch.median(x, dim, keepdim=keep))
            add_case(op, f"{sname(shape)}_{tag(dim)}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x], out,
                     {"dim": dim, "keepDim": keep})
        x = t64([3.0, 1.0, NAN, 2.0, NAN, 0.0], [2, 3])
        add_case(op, "nan_2x3_dim1_f64", [x], both(torch.median(x, 1)), {"dim": 1, "keepDim": False})
        add_case(op, "nan_all_f64", [x], torch.median(x), {"dim": None, "keepDim": False})
        x = t64([2.0, 1.0, 2.0, 3.0])
        add_case(op, "ties_even_f64", [x], torch.median(x), {"dim": None, "keepDim": False})
    if "quantile" in ops:
        op = "quantile"
        g = Gen(op)
        for shape, q, dim, keep, dt in [([5], 0.5, None, False, F64), ([6], 0.25, None, False, F64),
                                        ([3, 4], 0.0, 1, False, F64), ([3, 4], 1.0, 0, True, F64),
                                        ([2, 3, 4], 0.3, -1, False, F64), ([], 0.7, None, False, F64),
                                        ([3, 5], 0.9, 1, False, F32)]:
            x = g.uniform(shape, -3.0, 3.0, dt)
            out = torch.quantile(x, q) if dim is None else torch.quantile(x, q, dim, keepdim=keep)
            add_case(op, f"{sname(shape)}_q{q}_{tag(dim)}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x], out,
                     {"q": q, "dim": dim, "keepDim": keep})
        x = t64([1.0, NAN, 2.0, 4.0, 3.0, 5.0], [2, 3])
        add_case(op, "nan_2x3_dim1_f64", [x], torch.quantile(x, 0.5, 1), {"q": 0.5, "dim": 1, "keepDim": False})
    if "mode" in ops:
        op = "mode"
        g = Gen(op)
        for shape, dim, keep, dt in [([7], 0, False, F64), ([3, 6], 1, False, F64), ([4, 3], 0, True, F64),
                                     ([2, 3, 5], -1, False, F64), ([3, 6], 1, False, F32)]:
            x = g.ints(shape, 0, 3, dt)
            add_case(op, f"{sname(shape)}_dim{dim}_{'keep' if keep else 'nokeep'}_{dname(dt)}", [x],
                     both(torch.mode(x, dim, keepdim=keep)), {"dim": dim, "keepDim": keep})
        x = t64([2.0, 1.0, 2.0, 1.0, 3.0])
        add_case(op, "ties_f64", [x], both(torch.mode(x, 0)), {"dim": 0, "keepDim": False})
    if "unique" in ops:
        op = "unique"
        g = Gen(op)
        for shape, dt in [([8], F64), ([3, 4], F64), ([2, 3], I64), ([0], F64), ([], F64), ([5], F32)]:
            x = g.ints(shape, -2, 2, dt)
            u, inv, c = torch.unique(x, sorted=True, return_inverse=True, return_counts=True)
            add_case(op, f"{sname(shape)}_{dname(dt)}", [x],
                     torch.cat([u, inv.reshape(-1).to(u.dtype), c.to(u.dtype)]))
    if "searchsorted" in ops:
        op = "searchsorted"
        g = Gen(op)
        seq = t64([-1.0, 0.5, 0.5, 2.0, 3.0])
        for right in (False, True):
            v = t64([0.5, -5.0, 10.0, 2.0, 1.0, NAN, -1.0])
            add_case(op, f"1d_{'right' if right else 'left'}_f64", [seq, v], torch.searchsorted(seq, v, right=right),
                     {"right": right})
        s2 = torch.sort(g.uniform([2, 4], -2.0, 2.0, F64), 1).values
        v2 = g.uniform([2, 3], -2.5, 2.5, F64)
        add_case(op, "2d_left_f64", [s2, v2], torch.searchsorted(s2, v2), {"right": False})
        si = torch.tensor([1, 3, 3, 7], dtype=I64)
        vi = torch.tensor([[3, 0], [8, 7]], dtype=I64)
        add_case(op, "int64_right", [si, vi], torch.searchsorted(si, vi, right=True), {"right": True})
        v0 = t64(0.6)
        add_case(op, "scalar_value_f64", [seq, v0], torch.searchsorted(seq, v0.reshape(1)).reshape(()),
                 {"right": False})
    if "bincount" in ops:
        op = "bincount"
        g = Gen(op)
        for n, hi, minlength in [(10, 5, 0), (6, 2, 8), (0, 1, 0), (0, 1, 3)]:
            x = g.ints([n], 0, hi, I64)
            add_case(op, f"n{n}_max{hi}_min{minlength}", [x], torch.bincount(x, minlength=minlength),
                     {"minlength": minlength})
        x = g.ints([7], 0, 4, I64)
        w = g.uniform([7], -1.0, 2.0, F64)
        add_case(op, "weights_f64", [x, w], torch.bincount(x, w), {"minlength": 0})
    if "histc" in ops:
        op = "histc"
        g = Gen(op)
        for n, bins, lo, hi, dt in [(20, 5, -2.0, 2.0, F64), (20, 4, 0.0, 0.0, F64), (15, 3, -1.0, 1.0, F64),
                                    (10, 7, -3.0, 3.0, F32)]:
            x = g.uniform([n], -3.0, 3.0, dt)
            add_case(op, f"n{n}_b{bins}_{lo}_{hi}_{dname(dt)}", [x], torch.histc(x, bins, lo, hi),
                     {"bins": bins, "min": lo, "max": hi})
        x = t64([1.0, 1.0])
        add_case(op, "constant_f64", [x], torch.histc(x, 3), {"bins": 3, "min": 0.0, "max": 0.0})
        x = t64([0.0, 1.0, 2.0, 2.0, 5.0, -1.0])  # NaN left out: 1.13 counts it in bin 0, Nabla ignores it
        add_case(op, "edges_f64", [x], torch.histc(x, 2, 0.0, 2.0), {"bins": 2, "min": 0.0, "max": 2.0})


# ---------------------------------------------------------------- shape and indexing (issue 12)

def pieces(ts):
    """A tuple of tensors (split, chunk, unbind, meshgrid) as one: each flattened, concatenated."""
    return torch.cat([t.reshape(-1) for t in ts])


EINSUM_CASES = [
    # equation, operand shapes
    ("ij,jk->ik", [[2, 3], [3, 4]]),
    ("bij,bjk->bik", [[2, 2, 3], [2, 3, 2]]),
    ("ij,jk", [[2, 3], [3, 4]]),
    ("ij->ji", [[2, 3]]),
    ("ii->i", [[3, 3]]),
    ("ii", [[3, 3]]),
    ("i,i->", [[4], [4]]),
    ("i,j->ij", [[3], [2]]),
    ("ij->", [[2, 3]]),
    ("ijk->kj", [[2, 3, 4]]),
    ("iij->ji", [[3, 3, 2]]),
    ("ij,ij->ij", [[2, 3], [2, 3]]),
    ("ba,ca", [[2, 3], [4, 3]]),
    ("ij,jk,kl->il", [[2, 3], [3, 4], [4, 2]]),
    ("bi,bj->bij", [[2, 3], [2, 2]]),
    ("...ij,...jk->...ik", [[2, 2, 3], [3, 4]]),
    ("...ii->...i", [[2, 3, 3]]),
    ("i...->...", [[3, 2, 2]]),
    ("b...i,bi->b...", [[2, 3, 4], [2, 4]]),
    ("ij,kj->ikj", [[1, 3], [2, 3]]),
    ("Ab,bA->A", [[2, 3], [3, 2]]),
    ("ijk,jil->kl", [[3, 2, 4], [2, 3, 2]]),
    (" i j , j k -> i k ", [[2, 3], [3, 2]]),
    ("bA", [[2, 3]]),
    ("...ij->ij", [[2, 3, 3]]),
    (",i->i", [[], [3]]),
    ("i,i", [[3], [3]]),
    ("ij,j...->i...", [[2, 3], [3]]),
    ("bij,bkj->bik", [[1, 2, 3], [3, 2, 3]]),
    ("iji->j", [[2, 3, 2]]),
    ("ab,bc,cd,de->ae", [[2, 2], [2, 3], [3, 2], [2, 2]]),
    ("ij,ik,il->jkl", [[3, 2], [3, 2], [3, 2]]),
]


def gen_shape_extra(ops):
    def each(op, cases):
        if op not in ops:
            return
        g = Gen(op)
        for name, shape, dt, params, fn in cases:
            x = g.uniform(shape, -3.0, 3.0, dt)
            add_case(op, f"{sname(shape)}_{name}_{dname(dt)}", [x], fn(x), params)

    each("flip", [(f"dims{','.join(map(str, d)) or 'none'}", s, dt, {"dims": d}, lambda x, d=d: torch.flip(x, d))
                  for s, d, dt in [([5], [0], F64), ([2, 3], [1], F64), ([2, 3, 2], [0, 2], F64), ([2, 3], [-1, 0], F32),
                                   ([], [], F64), ([2, 0], [1], F64), ([3, 2], [], F64)]])
    each("roll", [(f"s{','.join(map(str, sh))}_d{','.join(map(str, d)) or 'none'}", s, dt,
                   {"shifts": sh, "dims": d}, lambda x, sh=sh, d=d: torch.roll(x, sh, d))
                  for s, sh, d, dt in [([5], [2], [0], F64), ([5], [-2], [0], F64), ([5], [7], [0], F64),
                                       ([2, 3], [1], [1], F64), ([2, 3], [-4], [-1], F64), ([2, 3], [1, -1], [0, 1], F64),
                                       ([2, 3], [2], [], F64), ([3, 4], [-5], [], F32), ([2, 0], [1], [1], F64)]])
    each("repeat", [(f"r{','.join(map(str, r))}", s, dt, {"repeats": r}, lambda x, r=r: x.repeat(*r))
                    for s, r, dt in [([3], [2], F64), ([2, 3], [2, 1], F64), ([2, 3], [1, 3], F64), ([2], [3, 2], F64),
                                     ([], [2, 2], F64), ([2, 2], [0, 2], F64), ([2, 1, 2], [1, 2, 2], F32)]])
    each("tile", [(f"r{','.join(map(str, r))}", s, dt, {"dims": r}, lambda x, r=r: torch.tile(x, r))
                  for s, r, dt in [([3], [2], F64), ([2, 3], [2], F64), ([2, 3], [2, 2], F64), ([2], [2, 1, 2], F64),
                                   ([], [3], F64), ([2, 2], [], F32)]])
    each("repeat_interleave", [(f"r{r}_d{d}", s, dt, {"repeats": r, "dim": d},
                                lambda x, r=r, d=d: torch.repeat_interleave(x, r, d))
                               for s, r, d, dt in [([3], 2, 0, F64), ([2, 3], 2, 1, F64), ([2, 3], 3, -2, F64),
                                                   ([2, 3], None, None, F64), ([2, 2], 0, 0, F64), ([], 3, None, F32)]
                               if r is not None] +
         [("r2_flat", [2, 3], F64, {"repeats": 2, "dim": None}, lambda x: torch.repeat_interleave(x, 2))] +
         [(f"counts{','.join(map(str, r))}_d{d}", s, dt, {"repeats_list": r, "dim": d},
           lambda x, r=r, d=d: torch.repeat_interleave(x, torch.tensor(r, dtype=torch.int64), d))
          for s, r, d, dt in [([3], [1, 0, 2], 0, F64), ([2, 3], [2, 1, 0], 1, F64), ([2, 3], [3], 0, F64),
                              ([2, 3], [0, 2], -2, F32), ([2, 2], [1, 2, 0, 1], None, F64), ([], [2], None, F64)]])
    each("split", [(f"size{k}_d{d}", s, dt, {"size": k, "dim": d}, lambda x, k=k, d=d: pieces(torch.split(x, k, d)))
                   for s, k, d, dt in [([5], 2, 0, F64), ([6], 3, 0, F64), ([2, 5], 2, 1, F64), ([4, 3], 3, 0, F64),
                                       ([3], 5, 0, F64), ([3, 4], 1, -1, F32)]])
    each("split_sizes", [(f"sizes{','.join(map(str, k))}_d{d}", s, dt, {"sizes": k, "dim": d},
                          lambda x, k=k, d=d: pieces(torch.split(x, k, d)))
                         for s, k, d, dt in [([5], [2, 3], 0, F64), ([2, 6], [1, 0, 5], 1, F64), ([4, 2], [4], 0, F64)]])
    each("chunk", [(f"c{c}_d{d}", s, dt, {"chunks": c, "dim": d}, lambda x, c=c, d=d: pieces(torch.chunk(x, c, d)))
                   for s, c, d, dt in [([5], 4, 0, F64), ([6], 3, 0, F64), ([5], 2, 0, F64), ([2, 7], 3, 1, F64),
                                       ([3], 5, 0, F64), ([4, 3], 2, -2, F32)]])
    each("unbind", [(f"d{d}", s, dt, {"dim": d}, lambda x, d=d: pieces(torch.unbind(x, d)))
                    for s, d, dt in [([3], 0, F64), ([2, 3], 0, F64), ([2, 3], 1, F64), ([2, 3, 2], -1, F32)]])
    each("narrow", [(f"d{d}_{st}+{n}", s, dt, {"dim": d, "start": st, "length": n},
                     lambda x, d=d, st=st, n=n: torch.narrow(x, d, st, n))
                    for s, d, st, n, dt in [([5], 0, 1, 3, F64), ([5], 0, -2, 2, F64), ([3, 4], 1, 0, 0, F64),
                                            ([3, 4], -2, 1, 2, F32)]])
    each("movedim", [(f"{','.join(map(str, a))}to{','.join(map(str, b))}", s, dt, {"source": a, "destination": b},
                      lambda x, a=a, b=b: torch.movedim(x, a, b))
                     for s, a, b, dt in [([2, 3, 4], [0], [2], F64), ([2, 3, 4], [-1], [0], F64),
                                         ([2, 3, 4, 1], [0, 1], [3, 0], F64), ([2, 3], [0], [0], F32)]])
    each("diag", [(f"k{k}", s, dt, {"offset": k}, lambda x, k=k: torch.diag(x, k))
                  for s, k, dt in [([3], 0, F64), ([3], 1, F64), ([3], -2, F64), ([3, 3], 0, F64), ([3, 4], 1, F64),
                                   ([4, 3], -1, F64), ([3, 4], 4, F64), ([3, 4], 3, F64), ([2], 0, F32)]])
    each("diagonal", [(f"k{k}_{a},{b}", s, dt, {"offset": k, "dim1": a, "dim2": b},
                       lambda x, k=k, a=a, b=b: torch.diagonal(x, k, a, b))
                      for s, k, a, b, dt in [([3, 3], 0, 0, 1, F64), ([3, 4], 1, 0, 1, F64), ([3, 4], -1, 1, 0, F64),
                                             ([2, 3, 4], 0, 1, 2, F64), ([2, 3, 4], 1, 0, 2, F64),
                                             ([2, 3, 4], -2, -1, -3, F32), ([3, 3], 4, 0, 1, F64)]])
    each("diag_embed", [(f"k{k}_{a},{b}", s, dt, {"offset": k, "dim1": a, "dim2": b},
                         lambda x, k=k, a=a, b=b: torch.diag_embed(x, k, a, b))
                        for s, k, a, b, dt in [([3], 0, -2, -1, F64), ([2, 3], 0, -2, -1, F64), ([2, 3], 1, -2, -1, F64),
                                               ([2, 3], -1, 0, 2, F64), ([2, 3], 0, 1, 0, F32), ([2, 2], 2, 0, 1, F64)]])
    each("triu", [(f"k{k}", s, dt, {"k": k}, lambda x, k=k: torch.triu(x, k))
                  for s, k, dt in [([3, 3], 0, F64), ([3, 4], 1, F64), ([4, 3], -1, F64), ([2, 3, 3], 0, F64),
                                   ([3, 3], 5, F64), ([3, 3], -5, F32)]])
    each("tril", [(f"k{k}", s, dt, {"k": k}, lambda x, k=k: torch.tril(x, k))
                  for s, k, dt in [([3, 3], 0, F64), ([3, 4], 1, F64), ([4, 3], -1, F64), ([2, 3, 3], -2, F64),
                                   ([3, 3], 5, F32)]])
    if "take" in ops:
        op = "take"
        g = Gen(op)
        for s, idx, dt in [([2, 3], [[0, 5], [-1, 2]], F64), ([4], [3, 3, 0], F64), ([2, 2], [], F32)]:
            x = g.uniform(s, -3.0, 3.0, dt)
            i = torch.tensor(idx, dtype=I64)
            add_case(op, f"{sname(s)}_idx{sname(list(i.shape))}_{dname(dt)}", [x, i], torch.take(x, i))
    if "nonzero" in ops:
        op = "nonzero"
        add_case(op, "2x3_f64", [t64([0.0, 1.5, 0.0, -2.0, 0.0, NAN], [2, 3])],
                 torch.nonzero(t64([0.0, 1.5, 0.0, -2.0, 0.0, NAN], [2, 3])))
        b = torch.tensor([True, False, True, True])
        add_case(op, "4_bool", [b], torch.nonzero(b))
        z = torch.zeros(2, 2, dtype=F64)
        add_case(op, "zeros_f64", [z], torch.nonzero(z))
        s = t64(3.0)
        add_case(op, "scalar_f64", [s], torch.nonzero(s))
    if "outer" in ops:
        op = "outer"
        g = Gen(op)
        for sa, sb, dt in [([3], [2], F64), ([1], [4], F64), ([2], [3], F32)]:
            a, b = g.uniform(sa, -3.0, 3.0, dt), g.uniform(sb, -3.0, 3.0, dt)
            add_case(op, f"{sname(sa)}x{sname(sb)}_{dname(dt)}", [a, b], torch.outer(a, b))
    if "kron" in ops:
        op = "kron"
        g = Gen(op)
        for sa, sb, dt in [([2, 2], [2, 3], F64), ([3], [2], F64), ([2, 3], [2], F64), ([2, 1, 2], [2, 2], F64),
                           ([], [3], F64), ([2, 2], [1, 2], F32)]:
            a, b = g.uniform(sa, -3.0, 3.0, dt), g.uniform(sb, -3.0, 3.0, dt)
            add_case(op, f"{sname(sa)}x{sname(sb)}_{dname(dt)}", [a, b], torch.kron(a, b))
    if "meshgrid" in ops:
        op = "meshgrid"
        g = Gen(op)
        for shapes in [[[3], [2]], [[2], [3], [2]], [[4]], [[], [3]]]:
            xs = [g.uniform(s, -3.0, 3.0, F64) for s in shapes]
            add_case(op, "+".join(sname(s) for s in shapes), xs,
                     torch.stack(torch.meshgrid(*xs, indexing="ij")))
    if "tensordot" in ops:
        op = "tensordot"
        g = Gen(op)
        for sa, sb, dims, dt in [([2, 3], [3, 4], 1, F64), ([2, 3, 4], [3, 4, 2], 2, F64), ([2], [3], 0, F64),
                                 ([2, 3], [2, 3], 2, F64), ([3, 2, 4], [4, 3], [[0, 2], [1, 0]], F64),
                                 ([2, 3], [3, 2], 1, F32)]:
            a, b = g.uniform(sa, -3.0, 3.0, dt), g.uniform(sb, -3.0, 3.0, dt)
            params = {"dims": dims} if isinstance(dims, int) else {"dimsA": dims[0], "dimsB": dims[1]}
            tag = str(dims) if isinstance(dims, int) else ",".join(map(str, dims[0])) + ";" + ",".join(map(str, dims[1]))
            add_case(op, f"{sname(sa)}x{sname(sb)}_{tag}_{dname(dt)}", [a, b], torch.tensordot(a, b, dims), params)
    if "einsum" in ops:
        op = "einsum"
        g = Gen(op)
        for eq, shapes in EINSUM_CASES:
            xs = [g.uniform(s, -3.0, 3.0, F64) for s in shapes]
            add_case(op, eq.replace(" ", "_") + "_f64", xs, torch.einsum(eq, *xs), {"equation": eq})
        a, b = g.uniform([2, 3], -3.0, 3.0, F32), g.uniform([3], -3.0, 3.0, F32)
        add_case(op, "ij,j->i_f32", [a, b], torch.einsum("ij,j->i", a, b), {"equation": "ij,j->i"})


# ---------------------------------------------------------------- main

# Groups in the order their cases are written; a row of ops.json belongs to the group named by its
# family (unary, binary, compare) or by its "gen".
GROUPS = [
    ("unary", gen_unary),
    ("binary", gen_binary),
    ("scalar", gen_scalar_ops),
    ("compare", gen_compare),
    ("where", gen_where),
    ("clamp", gen_clamp),
    ("elementwise_params", gen_elementwise_params),
    ("reductions", gen_reductions),
    ("max_min", gen_max_min),
    ("norm", gen_norm),
    ("statistics", gen_statistics),
    ("scans", gen_scans),
    ("selection", gen_selection),
    ("softmax", gen_softmax),
    ("matmul", gen_matmul),
    ("shape", gen_shape_ops),
    ("slice", gen_slice),
    ("cat_stack", gen_cat_stack),
    ("indexing", gen_indexing),
    ("cast", gen_cast),
    ("losses", gen_losses),
    ("shape_extra", gen_shape_extra),
]


def group_of(row):
    family = row.get("family")
    return family if family in ("unary", "binary", "compare") else row.get("gen")


def main():
    with open(OPS, encoding="utf-8") as f:
        rows = json.load(f)["ops"]
    names = {name for name, _ in GROUPS}
    unknown = [r["op"] for r in rows if group_of(r) is not None and group_of(r) not in names]
    assert not unknown, f"ops.json: no group {sorted(names)} for {unknown}"
    for name, gen in GROUPS:
        members = [r for r in rows if group_of(r) == name]
        if members:
            gen(members if name == "unary" else [r["op"] for r in members])

    listed = {r["op"] for r in rows if group_of(r) is not None}
    produced = {c["op"] for c in CASES}
    assert listed <= produced, f"ops listed in ops.json without a case: {sorted(listed - produced)}"
    assert produced <= listed, f"cases of ops not listed in ops.json: {sorted(produced - listed)}"

    existing = {}
    if "--keep-existing" in sys.argv[1:] and os.path.exists(OUT):
        with open(OUT, encoding="utf-8") as f:
            for line in f:
                if line.startswith('{"name":'):
                    line = line.rstrip("\n").rstrip(",")
                    existing[json.loads(line)["name"]] = line
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"torch_version":' + json.dumps(torch.__version__) + ',"cases":[\n')
        for i, case in enumerate(CASES):
            f.write(existing.get(case["name"]) or json.dumps(case, separators=(",", ":"), allow_nan=False))
            f.write(",\n" if i + 1 < len(CASES) else "\n")
        f.write("]}\n")

    counts = {}
    for c in CASES:
        counts[c["op"]] = counts.get(c["op"], 0) + 1
    for op, n in counts.items():
        print(f"{op:14s} {n}")
    print(f"{len(CASES)} cases, {len(counts)} ops, {os.path.getsize(OUT)} bytes -> {os.path.relpath(OUT, ROOT)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
