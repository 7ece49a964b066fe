namespace Dnet.Planner.Topology;

/// <summary>The solver's view of a model (built from <see cref="Dnet.Models.ModelProfile"/> by LlamaCostModel): per-layer costs plus what the first and last shard hold on top.</summary>
/// <param name="Layers">Cost of each decoder layer, in order.</param>
/// <param name="EmbeddingBytes">embed_tokens, held by the shard that holds layer 0.</param>
/// <param name="HeadBytes">Final norm + lm_head, held (and read per token) by the shard that holds the last layer.</param>
/// <param name="HeadFlopsPerToken">lm_head FLOPs for one position.</param>
/// <param name="TiedHeadBytes">
/// Bytes of <paramref name="HeadBytes"/> that are the embedding matrix itself (tied embeddings): a shard holding both
/// ends keeps that matrix once.
/// </param>
/// <param name="ActivationBytesPerToken">Hidden-state bytes sent per token on a shard-to-shard hop.</param>
public sealed record ModelCosts(
    IReadOnlyList<LayerCost> Layers,
    long EmbeddingBytes,
    long HeadBytes,
    double HeadFlopsPerToken,
    long TiedHeadBytes,
    long ActivationBytesPerToken)
{
    /// <summary>A token id on the gateway-to-first hop, or a sampled token on the last-to-gateway hop.</summary>
    public const long TokenBytesPerToken = 4;

    public int LayerCount => Layers.Count;
}
