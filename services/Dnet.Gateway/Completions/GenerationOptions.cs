namespace Dnet.Gateway.Completions;

/// <summary>
/// What both completion APIs ask of the generation, validated: sampling, stop conditions, logprobs and streaming.
/// The ring and the sampler see only this, whichever API the request came through.
/// </summary>
internal sealed record GenerationOptions
{
    /// <summary>Null: up to the context length.</summary>
    public int? MaxTokens { get; init; }

    public float Temperature { get; init; } = 1f;

    public float TopP { get; init; } = 1f;

    public int TopK { get; init; }

    public float MinP { get; init; }

    public float FrequencyPenalty { get; init; }

    public float PresencePenalty { get; init; }

    public float RepetitionPenalty { get; init; } = 1f;

    public long? Seed { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Token id to a bias in [-100, 100] added to its logit before sampling.</summary>
    public IReadOnlyDictionary<int, float> LogitBias { get; init; } = new Dictionary<int, float>();

    /// <summary>Null: no logprobs; otherwise the chosen token's logprob plus this many alternatives (0..20).</summary>
    public int? Logprobs { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }
}
