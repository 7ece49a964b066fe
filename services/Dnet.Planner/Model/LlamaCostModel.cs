using Dnet.Models;
using Dnet.Planner.Topology;

namespace Dnet.Planner.Model;

/// <summary>
/// The solver's view of a Llama-family decoder (SwiGLU MLP, GQA, RMSNorm): the engine's own cost profile
/// (<see cref="Dnet.Models.ModelProfile"/>), with each layer's FLOPs taken at the planning context length.
/// </summary>
public static class LlamaCostModel
{
    /// <summary>q, k, v, o projections (+ q/k/v bias, + q/k norm), gate/up/down, and the two RMSNorms.</summary>
    public static long ParametersPerLayer(ModelConfig config) => config.ParametersPerLayer();

    /// <summary>Every parameter: layers, embed_tokens, final norm, and lm_head unless it is tied to embed_tokens.</summary>
    public static long TotalParameters(ModelConfig config) => config.TotalParameters();

    /// <summary>
    /// The solver's profile with weights and activations in <paramref name="computeDtype"/>. FLOPs per token are taken
    /// at <paramref name="contextLength"/>, so the prediction is the decode cost at a full context.
    /// </summary>
    public static ModelCosts Profile(ModelConfig config, ComputeDtype computeDtype, int contextLength)
    {
        var profile = Dnet.Models.ModelProfile.From(config, computeDtype);
        var layer = new LayerCost(
            profile.BytesPerLayer,
            FlopsPerToken: profile.FlopsPerTokenPerLayer(contextLength),
            KvBytesPerToken: profile.KvBytesPerTokenPerLayer);
        return new ModelCosts(
            Enumerable.Repeat(layer, profile.Layers).ToList(),
            profile.EmbeddingBytes,
            profile.HeadBytes,
            profile.HeadFlopsPerToken,
            profile.TiedHeadBytes,
            profile.ActivationBytesPerToken);
    }
}
