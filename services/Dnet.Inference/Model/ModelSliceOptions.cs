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
    /// bf16 only: run each prompt chunk's projections on the CPU's bf16 matrix units (AMX or AVX512-BF16, through
    /// libtorch's oneDNN) instead of the float32-FMA kernel, where the CPU has them. Off by default: prefill runs about
    /// twice as fast, but decode in the same process was measured 7-15% slower per token afterwards, cause not yet found
    /// (services/Dnet.Inference/README.md). Prompt rows are then rounded to bf16 before each projection, so a chunk's
    /// numbers differ (within bf16 rounding) from the kernel's and depend on how the prompt was cut into chunks; decode
    /// rows are unchanged and a request's output still never depends on the other requests in its batch.
    /// </summary>
    public bool PromptsOnMatrixUnits { get; init; }

    /// <summary>SIMD width override for tests (the results are bitwise the same at every width); default: the widest the CPU runs.</summary>
    internal Kernels.SimdLevel? Simd { get; init; }
}
