package nabla.ops;

import static nabla.ops.PrimitiveKind.CUMPROD;
import static nabla.ops.PrimitiveKind.CUMSUM;
import static nabla.ops.PrimitiveKind.GATHER;
import static nabla.ops.PrimitiveKind.LOG_CUMSUM_EXP;
import static nabla.ops.PrimitiveKind.MAX;
import static nabla.ops.PrimitiveKind.MIN;
import static nabla.ops.PrimitiveKind.MUL;
import static nabla.ops.PrimitiveKind.SCATTER_ADD;
import static nabla.ops.PrimitiveKind.SQRT;
import static nabla.ops.PrimitiveSpecs.any;
import static nabla.ops.PrimitiveSpecs.bool;
import static nabla.ops.PrimitiveSpecs.call;
import static nabla.ops.PrimitiveSpecs.constant;
import static nabla.ops.PrimitiveSpecs.dbl;
import static nabla.ops.PrimitiveSpecs.intOrNull;
import static nabla.ops.PrimitiveSpecs.integer;
import static nabla.ops.PrimitiveSpecs.intsOrNull;
import static nabla.ops.PrimitiveSpecs.spec;

import nabla.Tensor;
import nabla.UniqueValues;
import nabla.ValuesAndIndices;

/**
 * The spec table's rows for statistics, scans, sorting and selection (issue 12), registered by
 * {@link PrimitiveSpecs}. Calls returning values and indices give both stacked (the indices in the
 * values' dtype), as the generator writes them; {@code unique} gives values, inverse and counts
 * concatenated.
 */
final class ReductionSpecs {
  private ReductionSpecs() {}

  static Tensor both(ValuesAndIndices r) {
    return Tensor.stack(0, r.values(), r.indices().to(r.values().dtype()));
  }

  static void register() {
    call(
        "prod",
        (in, p) -> {
          Integer dim = intOrNull(p, "dim");
          return dim == null ? in.get(0).prod() : in.get(0).prod(dim, bool(p, "keepDim"));
        });
    spec("prod/all", CUMPROD, x -> x[0].prod(), any(5));
    spec("prod/dim", CUMPROD, x -> x[0].prod(1, true), any(2, 3));
    spec("prod/0-d", CUMPROD, x -> x[0].prod(), any());
    call(
        "var",
        (in, p) ->
            in.get(0).var(intsOrNull(p, "dims"), integer(p, "correction"), bool(p, "keepDim")));
    spec("var", MUL, x -> x[0].var(), any(5));
    spec("var/dims", MUL, x -> x[0].var(new int[] {1}, 0, true), any(3, 4));
    call(
        "std",
        (in, p) ->
            in.get(0).std(intsOrNull(p, "dims"), integer(p, "correction"), bool(p, "keepDim")));
    spec("std", SQRT, x -> x[0].std(0), any(4, 2));
    call("amax", (in, p) -> in.get(0).amax(intsOrNull(p, "dims"), bool(p, "keepDim")));
    spec("amax", MAX, x -> x[0].amax(1), any(3, 4));
    call("amin", (in, p) -> in.get(0).amin(intsOrNull(p, "dims"), bool(p, "keepDim")));
    spec("amin", MIN, x -> x[0].amin(new int[] {0, 2}, true), any(2, 3, 2));
    call("max_dim", (in, p) -> both(in.get(0).max(integer(p, "dim"))));
    spec("max_dim", GATHER, x -> x[0].max(1).values(), any(3, 4));
    call("min_dim", (in, p) -> both(in.get(0).min(integer(p, "dim"))));
    spec("min_dim", GATHER, x -> x[0].min(0).values(), any(3, 4));
    call("all", (in, p) -> dimOrAll(p) == null ? in.get(0).all() : in.get(0).all(dimOrAll(p)));
    call("any", (in, p) -> dimOrAll(p) == null ? in.get(0).any() : in.get(0).any(dimOrAll(p)));
    call(
        "count_nonzero",
        (in, p) -> {
          int[] dims = intsOrNull(p, "dims");
          return dims == null ? in.get(0).countNonzero() : in.get(0).countNonzero(dims);
        });
    // scans
    call("cumsum", (in, p) -> in.get(0).cumsum(integer(p, "dim")));
    spec("cumsum", CUMSUM, x -> x[0].cumsum(1), any(2, 3));
    spec("cumsum/first", CUMSUM, x -> x[0].cumsum(0).mul(x[0]), any(3, 2));
    spec("cumsum/0-d", CUMSUM, x -> x[0].cumsum(0), any());
    call("cumprod", (in, p) -> in.get(0).cumprod(integer(p, "dim")));
    spec("cumprod", CUMPROD, x -> x[0].cumprod(1), any(2, 4));
    spec("cumprod/first", CUMPROD, x -> x[0].cumprod(0), any(3, 2));
    call("logcumsumexp", (in, p) -> in.get(0).logcumsumexp(integer(p, "dim")));
    spec("logcumsumexp", LOG_CUMSUM_EXP, x -> x[0].logcumsumexp(1), any(2, 4));
    spec("logcumsumexp/first", LOG_CUMSUM_EXP, x -> x[0].logcumsumexp(0), any(3, 2));
    call("cummax", (in, p) -> both(in.get(0).cummax(integer(p, "dim"))));
    spec("cummax", GATHER, x -> x[0].cummax(1).values(), any(2, 4));
    call("cummin", (in, p) -> both(in.get(0).cummin(integer(p, "dim"))));
    spec("cummin", GATHER, x -> x[0].cummin(0).values(), any(4, 2));
    // sorting and selection
    call("sort", (in, p) -> both(in.get(0).sort(integer(p, "dim"), bool(p, "descending"))));
    spec("sort", GATHER, x -> x[0].sort(1, true).values(), any(3, 4));
    call("argsort", (in, p) -> in.get(0).argsort(integer(p, "dim"), bool(p, "descending")));
    call(
        "topk",
        (in, p) -> both(in.get(0).topk(integer(p, "k"), integer(p, "dim"), bool(p, "largest"))));
    spec("topk", GATHER, x -> x[0].topk(2).values(), any(3, 4));
    call(
        "kthvalue",
        (in, p) ->
            both(in.get(0).kthvalue(integer(p, "k"), integer(p, "dim"), bool(p, "keepDim"))));
    spec("kthvalue", GATHER, x -> x[0].kthvalue(2, 0, false).values(), any(3, 2));
    call(
        "median",
        (in, p) -> {
          Integer dim = intOrNull(p, "dim");
          return dim == null ? in.get(0).median() : both(in.get(0).median(dim, bool(p, "keepDim")));
        });
    spec("median", GATHER, x -> x[0].median(0).values(), any(4, 2));
    spec("median/all", GATHER, x -> x[0].median(), any(5));
    call(
        "quantile",
        (in, p) -> {
          Integer dim = intOrNull(p, "dim");
          double q = dbl(p, "q");
          return dim == null
              ? in.get(0).quantile(q)
              : in.get(0).quantile(q, dim, bool(p, "keepDim"));
        });
    spec("quantile", GATHER, x -> x[0].quantile(0.3, 1, false), any(2, 5));
    call("mode", (in, p) -> both(in.get(0).mode(integer(p, "dim"), bool(p, "keepDim"))));
    spec("mode", GATHER, x -> x[0].mode(1, false).values(), any(2, 3));
    call(
        "unique",
        (in, p) -> {
          UniqueValues u = in.get(0).uniqueWithCounts();
          var dt = u.values().dtype();
          return Tensor.cat(0, u.values(), u.inverse().reshape(-1).to(dt), u.counts().to(dt));
        });
    call("searchsorted", (in, p) -> in.get(0).searchsorted(in.get(1), bool(p, "right")));
    call(
        "bincount",
        (in, p) -> in.get(0).bincount(in.size() > 1 ? in.get(1) : null, integer(p, "minlength")));
    spec(
        "bincount",
        SCATTER_ADD,
        x -> x[1].bincount(x[0], 5),
        any(4),
        constant(Tensor.ofLongs(new long[] {3, 0, 3, 1}, 4)));
    call("histc", (in, p) -> in.get(0).histc(integer(p, "bins"), dbl(p, "min"), dbl(p, "max")));
  }

  private static Integer dimOrAll(com.fasterxml.jackson.databind.JsonNode p) {
    return intOrNull(p, "dim");
  }
}
