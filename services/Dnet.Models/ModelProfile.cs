namespace Dnet.Models;

/// <summary>
/// Cost model of a checkpoint for the topology planner, from config.json alone: bytes, FLOPs and KV bytes per
/// layer, plus what the first slice (embeddings) and the last slice (final norm + lm_head) hold on top.
/// </summary>
/// <param name="Layers">num_hidden_layers.</param>
/// <param name="ElementBytes">Bytes per weight/KV element in the compute dtype.</param>
/// <param name="ParametersPerLayer">Weights of one decoder layer.</param>
/// <param name="BytesPerLayer">Weight bytes of one decoder layer.</param>
/// <param name="KvBytesPerTokenPerLayer">K and V bytes one token adds to one layer's cache.</param>
/// <param name="EmbeddingBytes">embed_tokens bytes (first slice).</param>
/// <param name="HeadBytes">lm_head + final norm bytes (last slice; with tied embeddings the same matrix as embed_tokens).</param>
/// <param name="HeadFlopsPerToken">FLOPs of lm_head for one position.</param>
/// <param name="AttentionWidth">num_attention_heads × head_dim, for the attention FLOPs term.</param>
/// <param name="TiedHeadBytes">
/// Bytes of <paramref name="HeadBytes"/> that are the embedding matrix itself (tied embeddings): a slice holding both
/// ends keeps that matrix once.
/// </param>
/// <param name="ActivationBytesPerToken">Hidden-state bytes of one token, as sent between slices.</param>
public sealed record ModelProfile(
    int Layers,
    int ElementBytes,
    long ParametersPerLayer,
    long BytesPerLayer,
    long KvBytesPerTokenPerLayer,
    long EmbeddingBytes,
    long HeadBytes,
    long HeadFlopsPerToken,
    long AttentionWidth,
    long TiedHeadBytes,
    long ActivationBytesPerToken)
{
    /// <summary>Profile of <paramref name="config"/> computed in <paramref name="dtype"/>.</summary>
    public static ModelProfile From(ModelConfig config, ComputeDtype dtype)
    {
        long hidden = config.HiddenSize, kv = (long)config.NumKeyValueHeads * config.HeadDim;
        long parameters = config.ParametersPerLayer();
        int bytes = dtype.ElementSize();
        long vocabMatrix = config.VocabSize * hidden;
        return new ModelProfile(
            config.NumHiddenLayers,
            bytes,
            parameters,
            parameters * bytes,
            2 * kv * bytes,
            vocabMatrix * bytes,
            (vocabMatrix + hidden) * bytes,
            2 * vocabMatrix,
            (long)config.NumAttentionHeads * config.HeadDim,
            config.TieWordEmbeddings ? vocabMatrix * bytes : 0,
            hidden * bytes);
    }

    /// <summary>
    /// FLOPs for one token through one layer with <paramref name="contextTokens"/> tokens in context:
    /// 2 per weight (multiply-add) plus attention scores and weighted sum, 4 × context × attention width.
    /// </summary>
    public long FlopsPerTokenPerLayer(int contextTokens) => 2 * ParametersPerLayer + 4L * contextTokens * AttentionWidth;

    /// <summary>
    /// FLOPs of one step of <paramref name="tokens"/> tokens at positions [start, start + tokens) through
    /// <paramref name="layers"/> layers: 2 per weight per token, attention over each token's own context (token i sees
    /// start + i + 1 positions), and on the last slice lm_head for the one position whose logits are computed.
    /// </summary>
    /// <param name="layers">Layers of the slice.</param>
    /// <param name="tokens">Tokens in the step.</param>
    /// <param name="start">Position of the step's first token.</param>
    /// <param name="computesHead">Whether the slice applies lm_head (the last slice).</param>
    public long StepFlops(int layers, int tokens, int start, bool computesHead)
    {
        // Sum over i in [0, tokens) of (start + i + 1): the context each token attends to.
        long attendedPositions = (long)tokens * start + (long)tokens * (tokens + 1) / 2;
        long perLayer = 2 * ParametersPerLayer * tokens + 4L * attendedPositions * AttentionWidth;
        return layers * perLayer + (computesHead ? HeadFlopsPerToken : 0);
    }
}
