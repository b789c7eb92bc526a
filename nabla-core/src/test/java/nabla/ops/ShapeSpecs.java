package nabla.ops;

import static nabla.ops.PrimitiveKind.CAT;
import static nabla.ops.PrimitiveKind.EXPAND;
import static nabla.ops.PrimitiveKind.GATHER;
import static nabla.ops.PrimitiveKind.MATMUL;
import static nabla.ops.PrimitiveKind.MUL;
import static nabla.ops.PrimitiveKind.PAD;
import static nabla.ops.PrimitiveKind.PERMUTE;
import static nabla.ops.PrimitiveKind.SLICE;
import static nabla.ops.PrimitiveKind.SUM;
import static nabla.ops.PrimitiveKind.WHERE;
import static nabla.ops.PrimitiveSpecs.any;
import static nabla.ops.PrimitiveSpecs.call;
import static nabla.ops.PrimitiveSpecs.constant;
import static nabla.ops.PrimitiveSpecs.intOrNull;
import static nabla.ops.PrimitiveSpecs.integer;
import static nabla.ops.PrimitiveSpecs.ints;
import static nabla.ops.PrimitiveSpecs.spec;

import nabla.Tensor;

/**
 * The spec table's rows for the shape and indexing operations of issue 12, registered by {@link
 * PrimitiveSpecs}. Calls returning several tensors (split, chunk, unbind, meshgrid) give them
 * flattened and concatenated (meshgrid: stacked), as the generator writes them; the gradient specs
 * reorder or weight the pieces so that a piece mixed up with another would show.
 */
final class ShapeSpecs {
  private ShapeSpecs() {}

  static Tensor pieces(Tensor[] ts) {
    Tensor[] flat = new Tensor[ts.length];
    for (int i = 0; i < ts.length; i++) {
      flat[i] = ts[i].reshape(-1);
    }
    return Tensor.cat(0, flat);
  }

  /** The pieces in reverse order, the i-th scaled by i + 1. */
  static Tensor weighted(Tensor[] ts, int dim) {
    Tensor[] w = new Tensor[ts.length];
    for (int i = 0; i < ts.length; i++) {
      w[ts.length - 1 - i] = ts[i].mul(i + 1);
    }
    return Tensor.cat(dim, w);
  }

  static void register() {
    call("flip", (in, p) -> in.get(0).flip(ints(p, "dims")));
    spec("flip", GATHER, x -> x[0].flip(0, 2).mul(x[0]), any(2, 3, 2));
    call("roll", (in, p) -> in.get(0).roll(ints(p, "shifts"), ints(p, "dims")));
    spec("roll", CAT, x -> x[0].roll(-1, 1).mul(x[0]), any(2, 3));
    spec("roll/flat", CAT, x -> x[0].roll(new int[] {4}, new int[0]), any(2, 3));
    call("repeat", (in, p) -> in.get(0).repeat(ints(p, "repeats")));
    spec("repeat", EXPAND, x -> x[0].repeat(2, 1, 3).sin(), any(2, 2));
    call("tile", (in, p) -> in.get(0).tile(ints(p, "dims")));
    spec("tile", EXPAND, x -> x[0].tile(2).mul(x[1]), any(2, 3), any(2, 6));
    call(
        "repeat_interleave",
        (in, p) -> {
          Integer dim = intOrNull(p, "dim");
          if (p.has("repeats_list")) { // a tensor of counts, one per slice
            int[] counts = ints(p, "repeats_list");
            Tensor r = Tensor.ofLongs(java.util.Arrays.stream(counts).asLongStream().toArray());
            return dim == null ? in.get(0).repeatInterleave(r) : in.get(0).repeatInterleave(r, dim);
          }
          int r = integer(p, "repeats");
          return dim == null ? in.get(0).repeatInterleave(r) : in.get(0).repeatInterleave(r, dim);
        });
    spec(
        "repeat_interleave",
        EXPAND,
        x -> x[0].repeatInterleave(2, 0).mul(x[1]),
        any(2, 3),
        any(4, 3));
    spec(
        "repeat_interleave/counts",
        GATHER, // an index select
        x -> x[0].repeatInterleave(Tensor.ofLongs(new long[] {2, 0, 1}), 1).mul(x[1]),
        any(2, 3),
        any(2, 3));
    call("split", (in, p) -> pieces(in.get(0).split(integer(p, "size"), integer(p, "dim"))));
    spec("split", SLICE, x -> weighted(x[0].split(2, 1), 1).mul(x[0].flip(1)), any(2, 5));
    call("split_sizes", (in, p) -> pieces(in.get(0).split(ints(p, "sizes"), integer(p, "dim"))));
    spec("split_sizes", SLICE, x -> weighted(x[0].split(new int[] {1, 3}, 0), 0), any(4, 2));
    call("chunk", (in, p) -> pieces(in.get(0).chunk(integer(p, "chunks"), integer(p, "dim"))));
    spec("chunk", SLICE, x -> weighted(x[0].chunk(3, 0), 0).mul(x[0]), any(5));
    call("unbind", (in, p) -> pieces(in.get(0).unbind(integer(p, "dim"))));
    spec("unbind", SLICE, x -> weighted(x[0].unbind(1), 0), any(2, 3));
    call(
        "narrow",
        (in, p) -> in.get(0).narrow(integer(p, "dim"), integer(p, "start"), integer(p, "length")));
    spec("narrow", SLICE, x -> x[0].narrow(1, -3, 2).exp(), any(2, 4));
    call("movedim", (in, p) -> in.get(0).movedim(ints(p, "source"), ints(p, "destination")));
    spec("movedim", PERMUTE, x -> x[0].movedim(0, 2).mul(x[1]), any(2, 3, 4), any(3, 4, 2));
    call("diag", (in, p) -> in.get(0).diag(integer(p, "offset")));
    spec("diag/embed", PAD, x -> x[0].diag(1).mul(x[1]), any(3), any(4, 4));
    spec("diag/extract", SLICE, x -> x[0].diag(-1).mul(x[1].diag(1)), any(3, 3), any(2, 3));
    call(
        "diagonal",
        (in, p) ->
            in.get(0).diagonal(integer(p, "offset"), integer(p, "dim1"), integer(p, "dim2")));
    spec("diagonal", SLICE, x -> x[0].diagonal(1, 2, 0).sin(), any(3, 2, 4));
    call(
        "diag_embed",
        (in, p) ->
            in.get(0).diagEmbed(integer(p, "offset"), integer(p, "dim1"), integer(p, "dim2")));
    spec("diag_embed", PAD, x -> x[0].diagEmbed(-1, 0, 2).mul(x[1]), any(2, 3), any(4, 2, 4));
    call("triu", (in, p) -> in.get(0).triu(integer(p, "k")));
    spec("triu", WHERE, x -> x[0].triu(1).mul(x[0]), any(2, 3, 4));
    call("tril", (in, p) -> in.get(0).tril(integer(p, "k")));
    spec("tril", WHERE, x -> x[0].tril(-1).exp(), any(4, 3));
    call("outer", (in, p) -> in.get(0).outer(in.get(1)));
    spec("outer", MUL, x -> x[0].outer(x[1]), any(3), any(2));
    call("kron", (in, p) -> in.get(0).kron(in.get(1)));
    spec("kron", MUL, x -> x[0].kron(x[1]), any(2, 2), any(3, 2));
    call("take", (in, p) -> in.get(0).take(in.get(1)));
    spec(
        "take",
        GATHER,
        x -> x[0].take(x[1]),
        any(2, 3),
        constant(Tensor.ofLongs(new long[] {0, 5, -1, 2, 2, 3}, 2, 3)));
    call("nonzero", (in, p) -> in.get(0).nonzero());
    call("meshgrid", (in, p) -> Tensor.stack(0, Tensor.meshgrid(in.toArray(Tensor[]::new))));
    spec(
        "meshgrid",
        EXPAND,
        x -> {
          Tensor[] g = Tensor.meshgrid(x[0], x[1]);
          return g[0].mul(g[1].sin());
        },
        any(3),
        any(2));
    call(
        "tensordot",
        (in, p) ->
            p.has("dims")
                ? in.get(0).tensordot(in.get(1), integer(p, "dims"))
                : in.get(0).tensordot(in.get(1), ints(p, "dimsA"), ints(p, "dimsB")));
    spec("tensordot", MATMUL, x -> x[0].tensordot(x[1], 2), any(2, 3, 2), any(3, 2, 2));
    spec(
        "tensordot/dims",
        MATMUL,
        x -> x[0].tensordot(x[1], new int[] {0, 2}, new int[] {1, 0}),
        any(3, 2, 2),
        any(2, 3));
    call("einsum", (in, p) -> Tensor.einsum(p.get("equation").asText(), in.toArray(Tensor[]::new)));
    spec(
        "einsum/bmm",
        MATMUL,
        x -> Tensor.einsum("bij,bjk->bik", x[0], x[1]),
        any(2, 2, 3),
        any(2, 3, 2));
    spec("einsum/trace", SLICE, x -> Tensor.einsum("ii", x[0]), any(3, 3));
    spec("einsum/diag-sum", SUM, x -> Tensor.einsum("iij->j", x[0].mul(x[0])), any(2, 2, 3));
    spec(
        "einsum/three",
        MATMUL,
        x -> Tensor.einsum("ij,jk,ki->i", x[0], x[1], x[2]),
        any(2, 3),
        any(3, 2),
        any(2, 2));
    spec(
        "einsum/ellipsis-broadcast",
        MATMUL,
        x -> Tensor.einsum("...ij,...j->...i", x[0], x[1]),
        any(2, 3, 2),
        any(1, 2));
  }
}
