using Dnet.Planner.Topology;

namespace Dnet.Planner.Model;

/// <summary>Parameter counts, bytes and FLOPs of a Llama-family decoder (SwiGLU MLP, GQA, RMSNorm), from its shape.</summary>
public static class LlamaCostModel
{
    /// <summary>q, k, v, o projections (+ q/k/v bias, + q/k norm), gate/up/down, and the two RMSNorms.</summary>
    public static long ParametersPerLayer(ModelShape shape)
    {
        long hidden = shape.HiddenSize, q = QueryWidth(shape), kv = KeyValueWidth(shape);
        long attention = hidden * q + 2 * hidden * kv + q * hidden
            + (shape.AttentionBias ? q + 2 * kv : 0)
            + (shape.QkNorm ? 2L * shape.HeadDim : 0);
        long mlp = 3 * hidden * shape.IntermediateSize;
        return attention + mlp + 2 * hidden;
    }

    /// <summary>Every parameter: layers, embed_tokens, final norm, and lm_head unless it is tied to embed_tokens.</summary>
    public static long TotalParameters(ModelShape shape)
    {
        long vocabMatrix = (long)shape.VocabSize * shape.HiddenSize;
        return shape.NumHiddenLayers * ParametersPerLayer(shape) + vocabMatrix + shape.HiddenSize
            + (shape.TieWordEmbeddings ? 0 : vocabMatrix);
    }

    /// <summary>
    /// The solver's profile with weights and activations in <paramref name="computeDtype"/>. FLOPs per token are taken
    /// at <paramref name="contextLength"/>: 2 per weight (multiply-add) plus 4 × context × query width for attention
    /// scores and the weighted sum, so the prediction is the decode cost at a full context.
    /// </summary>
    public static ModelProfile Profile(ModelShape shape, string computeDtype, int contextLength)
    {
        int element = ComputeDtype.ElementBytes(computeDtype);
        long perLayer = ParametersPerLayer(shape);
        long vocabMatrix = (long)shape.VocabSize * shape.HiddenSize;
        var layer = new LayerCost(
            perLayer * element,
            FlopsPerToken: 2.0 * perLayer + 4.0 * contextLength * QueryWidth(shape),
            KvBytesPerToken: 2 * KeyValueWidth(shape) * element);
        return new ModelProfile(
            Enumerable.Repeat(layer, shape.NumHiddenLayers).ToList(),
            EmbeddingBytes: vocabMatrix * element,
            HeadBytes: (vocabMatrix + shape.HiddenSize) * element,
            HeadFlopsPerToken: 2.0 * vocabMatrix,
            TiedHeadBytes: shape.TieWordEmbeddings ? vocabMatrix * element : 0,
            ActivationBytesPerToken: (long)shape.HiddenSize * element);
    }

    private static long QueryWidth(ModelShape shape) => (long)shape.NumAttentionHeads * shape.HeadDim;

    private static long KeyValueWidth(ModelShape shape) => (long)shape.NumKeyValueHeads * shape.HeadDim;
}
