namespace Dnet.Planner.Model;

/// <summary>
/// Shapes of the models the engine generates by name. Kept here rather than read from Dnet.Inference, which would pull
/// libtorch into the planner; they must match the engine's GeneratedModelSpec.
/// </summary>
public static class GeneratedModels
{
    public static ModelShape DnetTiny { get; } = new()
    {
        ModelType = "llama",
        NumHiddenLayers = 4,
        HiddenSize = 64,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDim = 16,
        IntermediateSize = 172,
        VocabSize = 512,
        TieWordEmbeddings = false,
        TorchDtype = "float32",
        MaxPositionEmbeddings = 2048,
    };

    /// <summary>SmolLM2-135M's shape.</summary>
    public static ModelShape DnetBench135M { get; } = new()
    {
        ModelType = "llama",
        NumHiddenLayers = 30,
        HiddenSize = 576,
        NumAttentionHeads = 9,
        NumKeyValueHeads = 3,
        HeadDim = 64,
        IntermediateSize = 1536,
        VocabSize = 49152,
        TieWordEmbeddings = true,
        TorchDtype = "bfloat16",
        MaxPositionEmbeddings = 8192,
    };

    public static IReadOnlyDictionary<string, ModelShape> ByName { get; } = new Dictionary<string, ModelShape>
    {
        ["dnet-tiny"] = DnetTiny,
        ["dnet-bench-135m"] = DnetBench135M,
    };
}
