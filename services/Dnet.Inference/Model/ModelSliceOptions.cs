using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>How a slice is loaded.</summary>
public sealed record ModelSliceOptions
{
    /// <summary>Element type for weights, activations and KV cache. bf16 by default; f16 files are converted.</summary>
    public ComputeDtype ComputeDtype { get; init; } = ComputeDtype.BFloat16;

    /// <summary>KV cache capacity per sequence; the smaller of this and max_position_embeddings is used.</summary>
    public int? MaxContextTokens { get; init; }

    /// <summary>
    /// Threads the kernels run on, the caller included. Default: libtorch's intra-op thread count, which the shard
    /// sets from <c>Dnet:Shard:TorchThreads</c> (cores divided among the shards of one machine).
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>
    /// bf16 only: multiply every row (prompt and decode alike) on the CPU's AMX tiles, where it has them (see
    /// <see cref="Kernels.TileCode"/>). The projections' input rows are then rounded to bf16, as in torch's bf16
    /// inference, and each weight is copied once into tile order (as much memory again as the weights). A row's
    /// result still depends on nothing but its own sequence. Null: the default, see <see cref="ModelSlice.TilesByDefault"/>.
    /// </summary>
    public bool? MatrixTiles { get; init; }

    /// <summary>SIMD width override for tests (the results are bitwise the same at every width); default: the widest the CPU runs.</summary>
    internal Kernels.SimdLevel? Simd { get; init; }
}
