namespace Dnet.Generation.Sampling;

/// <summary>
/// Picks the next token from a vocabulary's logits for one request. Order: logit bias, repetition/frequency/presence
/// penalties, temperature, top-k, top-p, min-p, then a draw from the renormalised remainder with the request's seeded RNG.
/// Buffers are allocated once per request and exp runs vectorised; top-k uses a bounded heap and top-p a weighted
/// quickselect over the tokens above a probability cut-off, so no call sorts the vocabulary. Logits must be finite
/// or -inf. Not thread-safe: one per request.
/// </summary>
/// <remarks>
/// Penalty scope follows vLLM: the repetition penalty counts prompt and output tokens (HF), frequency and presence
/// penalties count output tokens only (OpenAI). Every token returned by <see cref="Sample"/> is counted as output.
/// </remarks>
public sealed class Sampler
{
    private readonly SamplingParameters _parameters;
    private readonly DeterministicRandom _random;
    private readonly float[] _logits;
    private readonly float[] _weights;
    private readonly Candidate[] _candidates;
    private readonly int[] _outputCounts;
    private readonly bool[] _seen;
    private readonly List<int> _seenIds = [];

    /// <summary>Creates the sampler for one request.</summary>
    /// <param name="parameters">Validated here; invalid values throw <see cref="ArgumentException"/>.</param>
    /// <param name="vocabSize">Length of the logits passed to <see cref="Sample"/>.</param>
    /// <param name="promptTokenIds">Prompt tokens, seen by the repetition penalty.</param>
    public Sampler(SamplingParameters parameters, int vocabSize, IEnumerable<int>? promptTokenIds = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        foreach (int id in parameters.LogitBias.Keys)
        {
            if (id >= vocabSize)
            {
                throw new ArgumentException($"logit_bias names token {id}, beyond the vocabulary of {vocabSize} tokens.", nameof(parameters));
            }
        }

        _parameters = parameters;
        Seed = parameters.Seed ?? Random.Shared.NextInt64();
        _random = new DeterministicRandom(Seed);
        _logits = new float[vocabSize];
        _weights = new float[vocabSize];
        _candidates = new Candidate[vocabSize];
        _outputCounts = new int[vocabSize];
        _seen = new bool[vocabSize];
        foreach (int id in promptTokenIds ?? [])
        {
            MarkSeen(id);
        }
    }

    /// <summary>The seed in use (drawn at random when the parameters had none).</summary>
    public long Seed { get; }

    /// <summary>Samples the next token and records it as output for the penalties.</summary>
    /// <exception cref="ArgumentException">Logits of the wrong length, or no finite logit.</exception>
    public SampledToken Sample(ReadOnlySpan<float> logits)
    {
        if (logits.Length != _logits.Length)
        {
            throw new ArgumentException($"Expected {_logits.Length} logits, got {logits.Length}.", nameof(logits));
        }

        ReadOnlySpan<float> x = Adjust(logits);

        // One pass for the largest logit, shared by the draw and the logprobs; at temperature 1 the draw's sum of
        // exp(x - max) is also the logprobs' normalizer (the same terms in the same order), so it is not summed twice.
        float max = MaxOf(x);
        double? sumExp = null;
        int id = _parameters.Temperature == 0 ? x.IndexOf(max) : Draw(x, max, _weights, out sumExp);
        SampledToken token = _parameters.Logprobs ? WithLogprobs(id, x, max, sumExp) : new SampledToken(id, float.NaN, []);

        MarkSeen(id);
        _outputCounts[id]++;
        return token;
    }

    /// <summary>The logits with bias and penalties applied: a copy when any is set, else the input itself.</summary>
    private ReadOnlySpan<float> Adjust(ReadOnlySpan<float> logits)
    {
        (float repetition, float frequency, float presence) = (_parameters.RepetitionPenalty, _parameters.FrequencyPenalty, _parameters.PresencePenalty);
        IReadOnlyDictionary<int, float> bias = _parameters.LogitBias;
        if (repetition == 1 && frequency == 0 && presence == 0 && bias.Count == 0)
        {
            return logits;
        }

        Span<float> x = _logits;
        logits.CopyTo(x);
        foreach ((int id, float value) in bias)
        {
            // A banned token stays banned (-inf + bias), a masked one is not revived.
            x[id] += value;
        }

        if (repetition == 1 && frequency == 0 && presence == 0)
        {
            return x;
        }

        foreach (int id in _seenIds)
        {
            float v = x[id];
            if (repetition != 1)
            {
                v = v > 0 ? v / repetition : v * repetition;
            }

            int count = _outputCounts[id];
            if (count > 0)
            {
                v -= frequency * count + presence;
            }

            x[id] = v;
        }

        return x;
    }

    /// <summary>The largest logit (ties: <c>IndexOf</c> gives the lowest id).</summary>
    private static float MaxOf(ReadOnlySpan<float> x)
    {
        float max = VectorMath.Max(x);
        return float.IsFinite(max) ? max : throw new ArgumentException("Logits contain no finite maximum.", "logits");
    }

    // sumExp: Σ exp(logit - max) when the temperature is 1 (the logprobs' normalizer), else null.
    private int Draw(ReadOnlySpan<float> logits, float max, Span<float> weights, out double? sumExp)
    {
        float inverseTemperature = 1f / _parameters.Temperature;
        // Weights relative to the most likely token, which therefore weighs exactly 1 (so min_p is a plain floor).
        double total = VectorMath.ExpShifted(logits, max, inverseTemperature, weights);
        sumExp = inverseTemperature == 1f ? total : null;

        int topK = _parameters.TopK is > 0 and var k && k < weights.Length ? k : 0;
        float topP = _parameters.TopP;
        float minP = _parameters.MinP;
        if (topK == 0 && topP >= 1)
        {
            return DrawInIdOrder(weights, minP, minP > 0 ? null : total);
        }

        Span<Candidate> candidates;
        if (topK > 0)
        {
            candidates = TokenSelection.TopK(weights, topK, _candidates);
            total = 0;
            foreach (Candidate c in candidates)
            {
                total += c.Weight;
            }
        }
        else
        {
            candidates = TokenSelection.AboveCutoff(weights, topP * total, _candidates);
        }

        // top_p of the (top-k renormalised) weight, then the min_p floor. Every step keeps the heaviest token.
        int kept = topP < 1 ? TokenSelection.Nucleus(candidates, topP * total) : candidates.Length;
        candidates = candidates[..kept];
        double mass = 0;
        foreach (Candidate c in candidates)
        {
            mass += c.Weight >= minP ? c.Weight : 0;
        }

        double u = _random.NextDouble() * mass;
        int chosen = -1;
        foreach (Candidate c in candidates)
        {
            if (c.Weight >= minP)
            {
                chosen = c.Id;
                u -= c.Weight;
                if (u < 0)
                {
                    break;
                }
            }
        }

        return chosen;
    }

    private int DrawInIdOrder(ReadOnlySpan<float> weights, float minP, double? knownTotal)
    {
        double total = knownTotal ?? 0;
        if (knownTotal is null)
        {
            foreach (float w in weights)
            {
                total += w >= minP ? w : 0;
            }
        }

        double u = _random.NextDouble() * total;
        int chosen = -1;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] >= minP && weights[i] > 0)
            {
                chosen = i;
                u -= weights[i];
                if (u < 0)
                {
                    break;
                }
            }
        }

        return chosen;
    }

    private SampledToken WithLogprobs(int id, ReadOnlySpan<float> x, float max, double? sumExp)
    {
        double sum = sumExp ?? VectorMath.SumExpShifted(x, max);
        float logNormalizer = max + (float)Math.Log(sum);
        TokenLogprob[] top = [];
        if (_parameters.TopLogprobs > 0)
        {
            Span<Candidate> best = TokenSelection.TopK(x, Math.Min(_parameters.TopLogprobs, x.Length), _candidates);
            TokenSelection.SortHeap(best);
            top = new TokenLogprob[best.Length];
            for (int i = 0; i < best.Length; i++)
            {
                top[i] = new TokenLogprob(best[i].Id, best[i].Weight - logNormalizer);
            }
        }

        return new SampledToken(id, x[id] - logNormalizer, top);
    }

    private void MarkSeen(int id)
    {
        if ((uint)id < (uint)_seen.Length && !_seen[id])
        {
            _seen[id] = true;
            _seenIds.Add(id);
        }
    }
}
