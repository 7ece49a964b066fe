using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>How a slice is loaded.</summary>
public sealed record ModelSliceOptions
{
    /// <summary>Element type for weights, activations and KV cache. bf16 by default; f16 files are converted.</summary>
    public ComputeDtype ComputeDtype { get; init; } = ComputeDtype.BFloat16;

    /// <summary>KV cache capacity per sequence; the smaller of this and max_position_embeddings is used.</summary>
    public int? MaxContextTokens { get; init; }
}
