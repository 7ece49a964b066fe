namespace Dnet.Generation.Sampling;

/// <summary>
/// OpenAI/HF sampling parameters for one request. Defaults sample from the full distribution at temperature 1.
/// </summary>
public sealed record SamplingParameters
{
    /// <summary>Most alternatives OpenAI returns per position.</summary>
    public const int MaxTopLogprobs = 20;

    /// <summary>0 means greedy (argmax, ties to the lowest id); must be finite and &gt;= 0.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Nucleus: keep the smallest most-likely set whose probability reaches TopP; in (0, 1].</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Keep only the K most likely tokens; 0 disables.</summary>
    public int TopK { get; init; }

    /// <summary>Drop tokens whose probability is below MinP times the most likely one's; in [0, 1].</summary>
    public float MinP { get; init; }

    /// <summary>HF repetition penalty over prompt and output tokens: positive logits divided, negative multiplied; &gt; 0, 1 disables.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>OpenAI frequency penalty: subtract penalty x count for each output token; in [-2, 2].</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>OpenAI presence penalty: subtract once for every token already in the output; in [-2, 2].</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Same seed and same logits give the same tokens; null draws a random seed.</summary>
    public long? Seed { get; init; }

    /// <summary>Most logit biases a request may carry, and the largest bias in magnitude (OpenAI's bounds).</summary>
    public const int MaxLogitBiasEntries = 300;

    /// <summary>Largest <see cref="LogitBias"/> value in magnitude: 100 bans or forces a token in practice.</summary>
    public const float MaxLogitBias = 100f;

    /// <summary>
    /// OpenAI logit_bias: token id to a value in [-100, 100] added to that token's logit before penalties' results are
    /// sampled (and before logprobs are computed). Ids outside the vocabulary are rejected.
    /// </summary>
    public IReadOnlyDictionary<int, float> LogitBias { get; init; } = new Dictionary<int, float>();

    /// <summary>Return the chosen token's log probability.</summary>
    public bool Logprobs { get; init; }

    /// <summary>Also return this many most likely alternatives (0..20); needs <see cref="Logprobs"/>.</summary>
    public int TopLogprobs { get; init; }

    /// <summary>Greedy decoding.</summary>
    public static SamplingParameters Greedy { get; } = new() { Temperature = 0f };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid parameter.</summary>
    public void Validate()
    {
        static void Require(bool ok, string name, string rule, object value)
        {
            if (!ok)
            {
                throw new ArgumentException($"{name} must be {rule}; got {value}.", name);
            }
        }

        Require(float.IsFinite(Temperature) && Temperature >= 0, nameof(Temperature), ">= 0 and finite", Temperature);
        Require(TopP is > 0 and <= 1, nameof(TopP), "in (0, 1]", TopP);
        Require(TopK >= 0, nameof(TopK), ">= 0 (0 disables)", TopK);
        Require(MinP is >= 0 and <= 1, nameof(MinP), "in [0, 1]", MinP);
        Require(float.IsFinite(RepetitionPenalty) && RepetitionPenalty > 0, nameof(RepetitionPenalty), "> 0 and finite", RepetitionPenalty);
        Require(FrequencyPenalty is >= -2 and <= 2, nameof(FrequencyPenalty), "in [-2, 2]", FrequencyPenalty);
        Require(PresencePenalty is >= -2 and <= 2, nameof(PresencePenalty), "in [-2, 2]", PresencePenalty);
        Require(TopLogprobs is >= 0 and <= MaxTopLogprobs, nameof(TopLogprobs), $"in [0, {MaxTopLogprobs}]", TopLogprobs);
        Require(TopLogprobs == 0 || Logprobs, nameof(TopLogprobs), "0 unless Logprobs is true", TopLogprobs);
        Require(LogitBias.Count <= MaxLogitBiasEntries, nameof(LogitBias), $"at most {MaxLogitBiasEntries} entries", LogitBias.Count);
        foreach ((int id, float bias) in LogitBias)
        {
            Require(id >= 0, nameof(LogitBias), "keyed by token ids >= 0", id);
            Require(float.IsFinite(bias) && Math.Abs(bias) <= MaxLogitBias, nameof(LogitBias), $"values in [-{MaxLogitBias}, {MaxLogitBias}]", bias);
        }
    }
}
