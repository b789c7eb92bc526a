#!/usr/bin/env python3
"""Generate PyTorch reference values for Nabla's advanced indexing and index assignment.

Regenerate (from the repository root, with a Python 3 that has PyTorch installed):

    python3 tools/reference/generate_indexing.py

On Debian 12 PyTorch comes from the `python3-torch` package (1.13.1+dfsg-4, which reports
torch.__version__ == "1.13.0a0"); it lives in the system interpreter, so if `python3` on your
PATH is another interpreter use `/usr/bin/python3 tools/reference/generate_indexing.py`.
The version is also stored in the JSON as "torch_version".

Output: nabla-core/src/test/resources/nabla/reference/indexing.json, read by
nabla-core/src/test/java/nabla/IndexingReferenceTest.java (the Java tests never need PyTorch).

Each case is one call of Tensor.index (PyTorch's aten::index, which x[key] calls for a key of
index tensors, except that x[key] takes a 0-d integer tensor as an int and aten::index as an
index tensor), Tensor.indexPut (x.index_put, or x[key] = v on a clone when the key takes whole
dimensions) or Tensor.maskedFill
(x.masked_fill), with the forward value and, for floating inputs, the gradients of
sum(output * grad_output) with respect to x and the values:

    {"torch_version": "...",
     "cases": [{"name": "...", "op": "index"|"index_put"|"masked_fill",
                "x": T, "indices": [T | null, ...], "values": T, "accumulate": bool,
                "mask": T, "value": number,
                "output": T, "grad_output": T, "grad_x": T, "grad_values": T}, ...]}
    T = {"dtype": "float32"|"float64"|"int64"|"bool", "shape": [...], "data": [...]}

A null index is a whole dimension (Python's `:`). Keys of index_put with accumulate=False never
name an element twice (PyTorch leaves the result undefined then; Nabla's last-write-wins rule is
tested on its own in Java). data is flat row-major; float values are the exact value of the
element as a double. Inputs come from random.Random seeded per case name (crc32), so the output
is deterministic.
"""

import json
import os
import zlib
import random

import torch

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "nabla", "reference",
                   "indexing.json")

F64, F32, I64, BOOL = torch.float64, torch.float32, torch.int64, torch.bool
DTYPE_NAMES = {F64: "float64", F32: "float32", I64: "int64", BOOL: "bool"}

CASES = []
_names = set()


def enc(t):
    if t is None:
        return None
    t = t.detach().contiguous()
    flat = t.reshape(-1)
    if t.dtype in (F64, F32):
        data = flat.double().tolist()
    elif t.dtype == I64:
        data = [int(v) for v in flat.tolist()]
    else:
        data = [bool(v) for v in flat.tolist()]
    return {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data": data}


class Gen:
    def __init__(self, name):
        self.r = random.Random(zlib.crc32(name.encode("utf-8")))

    def floats(self, shape, dtype=F64):
        n = 1
        for s in shape:
            n *= s
        return torch.tensor([self.r.uniform(-2, 2) for _ in range(n)], dtype=F64).reshape(
            shape).to(dtype)

    def ints(self, shape, lo, hi):
        n = 1
        for s in shape:
            n *= s
        return torch.tensor([self.r.randint(lo, hi) for _ in range(n)], dtype=I64).reshape(shape)

    def mask(self, shape, p=0.5):
        n = 1
        for s in shape:
            n *= s
        return torch.tensor([self.r.random() < p for _ in range(n)], dtype=BOOL).reshape(shape)


def key_of(indices):
    return tuple(slice(None) if i is None else i for i in indices)


def new_case(name):
    assert name not in _names, "duplicate case name " + name
    _names.add(name)
    return Gen(name)


def add_index(name, x, indices):
    g = new_case("index/" + name)
    case = {"name": "index/" + name, "op": "index", "x": enc(x),
            "indices": [enc(i) for i in indices]}
    if x.is_floating_point():
        xr = x.clone().requires_grad_(True)
        out = torch.ops.aten.index(xr, list(indices))
        go = g.floats(list(out.shape), x.dtype)
        (out * go).sum().backward()
        case.update(output=enc(out), grad_output=enc(go), grad_x=enc(xr.grad))
    else:
        case.update(output=enc(torch.ops.aten.index(x, list(indices))))
    CASES.append(case)


def add_put(name, x, indices, values, accumulate, explicit=None):
    """explicit: the same key as index tensors only (for accumulate with whole dimensions)."""
    g = new_case("index_put/" + name)
    case = {"name": "index_put/" + name, "op": "index_put", "x": enc(x),
            "indices": [enc(i) for i in indices], "values": enc(values),
            "accumulate": accumulate}
    floating = x.is_floating_point()
    xr = x.clone().requires_grad_(floating)
    vr = values.clone().requires_grad_(floating)
    if accumulate:
        key = explicit if explicit is not None else indices
        assert all(i is not None for i in key)
        out = xr.index_put(tuple(key), vr, accumulate=True)
    else:
        out = xr.clone()
        out[key_of(indices)] = vr
    case["output"] = enc(out)
    if floating:
        go = g.floats(list(out.shape), x.dtype)
        (out * go).sum().backward()
        case.update(grad_output=enc(go), grad_x=enc(xr.grad), grad_values=enc(vr.grad))
    CASES.append(case)


def add_masked_fill(name, x, mask, value):
    g = new_case("masked_fill/" + name)
    xr = x.clone().requires_grad_(x.is_floating_point())
    out = xr.masked_fill(mask, value)
    case = {"name": "masked_fill/" + name, "op": "masked_fill", "x": enc(x), "mask": enc(mask),
            "value": value, "output": enc(out)}
    if x.is_floating_point():
        go = g.floats(list(out.shape), x.dtype)
        (out * go).sum().backward()
        case.update(grad_output=enc(go), grad_x=enc(xr.grad))
    CASES.append(case)


def L(*v):
    return torch.tensor(v, dtype=I64)


def main():
    g = Gen("inputs")
    a = g.floats([5])
    m = g.floats([3, 4])
    c = g.floats([2, 3, 4])
    c32 = g.floats([2, 3, 4], F32)
    d = g.floats([2, 3, 4, 2])

    # ---- reads (test_indexing's test_index, test_advanced_indexing translated to cases)
    add_index("1d_duplicates_negative", a, [L(0, 4, -1, 2, 0, -5)])
    add_index("1d_2d_index", a, [L(0, 1, 2, 3, 4, 0).reshape(2, 3)])
    add_index("1d_0d_index", a, [torch.tensor(3)])
    add_index("1d_empty_index", a, [L()])
    add_index("2d_pairs", m, [L(0, 2, 1, 2), L(3, 0, -1, 3)])
    add_index("2d_broadcast_column_row", m, [L(0, 2).reshape(2, 1), L(1, 3, 0)])
    add_index("2d_rows_only", m, [L(2, 0, 2)])
    add_index("2d_columns", m, [None, L(3, 1, 1)])
    add_index("3d_leading_pair", c, [L(1, 0, 1), L(2, 2, 0)])
    add_index("3d_trailing_pair_adjacent", c, [None, L(0, 2), L(3, -4)])
    add_index("3d_separated_pair", c, [L(1, 0, 1), None, L(0, 3, 2)])
    add_index("3d_separated_broadcast", c, [L(1, 0).reshape(2, 1), None, L(0, 3, 2)])
    add_index("3d_middle_only", c, [None, L(2, 0, 2, 1).reshape(2, 2)])
    add_index("3d_0d_and_vector", c, [torch.tensor(1), None, L(3, 0)])
    add_index("3d_f32", c32, [L(1, 1), L(0, 2), L(3, 1)])
    add_index("4d_separated", d, [None, L(2, 0), None, L(1, 0)])
    add_index("mask_full", m, [g.mask([3, 4])])
    add_index("mask_leading", c, [g.mask([2, 3])])
    add_index("mask_middle", c, [None, g.mask([3, 4])])
    add_index("mask_rows", m, [torch.tensor([True, False, True])])
    add_index("mask_and_index", c, [torch.tensor([True, True]), None, L(1, 3)])
    add_index("mask_none_true", m, [torch.zeros(3, 4, dtype=BOOL)])
    add_index("int64_tensor", g.ints([3, 4], -9, 9), [L(2, 0), L(1, 1)])
    add_index("bool_tensor", g.mask([3, 4]), [None, L(0, 3)])

    # ---- writes (test_autograd's test_setitem / test_setitem_mask, test_indexing's index_put)
    add_put("1d_distinct", a, [L(4, 0, 2)], g.floats([3]), False)
    add_put("1d_scalar_value", a, [L(1, -1)], torch.tensor(7.5, dtype=F64), False)
    add_put("1d_accumulate_duplicates", a, [L(0, 4, -1, 2, 0, -5, 0)], g.floats([7]), True)
    walk = []
    pos = 0
    for _ in range(40):  # a random walk: many duplicates, interleaved (test_index_put_accumulate_duplicate_indices)
        pos += g.r.choice([-1, 0, 1])
        walk.append(pos)
    size = max(abs(p) for p in walk) + 1
    add_put("1d_accumulate_random_walk", g.floats([size]), [torch.tensor(walk, dtype=I64)],
            g.floats([len(walk)]), True)
    add_put("2d_pairs", m, [L(0, 2, 1), L(3, 0, -1)], g.floats([3]), False)
    add_put("2d_pairs_accumulate", m, [L(0, 2, 0, 0), L(3, 0, 3, 3)], g.floats([4]), True)
    add_put("2d_rows_broadcast_value", m, [L(2, 0)], g.floats([4]), False)
    add_put("2d_rows_column_value", m, [L(2, 0)], g.floats([2, 1]), False)
    add_put("2d_columns", m, [None, L(3, 1)], g.floats([3, 2]), False)
    add_put("2d_columns_accumulate", m, [None, L(3, 3, 1)], g.floats([3, 3]), True,
            explicit=[torch.arange(3).reshape(3, 1), L(3, 3, 1)])
    add_put("3d_separated", c, [L(1, 0, 1), None, L(0, 3, 2)], g.floats([3, 3]), False)
    add_put("3d_trailing_pair", c, [None, L(0, 2), L(3, -4)], g.floats([2, 2]), False)
    add_put("3d_broadcast_indices", c, [L(1, 0).reshape(2, 1), L(0, 2)], g.floats([2, 1, 4]),
            False)
    add_put("3d_f32_accumulate", c32, [L(1, 1, 0), L(0, 0, 2)], g.floats([3, 4], F32), True)
    add_put("mask_full", m, [g.mask([3, 4])], torch.tensor(-3.0, dtype=F64), False)
    mk = torch.tensor([[True, False, True, False], [False, False, True, True],
                       [True, False, False, False]])
    add_put("mask_full_values", m, [mk], g.floats([5]), False)
    add_put("mask_leading", c, [torch.tensor([[True, False, False], [False, True, True]])],
            g.floats([4]), False)
    add_put("mask_rows_accumulate", m, [torch.tensor([True, False, True])], g.floats([2, 4]),
            True)
    add_put("empty_index", m, [L()], g.floats([4]), False)
    add_put("int64_tensor", g.ints([3, 4], -9, 9), [L(2, 0), L(1, 1)], L(100, 200), False)
    add_put("int64_accumulate", g.ints([5], -9, 9), [L(1, 1, 3)], L(10, 20, 30), True)

    # ---- masked_fill
    add_masked_fill("full", m, g.mask([3, 4]), 0.5)
    add_masked_fill("broadcast_row", m, torch.tensor([True, False, False, True]), -1.0)
    add_masked_fill("broadcast_column", c32, g.mask([3, 1]), 2.0)
    add_masked_fill("int64", g.ints([2, 3], -5, 5), g.mask([2, 3]), 7)

    with open(OUT, "w") as f:
        f.write('{"torch_version": ' + json.dumps(torch.__version__) + ',\n "cases": [\n')
        f.write(",\n".join(json.dumps(c, sort_keys=True) for c in CASES))
        f.write("\n]}\n")
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
