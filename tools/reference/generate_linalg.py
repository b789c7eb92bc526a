#!/usr/bin/env python3
"""Generate PyTorch reference values for nabla.linalg.Linalg (forward values and gradients).

Regenerate (from the repository root, with a Python 3 that has PyTorch installed):

    python3 tools/reference/generate_linalg.py

On Debian 12 PyTorch comes from the `python3-torch` package (1.13.1); the version is stored in
the JSON as "torch_version". Output: nabla-core/src/test/resources/nabla/reference/linalg.json,
read by nabla-core/src/test/java/nabla/linalg/LinalgReferenceTest.java (the Java tests never need
PyTorch).

Each case names an op and its inputs, and holds:
  "forward":   the op's outputs (eigenvectors and singular vectors normalised to Nabla's sign rule:
               each column of V or U has its largest-magnitude entry positive, Vh's rows follow U);
  "outputs":   the differentiable quantities the loss reads (for eigh and svd gauge-invariant ones:
               V diag(w) Vᵀ and U diag(w) Vh with a fixed w, besides the eigen/singular values);
  "cotangents": one per output; the loss is sum_k sum(outputs[k] * cotangents[k]);
  "grads":     the loss's gradient with respect to each input.
Ops that read only the symmetric part in Nabla (cholesky, eigh) are given (A + Aᵀ)/2 in PyTorch,
so the gradient with respect to the raw A is the symmetrised one Nabla computes. Tensors are
{"dtype", "shape", "data"} with data flat row-major (exact doubles). Inputs come from
random.Random seeded per case name (crc32), so the output is deterministic.
"""

import json
import os
import random
import zlib

import torch

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "nabla", "reference",
                   "linalg.json")

F64, F32 = torch.float64, torch.float32


def enc(t):
    t = t.detach()
    return {"dtype": "float64" if t.dtype == F64 else "float32", "shape": list(t.shape),
            "data": [float(v) for v in t.reshape(-1).tolist()]}


def rnd(rng, shape, shift=0.0, dtype=F64):
    n = 1
    for s in shape:
        n *= s
    t = torch.tensor([rng.uniform(-1, 1) for _ in range(n)], dtype=F64).reshape(shape)
    if shift and len(shape) >= 2:
        t = t + shift * torch.eye(shape[-2], shape[-1], dtype=F64)
    return t.to(dtype)


def spd(rng, shape, dtype=F64):
    m = rnd(rng, shape)
    n = shape[-1]
    return (m @ m.transpose(-2, -1) + n * torch.eye(n, dtype=F64)).to(dtype)


def symmetric(rng, shape, dtype=F64):
    m = rnd(rng, shape)
    n = shape[-1]
    return ((m + m.transpose(-2, -1)) * 0.25 + torch.diag(torch.arange(n, dtype=F64) * 2)).to(dtype)


def sign_fix(cols):
    """Flip each column so its largest-magnitude entry (the first on ties) is positive."""
    idx = cols.abs().argmax(dim=-2, keepdim=True)
    s = torch.gather(cols, -2, idx).sign()
    s[s == 0] = 1
    return s


def sym(a):
    return (a + a.transpose(-2, -1)) / 2


W = [0.3, -1.2, 0.7, 2.0, -0.4]


def run(op, xs, params):
    """Returns (forward outputs, loss outputs) for op on the inputs xs."""
    if op == "solve":
        x = torch.linalg.solve(xs[0], xs[1])
        return [x], [x]
    if op == "inv":
        x = torch.linalg.inv(xs[0])
        return [x], [x]
    if op == "det":
        d = torch.linalg.det(xs[0])
        return [d], [d]
    if op == "slogdet":
        s, l = torch.linalg.slogdet(xs[0])
        return [s, l], [l]
    if op == "cholesky":
        l = torch.linalg.cholesky(sym(xs[0]))
        return [l], [l]
    if op == "solveTriangular":
        x = torch.linalg.solve_triangular(xs[0], xs[1], upper=params["upper"])
        return [x], [x]
    if op == "matrixPower":
        p = torch.linalg.matrix_power(xs[0], params["n"])
        return [p], [p]
    if op == "qr":
        q, r = torch.linalg.qr(xs[0])
        return [q, r], [q, r]
    if op == "eigh":
        l, v = torch.linalg.eigh(sym(xs[0]))
        w = torch.tensor(W[: l.shape[-1]], dtype=l.dtype)
        vf = v * sign_fix(v)
        return [l, vf], [l, (v * w.unsqueeze(-2)) @ v.transpose(-2, -1)]
    if op == "svd":
        u, s, vh = torch.linalg.svd(xs[0], full_matrices=False)
        w = torch.tensor(W[: s.shape[-1]], dtype=s.dtype)
        f = sign_fix(u)
        return [u * f, s, vh * f.transpose(-2, -1)], [s, (u * w.unsqueeze(-2)) @ vh]
    if op == "pinv":
        p = torch.linalg.pinv(xs[0])
        return [p], [p]
    if op == "lstsq":
        # the solution of full-rank systems (gelsy gives the minimum-norm one for wide A); the
        # gradient through pinv, equal for full rank
        x = torch.linalg.lstsq(xs[0].detach(), xs[1].detach()).solution
        xg = torch.linalg.pinv(xs[0]) @ xs[1]
        assert torch.allclose(x, xg, atol=1e-10)
        return [x], [xg]
    raise ValueError(op)


def case(name, op, make, params=None, dtype=F64):
    rng = random.Random(zlib.crc32(name.encode()))
    xs = [t.to(dtype).requires_grad_(True) for t in make(rng)]
    forward, outs = run(op, xs, params or {})
    cots = [rnd(rng, list(o.shape)).to(o.dtype) for o in outs]
    loss = sum((o * c).sum() for o, c in zip(outs, cots))
    grads = torch.autograd.grad(loss, xs, allow_unused=True)
    return {
        "name": name, "op": op, "params": params or {},
        "inputs": [enc(x) for x in xs],
        "forward": [enc(f) for f in forward],
        "outputs": [enc(o) for o in outs],
        "cotangents": [enc(c) for c in cots],
        "grads": [enc(g if g is not None else torch.zeros_like(x)) for g, x in zip(grads, xs)],
    }


def main():
    cases = [
        case("solve batched", "solve", lambda r: [rnd(r, [2, 3, 3], 3), rnd(r, [2, 3, 2])]),
        case("solve vector", "solve", lambda r: [rnd(r, [4, 4], 3), rnd(r, [4])]),
        case("solve broadcast", "solve", lambda r: [rnd(r, [3, 3], 3), rnd(r, [2, 3, 2])]),
        case("solve float32", "solve", lambda r: [rnd(r, [3, 3], 3), rnd(r, [3, 2])], dtype=F32),
        case("inv", "inv", lambda r: [rnd(r, [2, 3, 3], 2.5)]),
        case("inv float32", "inv", lambda r: [rnd(r, [4, 4], 2.5)], dtype=F32),
        case("det", "det", lambda r: [rnd(r, [3, 3], 2)]),
        case("det batched", "det", lambda r: [rnd(r, [2, 4, 4], -1.5)]),
        case("slogdet", "slogdet", lambda r: [rnd(r, [2, 3, 3], -2.5)]),
        case("cholesky", "cholesky", lambda r: [spd(r, [2, 4, 4])]),
        case("cholesky float32", "cholesky", lambda r: [spd(r, [3, 3])], dtype=F32),
        case("solveTriangular upper", "solveTriangular",
             lambda r: [rnd(r, [2, 3, 3], 3), rnd(r, [2, 3, 2])], {"upper": True}),
        case("solveTriangular lower", "solveTriangular",
             lambda r: [rnd(r, [4, 4], 3), rnd(r, [4, 3])], {"upper": False}),
        case("matrixPower 3", "matrixPower", lambda r: [rnd(r, [2, 3, 3], 0.5)], {"n": 3}),
        case("matrixPower -2", "matrixPower", lambda r: [rnd(r, [3, 3], 3)], {"n": -2}),
        case("qr square", "qr", lambda r: [rnd(r, [2, 3, 3], 1)]),
        case("qr tall", "qr", lambda r: [rnd(r, [5, 3])]),
        case("qr float32", "qr", lambda r: [rnd(r, [4, 3])], dtype=F32),
        case("eigh", "eigh", lambda r: [symmetric(r, [2, 4, 4])]),
        case("eigh float32", "eigh", lambda r: [symmetric(r, [3, 3])], dtype=F32),
        case("svd square", "svd", lambda r: [rnd(r, [2, 3, 3], 1)]),
        case("svd tall", "svd", lambda r: [rnd(r, [5, 3], 1)]),
        case("svd wide", "svd", lambda r: [rnd(r, [3, 5], 1)]),
        case("svd float32", "svd", lambda r: [rnd(r, [4, 3], 1)], dtype=F32),
        case("pinv tall", "pinv", lambda r: [rnd(r, [4, 3], 0.5)]),
        case("pinv wide batched", "pinv", lambda r: [rnd(r, [2, 3, 5], 0.5)]),
        case("lstsq tall", "lstsq", lambda r: [rnd(r, [2, 5, 3], 1), rnd(r, [2, 5, 2])]),
        case("lstsq wide", "lstsq", lambda r: [rnd(r, [3, 5], 1), rnd(r, [3, 1])]),
    ]
    with open(OUT, "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": cases}, f, indent=None)
        f.write("\n")
    print("wrote", len(cases), "cases to", OUT)


if __name__ == "__main__":
    main()
