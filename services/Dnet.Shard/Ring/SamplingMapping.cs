using Dnet.Contracts.Shards;
using Dnet.Generation.Sampling;

namespace Dnet.Shard.Ring;

/// <summary>The wire form of the caller's sampling parameters, as the sampler takes them.</summary>
internal static class SamplingMapping
{
    public static SamplingParameters ToParameters(this SamplingParams wire) => new()
    {
        Temperature = wire.Temperature,
        TopP = wire.TopP == 0 ? 1f : wire.TopP,
        TopK = wire.TopK,
        MinP = wire.MinP,
        RepetitionPenalty = wire.RepetitionPenalty == 0 ? 1f : wire.RepetitionPenalty,
        FrequencyPenalty = wire.FrequencyPenalty,
        PresencePenalty = wire.PresencePenalty,
        Seed = (long)wire.Seed,
        Logprobs = wire.Logprobs,
        TopLogprobs = wire.TopLogprobs,
        LogitBias = wire.LogitBias.Count == 0 ? Empty : new Dictionary<int, float>(wire.LogitBias),
    };

    private static readonly IReadOnlyDictionary<int, float> Empty = new Dictionary<int, float>();
}
