#!/usr/bin/env python3
"""Generate PyTorch reference values for Nabla's storage dtypes: int32, uint8, float16, bfloat16.

Regenerate (from the repository root, with a Python 3 that has PyTorch installed):

    /usr/bin/python3 tools/reference/generate_dtypes.py

(Debian 12's `python3-torch` package, torch.__version__ == "1.13.0a0"; the version is stored in
the JSON as "torch_version".)

Output: nabla-core/src/test/resources/nabla/reference/dtypes.json, read by
nabla-core/src/test/java/nabla/reference/StorageTypesReferenceTest.java (the Java tests never need PyTorch).

    {"torch_version": "...",
     "conversions": [{"name": "...", "x": T, "to": dtype, "output": T}, ...],
     "ops": [{"name": "...", "op": "add"|..., "a": T, "b": T | null, "output": T}, ...]}
    T = {"dtype": "float16"|..., "shape": [...], "data": [...], "bits": [...]}

data is flat row-major: the exact value of each element as a double for floating dtypes (NaN and
infinities as the strings "nan", "inf", "-inf"), an integer otherwise. float16 and bfloat16
tensors also carry "bits", their 16-bit patterns as unsigned integers, so conversions are checked
bit for bit (but for the bits of a NaN: PyTorch's vectorised float32 -> bfloat16 conversion gives
0xFFFF, its scalar one and Nabla 0x7FC0).

Conversions are x.to(dtype). Ops run in PyTorch on the given dtypes, except unary float16 ops that
PyTorch 1.13 has no CPU kernel for (exp, tanh, ...): their reference is the float32 result rounded
to float16, op(x.float()).half(), which is what a half-precision kernel computing in float32
returns (and what Nabla documents: compute in float32, round once).
"""

import json
import math
import os

import torch

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "nabla", "reference",
                   "dtypes.json")

NAMES = {torch.float64: "float64", torch.float32: "float32", torch.float16: "float16",
         torch.bfloat16: "bfloat16", torch.int64: "int64", torch.int32: "int32",
         torch.uint8: "uint8", torch.bool: "bool"}
F16, BF16, F32, F64 = torch.float16, torch.bfloat16, torch.float32, torch.float64
I64, I32, U8, BOOL = torch.int64, torch.int32, torch.uint8, torch.bool


def num(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(t):
    t = t.detach().contiguous()
    flat = t.reshape(-1)
    out = {"dtype": NAMES[t.dtype], "shape": list(t.shape)}
    if t.is_floating_point():
        out["data"] = [num(v) for v in flat.double().tolist()]
        if t.dtype in (F16, BF16):
            out["bits"] = [v & 0xFFFF for v in flat.view(torch.int16).tolist()]
    elif t.dtype == BOOL:
        out["data"] = [bool(v) for v in flat.tolist()]
    else:
        out["data"] = [int(v) for v in flat.tolist()]
    return out


NAN, INF = float("nan"), float("inf")
# float16: max 65504, min normal 2^-14, min subnormal 2^-24; ties to even around 1, 2048, 2^-24
HALF_TRICKY = [0.0, -0.0, 0.1, 1 / 3, -2.5, 65504.0, 65519.0, 65520.0, 1e5, -1e5, 2.0 ** -14,
               6.0e-5, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -25, 1e-8, 1 + 2.0 ** -11,
               1 + 3 * 2.0 ** -11, 2049.0, 2051.0, NAN, INF, -INF]
# bfloat16: 8 significand bits; float32 subnormals survive; 3.4e38 rounds up to infinity
BF_TRICKY = [0.0, -0.0, 0.1, 1 / 3, -2.5, 1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, 257.0, 259.0,
             3.38e38, 3.4e38, 1e-39, 1e-45, 65520.0, NAN, INF, -INF]
WRAPPING = [0.0, -1.5, 2.7, 300.0, -1.0, 255.9, 256.0, -300.0, 3e9, -3e9, 1e20, NAN, INF]
LONGS = [0, 1, -1, 255, 256, 300, -300, 2 ** 31, -2 ** 31 - 1, 2 ** 40 + 5, -(2 ** 40) - 7]

CONVERSIONS = []


def conv(name, x, to):
    CONVERSIONS.append({"name": name, "x": enc(x), "to": NAMES[to], "output": enc(x.to(to))})


conv("float32 to float16", torch.tensor(HALF_TRICKY, dtype=F32), F16)
conv("float64 to float16 (through float32)",
     torch.tensor(HALF_TRICKY + [1 + 2.0 ** -11 + 2.0 ** -40], dtype=F64), F16)
conv("float32 to bfloat16", torch.tensor(BF_TRICKY, dtype=F32), BF16)
conv("float64 to bfloat16", torch.tensor(BF_TRICKY, dtype=F64), BF16)
half = torch.tensor(HALF_TRICKY, dtype=F32).to(F16)
for to in (F32, F64, BF16, I32, U8, BOOL):
    conv("float16 to " + NAMES[to], half, to)
# Only finite values to int64: Nabla's int64 casts saturate like Java's (x86 gives INT64_MIN)
conv("float16 to int64", half[torch.isfinite(half)], I64)
bf = torch.tensor(BF_TRICKY[:9], dtype=F32).to(BF16)
for to in (F32, F16, I64, I32, U8):
    conv("bfloat16 to " + NAMES[to], bf, to)
conv("float32 to uint8 (wraps)", torch.tensor(WRAPPING, dtype=F32), U8)
conv("float64 to uint8 (wraps)", torch.tensor(WRAPPING, dtype=F64), U8)
conv("float32 to int32", torch.tensor(WRAPPING, dtype=F32), I32)
conv("float64 to int32", torch.tensor(WRAPPING, dtype=F64), I32)
longs = torch.tensor(LONGS, dtype=I64)
for to in (I32, U8, F16, BF16, BOOL):
    conv("int64 to " + NAMES[to], longs, to)
ints = torch.tensor([0, 1, -1, 2049, 65504, 65535, 2 ** 31 - 1, -2 ** 31], dtype=I32)
for to in (I64, U8, F16, BF16, F32):
    conv("int32 to " + NAMES[to], ints, to)
bytes_ = torch.tensor([0, 1, 127, 128, 200, 255], dtype=U8)
for to in (I64, I32, F16, F32, BOOL):
    conv("uint8 to " + NAMES[to], bytes_, to)
conv("bool to uint8", torch.tensor([True, False]), U8)
conv("bool to float16", torch.tensor([True, False]), F16)

OPS = []
BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
          "maximum": torch.maximum, "lt": torch.lt, "eq": torch.eq}
UNARY = {"neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "tanh": torch.tanh,
         "sqrt": torch.sqrt, "sum": torch.sum, "mean": torch.mean, "max": torch.max,
         "cumsum": lambda x: torch.cumsum(x, 0), "softmax": lambda x: torch.softmax(x, 0),
         "argmax": torch.argmax, "prod": torch.prod}


def op(name, kind, a, b=None):
    if b is not None:
        out = BINARY[kind](a, b)
    else:
        try:
            out = UNARY[kind](a)
        except RuntimeError:  # no half kernel on the CPU in 1.13: compute in float32, round once
            if a.dtype != F16:
                raise
            out = UNARY[kind](a.float()).to(a.dtype)
    OPS.append({"name": name, "op": kind, "a": enc(a), "b": None if b is None else enc(b),
                "output": enc(out)})


fa = torch.tensor([0.1, 1.5, -2.25, 1000.0, 3e-5, 60000.0])
fb = torch.tensor([0.2, -0.7, 3.0, 0.001, 3e-5, 60000.0])
for dt in (F16, BF16):
    for k in BINARY:
        op(NAMES[dt] + " " + k, k, fa.to(dt), fb.to(dt))
    pos = torch.tensor([0.1, 1.5, 2.25, 7.0, 3e-3]).to(dt)
    for k in ("neg", "abs", "exp", "tanh", "sqrt", "sum", "mean", "max", "cumsum", "softmax",
              "argmax"):
        op(NAMES[dt] + " " + k, k, pos)
ia = torch.tensor([1, -7, 2 ** 20, 2 ** 31 - 1, -5], dtype=I32)
ib = torch.tensor([3, 2, 2 ** 20, 1, -5], dtype=I32)
for k in ("add", "sub", "mul", "div", "maximum", "lt", "eq"):
    op("int32 " + k, k, ia, ib)
for k in ("neg", "abs", "sum", "max", "cumsum", "argmax", "prod", "mean"):
    try:
        op("int32 " + k, k, ia)
    except RuntimeError:
        pass  # mean of an integer tensor is an error in PyTorch (Nabla converts to float32)
# softmax is one fused kernel in PyTorch (float32 inside), a composite of rounded ops in Nabla:
# the Java test allows a few units in the last place for it
ua = torch.tensor([200, 1, 0, 255, 17], dtype=U8)
ub = torch.tensor([100, 2, 1, 255, 3], dtype=U8)
for k in ("add", "sub", "mul", "div", "maximum", "lt"):
    op("uint8 " + k, k, ua, ub)
for k in ("sum", "max", "cumsum", "argmax"):
    op("uint8 " + k, k, ua)
# promotion between dtypes
mixed = [(ua, ia), (ia, torch.tensor([1, 2, 3, 4, 5])), (ia, fa[:5].to(F16)),
         (fa.to(F16), fa.to(BF16)), (fa.to(F16), fa), (fa.to(BF16), fa.double()),
         (ua, torch.tensor([True, False, True, True, False])), (ua, fa[:5].to(BF16)),
         (torch.tensor([True, False, True, False, True]), fa[:5].to(F16))]
for a, b in mixed:
    for k in ("add", "mul"):
        op(NAMES[a.dtype] + " " + k + " " + NAMES[b.dtype], k, a, b)

with open(OUT, "w") as f:
    f.write('{"torch_version": ' + json.dumps(torch.__version__) + ',\n "conversions": [\n')
    f.write(",\n".join(json.dumps(c, sort_keys=True) for c in CONVERSIONS))
    f.write('],\n "ops": [\n')
    f.write(",\n".join(json.dumps(c, sort_keys=True) for c in OPS))
    f.write("]}\n")
print("wrote", OUT, len(CONVERSIONS), "conversions,", len(OPS), "ops")
