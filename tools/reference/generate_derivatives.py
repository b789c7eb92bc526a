#!/usr/bin/env python3
"""Generate PyTorch reference values for Nabla's functional derivative transforms.

Regenerate (from the repository root, with a Python 3 that has PyTorch installed):

    python3 tools/reference/generate_derivatives.py

On Debian 12 PyTorch comes from the `python3-torch` package (1.13.1+dfsg-4, which reports
torch.__version__ == "1.13.0a0"); it lives in the system interpreter, so if `python3` on your
PATH is another interpreter use `/usr/bin/python3 tools/reference/generate_derivatives.py`.
The data committed was generated with torch 1.13.0a0 (Debian 1.13.1+dfsg-4), CPU; the
version is also stored in the JSON as "torch_version".

Output: nabla-core/src/test/resources/nabla/reference/derivatives.json, read by
nabla-core/src/test/java/nabla/reference/DerivativeReferenceTest.java (the Java tests never
need PyTorch). Every case is a named function f(x, c) of one float64 tensor x and a few fixed
constants c; the same function is written out again, op for op, in the Java test's CASES map.

Format:
    {"torch_version": "...",
     "cases": [{"name": "softmax_rows", "formula": "softmax(X, dim=1)", "scalar": false,
                "x": T, "consts": {"W": T, ...}, "value": T, "jacobian": T,
                "u": T, "vjp": T, "v": T, "jvp": T,
                # scalar-valued f only:
                "hessian": T, "hvp": T,
                # vector-valued f only: the Hessian of the scalar function sum(u * f(x))
                "u_hessian": T}, ...]}
    T = {"dtype": "float64"|"int64", "shape": [...], "data": [...]}
data is flat row-major; 0-d tensors have shape [] and one datum; non-finite values would be
the strings "nan", "inf", "-inf" (none occur: every input is chosen away from kinks, ties
and singularities, so that the derivatives are unambiguous).

Shapes follow torch.autograd.functional: jacobian is f(x).shape ++ x.shape (x.shape alone
when f is scalar), hessian is x.shape ++ x.shape, u has f(x)'s shape and v has x's shape;
vjp = u^T J, jvp = J v, hvp = H v.

The output is deterministic: x, the constants, u and v come from random.Random seeded with
crc32 of the case name (in that order), not from torch's RNG; everything is float64.
"""

import json
import math
import os
import random
import sys
import zlib

import torch
import torch.autograd.functional as AF

torch.set_num_threads(1)  # reductions in a fixed order

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "nabla", "reference",
                   "derivatives.json")

F64, I64 = torch.float64, torch.int64
DTYPE_NAMES = {F64: "float64", I64: "int64"}


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
    flat = t.reshape(-1)
    if t.dtype == F64:
        data = [_enc_float(v) for v in flat.tolist()]
    elif t.dtype == I64:
        data = [int(v) for v in flat.tolist()]
    else:
        raise AssertionError("unexpected dtype " + str(t.dtype))
    return {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data": data}


# ---------------------------------------------------------------- inputs

def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


class Gen:
    def __init__(self, name):
        self.r = random.Random(zlib.crc32(name.encode("utf-8")))

    def uniform(self, shape, lo=-2.0, hi=2.0):
        vals = [self.r.uniform(lo, hi) for _ in range(numel(shape))]
        return torch.tensor(vals, dtype=F64).reshape(shape)

    def signed(self, shape, lo, hi):
        """Magnitudes in [lo, hi] with random signs (keeps values away from 0)."""
        vals = [self.r.uniform(lo, hi) * self.r.choice((-1.0, 1.0)) for _ in range(numel(shape))]
        return torch.tensor(vals, dtype=F64).reshape(shape)

    def avoiding(self, shape, lo, hi, ok):
        """Uniform values in [lo, hi] for which ok(value) holds."""
        vals = []
        while len(vals) < numel(shape):
            v = self.r.uniform(lo, hi)
            if ok(v):
                vals.append(v)
        return torch.tensor(vals, dtype=F64).reshape(shape)

    def index(self, shape, size):
        vals = [self.r.randint(0, size - 1) for _ in range(numel(shape))]
        return torch.tensor(vals, dtype=I64).reshape(shape)

    def bits(self, shape):
        vals = [float(self.r.randint(0, 1)) for _ in range(numel(shape))]
        return torch.tensor(vals, dtype=F64).reshape(shape)


# ---------------------------------------------------------------- cases

CASES = []  # (name, formula, make_x(gen), make_consts(gen), fn(x, c))


def case(name, formula, make_x, consts=None):
    def register(fn):
        assert all(c[0] != name for c in CASES), "duplicate case " + name
        CASES.append((name, formula, make_x, consts or (lambda g: {}), fn))
        return fn
    return register


def U(*shape, lo=-2.0, hi=2.0):
    return lambda g: g.uniform(list(shape), lo, hi)


# elementwise chains

@case("sin_mul_exp", "sin(x) * exp(x)", U(5))
def _(x, c):
    return torch.sin(x) * torch.exp(x)


@case("tanh_sq_plus_log_sq1", "tanh(x)^2 + log(x^2 + 1)", U(5))
def _(x, c):
    return torch.tanh(x) ** 2 + torch.log(x ** 2 + 1)


@case("d2l_log_x2_sin_plus_inv", "log(x^2) * sin(x) + 1/x  (D2L 2.5 exercise), |x| in [0.5, 3]",
      lambda g: g.signed([5], 0.5, 3.0))
def _(x, c):
    return torch.log(x ** 2) * torch.sin(x) + torch.reciprocal(x)


@case("d2l_sum_x3_sin", "sum(x^3 * sin(x))", U(6, lo=-3.0, hi=3.0))
def _(x, c):
    return (x ** 3 * torch.sin(x)).sum()


@case("sqrt_abs_mul_sigmoid", "sqrt(|x| + 1) * sigmoid(x), |x| in [0.2, 3]",
      lambda g: g.signed([6], 0.2, 3.0))
def _(x, c):
    return torch.sqrt(torch.abs(x) + 1) * torch.sigmoid(x)


@case("pow_self", "x^x (pow with a tensor exponent), x in [0.3, 2]", U(5, lo=0.3, hi=2.0))
def _(x, c):
    return torch.pow(x, x)


@case("pow_const_exponent", "x^E with a fixed exponent tensor E, x in [0.5, 2.5]",
      U(2, 3, lo=0.5, hi=2.5), lambda g: {"E": g.uniform([3], -1.5, 2.5)})
def _(x, c):
    return torch.pow(x, c["E"])


@case("rational", "x / (x^2 + 1)", U(5, lo=-3.0, hi=3.0))
def _(x, c):
    return x / (x * x + 1)


@case("piecewise_where_relu_clamp",
      "where(x > 0, x^2, sin x) + relu(x) * x + clamp(x, -1, 1) * x, away from 0 and +-1",
      lambda g: g.avoiding([8], -2.0, 2.0, lambda v: abs(v) > 0.1 and abs(abs(v) - 1) > 0.1))
def _(x, c):
    return torch.where(x > 0, x ** 2, torch.sin(x)) + torch.relu(x) * x + torch.clamp(x, -1, 1) * x


@case("maximum_sin_cos", "maximum(sin x, cos x) * x, away from ties",
      lambda g: g.avoiding([6], -3.0, 3.0, lambda v: abs(math.sin(v) - math.cos(v)) > 0.1))
def _(x, c):
    return torch.maximum(torch.sin(x), torch.cos(x)) * x


@case("max_scalar", "max(x * exp(x)), a unique maximum",
      lambda g: torch.tensor([-0.7, 0.3, 1.1, -1.9, 0.8, 0.05], dtype=F64))
def _(x, c):
    return (x * torch.exp(x)).max()


# softmax, logsumexp

@case("softmax_vector", "softmax(x, 0)", U(5))
def _(x, c):
    return torch.softmax(x, 0)


@case("softmax_rows", "softmax(X, 1)", U(3, 4))
def _(x, c):
    return torch.softmax(x, 1)


@case("softmax_cols", "softmax(X, 0)", U(3, 2))
def _(x, c):
    return torch.softmax(x, 0)


@case("log_softmax_rows", "log_softmax(X, 1)", U(2, 4))
def _(x, c):
    return torch.log_softmax(x, 1)


@case("softmax_weighted_sum", "sum(softmax(X, 1) * C)", U(2, 3),
      lambda g: {"C": g.uniform([2, 3])})
def _(x, c):
    return (torch.softmax(x, 1) * c["C"]).sum()


@case("logsumexp_vector", "logsumexp(x, 0)", U(6))
def _(x, c):
    return torch.logsumexp(x, 0)


@case("logsumexp_rows_keepdim", "logsumexp(X, 1, keepdim=True)", U(3, 4))
def _(x, c):
    return torch.logsumexp(x, 1, keepdim=True)


@case("logsumexp_axis0_sum", "sum(logsumexp(X, 0))", U(3, 4))
def _(x, c):
    return torch.logsumexp(x, 0).sum()


@case("cross_entropy_gather",
      "-mean(gather(log_softmax(X, 1), 1, T)) with fixed int64 targets T [3, 1]", U(3, 4),
      lambda g: {"T": g.index([3, 1], 4)})
def _(x, c):
    return -torch.gather(torch.log_softmax(x, 1), 1, c["T"]).mean()


# matrix functions

@case("matmul_xW", "X @ W, W fixed [4, 3]", U(2, 4), lambda g: {"W": g.uniform([4, 3])})
def _(x, c):
    return x @ c["W"]


@case("vector_matmul_W", "x @ W (1-d x), W fixed [4, 3]", U(4),
      lambda g: {"W": g.uniform([4, 3])})
def _(x, c):
    return x @ c["W"]


@case("gram_xTx", "X^T @ X, X [3, 2]", U(3, 2))
def _(x, c):
    return x.T @ x


@case("tanh_Ax", "tanh(A @ x), A fixed [3, 4]", U(4), lambda g: {"A": g.uniform([3, 4])})
def _(x, c):
    return torch.tanh(c["A"] @ x)


@case("quadratic_form", "0.5 * x . (A @ x) + b . x, A fixed [4, 4] (not symmetric), b [4]", U(4),
      lambda g: {"A": g.uniform([4, 4]), "b": g.uniform([4])})
def _(x, c):
    return torch.dot(x, c["A"] @ x) * 0.5 + torch.dot(c["b"], x)


@case("norm", "||x||_2", U(5))
def _(x, c):
    return x.norm()


@case("normalize_rows", "X / ||X||_2 over rows (keepdim)", U(3, 4))
def _(x, c):
    return x / x.norm(dim=1, keepdim=True)


# models

MLP_IN, MLP_HID, MLP_OUT, MLP_N = 3, 4, 2, 5
MLP_P = MLP_IN * MLP_HID + MLP_HID + MLP_HID * MLP_OUT + MLP_OUT  # 26


@case("mlp_mse_loss",
      "mean((tanh(X @ W1 + b1) @ W2 + b2 - Y)^2) as a function of the flattened parameters "
      "p = [W1 (3x4), b1 (4), W2 (4x2), b2 (2)]; X [5, 3], Y [5, 2] fixed",
      U(MLP_P, lo=-1.0, hi=1.0),
      lambda g: {"X": g.uniform([MLP_N, MLP_IN]), "Y": g.uniform([MLP_N, MLP_OUT])})
def _(p, c):
    o = 0
    w1 = p[o:o + MLP_IN * MLP_HID].reshape(MLP_IN, MLP_HID)
    o += MLP_IN * MLP_HID
    b1 = p[o:o + MLP_HID]
    o += MLP_HID
    w2 = p[o:o + MLP_HID * MLP_OUT].reshape(MLP_HID, MLP_OUT)
    o += MLP_HID * MLP_OUT
    b2 = p[o:o + MLP_OUT]
    h = torch.tanh(c["X"] @ w1 + b1)
    d = h @ w2 + b2 - c["Y"]
    return (d * d).mean()


@case("logistic_loss",
      "-mean(y log sigmoid(X w) + (1 - y) log(1 - sigmoid(X w))), X [6, 3], y in {0, 1} fixed",
      U(3, lo=-1.0, hi=1.0), lambda g: {"X": g.uniform([6, 3]), "y": g.bits([6])})
def _(w, c):
    s = torch.sigmoid(c["X"] @ w)
    y = c["y"]
    return -(y * torch.log(s) + (1 - y) * torch.log(1 - s)).mean()


@case("rosenbrock", "sum(100 (x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)", U(5, lo=-1.5, hi=1.5))
def _(x, c):
    a = x[0:4]
    b = x[1:5]
    return (100 * (b - a ** 2) ** 2 + (1 - a) ** 2).sum()


# slicing, cat, stack, keepdim reductions, broadcasting, shapes

@case("slice_cat_vector", "cat(x[0:3] * x[3:6], sin(x[0:6:2]))", U(6))
def _(x, c):
    return torch.cat([x[0:3] * x[3:6], torch.sin(x[0:6:2])], 0)


@case("slice_cat_matrix", "cat(exp(X[:, 1:3]), X[:, 0:4:3]^2, dim=1)", U(3, 4))
def _(x, c):
    return torch.cat([torch.exp(x[:, 1:3]), x[:, 0:4:3] ** 2], 1)


@case("stack_rows", "stack(sin x, cos x, x * x)", U(5))
def _(x, c):
    return torch.stack([torch.sin(x), torch.cos(x), x * x], 0)


@case("keepdim_broadcast", "X * sum(X, 0, keepdim) + sum(X, 1, keepdim)", U(3, 4))
def _(x, c):
    return x * x.sum(0, keepdim=True) + x.sum(1, keepdim=True)


@case("layer_norm_rows", "(X - mean(X, 1)) / sqrt(mean((X - mean)^2, 1) + 1e-5), keepdim", U(3, 4))
def _(x, c):
    d = x - x.mean(1, keepdim=True)
    return d / torch.sqrt((d * d).mean(1, keepdim=True) + 1e-5)


@case("shape_3x2_transpose", "X^T * exp(X^T), X [3, 2] -> [2, 3]", U(3, 2))
def _(x, c):
    t = x.T
    return t * torch.exp(t)


@case("shape_3x2_scalar", "sum(tanh(X @ X^T)), X [3, 2]", U(3, 2, lo=-1.0, hi=1.0))
def _(x, c):
    return torch.tanh(x @ x.T).sum()


@case("shape_3x2_mean_rows", "mean(sin(X) * X, 1), X [3, 2] -> [3]", U(3, 2))
def _(x, c):
    return (torch.sin(x) * x).mean(1)


# ---------------------------------------------------------------- main

def build(name, formula, make_x, make_consts, fn):
    g = Gen(name)
    x = make_x(g).to(F64)
    consts = make_consts(g)
    f = lambda t: fn(t, consts)  # noqa: E731
    y = f(x)
    scalar = y.dim() == 0
    u = g.uniform(list(y.shape))
    v = g.uniform(list(x.shape))
    out = {
        "name": name,
        "formula": formula,
        "scalar": scalar,
        "x": enc(x),
        "consts": {k: enc(t) for k, t in consts.items()},
        "value": enc(y),
        "jacobian": enc(AF.jacobian(f, x)),
        "u": enc(u),
        "vjp": enc(AF.vjp(f, x, u)[1]),
        "v": enc(v),
        "jvp": enc(AF.jvp(f, x, v)[1]),
    }
    if scalar:
        out["hessian"] = enc(AF.hessian(f, x))
        out["hvp"] = enc(AF.hvp(f, x, v)[1])
    else:
        out["u_hessian"] = enc(AF.hessian(lambda t: (f(t) * u).sum(), x))
    for k, t in out.items():
        if isinstance(t, dict) and "data" in t:
            assert all(not isinstance(d, str) for d in t["data"]), name + ": non-finite " + k
    return out


def main():
    cases = [build(*c) for c in CASES]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"torch_version":' + json.dumps(torch.__version__) + ',"cases":[\n')
        for i, c in enumerate(cases):
            f.write(json.dumps(c, separators=(",", ":"), allow_nan=False))
            f.write(",\n" if i + 1 < len(cases) else "\n")
        f.write("]}\n")
    for c in cases:
        print(f"{c['name']:28s} x{c['x']['shape']} -> {c['value']['shape']}"
              f"{'  scalar' if c['scalar'] else ''}")
    print(f"{len(cases)} cases, {os.path.getsize(OUT)} bytes -> {os.path.relpath(OUT, ROOT)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
