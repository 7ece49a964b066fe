namespace Dnet.Planner.Model;

/// <summary>The architecture fields of a Llama-family <c>config.json</c> that decide a model's cost.</summary>
public sealed record ModelShape
{
    /// <summary>llama, mistral, qwen2 or qwen3.</summary>
    public required string ModelType { get; init; }

    public required int HiddenSize { get; init; }

    public required int IntermediateSize { get; init; }

    public required int NumHiddenLayers { get; init; }

    public required int NumAttentionHeads { get; init; }

    public required int NumKeyValueHeads { get; init; }

    public required int HeadDim { get; init; }

    public required int VocabSize { get; init; }

    public bool TieWordEmbeddings { get; init; }

    /// <summary>torch_dtype as written in config.json (bfloat16, float16, float32).</summary>
    public string TorchDtype { get; init; } = "bfloat16";

    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>q/k/v projections carry a bias (qwen2 always, others when attention_bias is set).</summary>
    public bool AttentionBias { get; init; }

    /// <summary>Per-head RMSNorm weights for q and k (qwen3).</summary>
    public bool QkNorm { get; init; }
}
