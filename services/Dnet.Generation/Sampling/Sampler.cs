namespace Dnet.Generation.Sampling;

/// <summary>
/// Picks the next token from a vocabulary's logits for one request. Order: repetition/frequency/presence penalties,
/// temperature, top-k, top-p, min-p, then a draw from the renormalised remainder with the request's seeded RNG.
/// Buffers are allocated once per request; top-k uses a bounded heap and top-p sorts only the tokens above a
/// probability cut-off, so no call sorts the whole vocabulary. Not thread-safe: one per request.
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

        Span<float> x = _logits;
        logits.CopyTo(x);
        ApplyPenalties(x);

        int id = _parameters.Temperature == 0 ? ArgMax(x) : Draw(x, _weights);
        SampledToken token = _parameters.Logprobs ? WithLogprobs(id, x) : new SampledToken(id, float.NaN, []);

        MarkSeen(id);
        _outputCounts[id]++;
        return token;
    }

    private void ApplyPenalties(Span<float> x)
    {
        (float repetition, float frequency, float presence) = (_parameters.RepetitionPenalty, _parameters.FrequencyPenalty, _parameters.PresencePenalty);
        if (repetition == 1 && frequency == 0 && presence == 0)
        {
            return;
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
    }

    private static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = -1;
        float bestValue = float.NegativeInfinity;
        for (int i = 0; i < x.Length; i++)
        {
            // Strictly greater: ties go to the lowest id; NaN never wins.
            if (x[i] > bestValue)
            {
                bestValue = x[i];
                best = i;
            }
        }

        return best >= 0 ? best : throw new ArgumentException("Logits contain no finite value.", "logits");
    }

    private int Draw(ReadOnlySpan<float> logits, Span<float> x)
    {
        float max = logits[ArgMax(logits)];
        float inverseTemperature = 1f / _parameters.Temperature;
        // Weights relative to the most likely token, which therefore weighs exactly 1.
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = MathF.Exp((logits[i] - max) * inverseTemperature);
        }

        int topK = _parameters.TopK is > 0 and var k && k < x.Length ? k : 0;
        float topP = _parameters.TopP;
        float minP = _parameters.MinP;
        if (topK == 0 && topP >= 1)
        {
            return DrawInIdOrder(x, minP);
        }

        double total;
        Span<Candidate> candidates;
        if (topK > 0)
        {
            candidates = TopKSorted(x, topK);
            total = 0;
            foreach (Candidate c in candidates)
            {
                total += c.Weight;
            }
        }
        else
        {
            candidates = SortedAboveCutoff(x, topP, out total);
        }

        // Smallest prefix reaching top_p of the (top-k renormalised) mass, then the min-p floor; both are prefixes.
        double target = topP * total;
        double cumulative = 0;
        int kept = 0;
        while (kept < candidates.Length && (kept == 0 || cumulative < target) && candidates[kept].Weight >= minP)
        {
            cumulative += candidates[kept].Weight;
            kept++;
        }

        double u = _random.NextDouble() * cumulative;
        for (int i = 0; i < kept - 1; i++)
        {
            u -= candidates[i].Weight;
            if (u < 0)
            {
                return candidates[i].Id;
            }
        }

        return candidates[kept - 1].Id;
    }

    private int DrawInIdOrder(ReadOnlySpan<float> weights, float minP)
    {
        double total = 0;
        int last = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] >= minP && weights[i] > 0)
            {
                total += weights[i];
                last = i;
            }
        }

        double u = _random.NextDouble() * total;
        for (int i = 0; i < last; i++)
        {
            if (weights[i] >= minP && weights[i] > 0)
            {
                u -= weights[i];
                if (u < 0)
                {
                    return i;
                }
            }
        }

        return last;
    }

    /// <summary>The k heaviest tokens, heaviest first (ties: lower id first), via a bounded min-heap: O(V log k).</summary>
    private Span<Candidate> TopKSorted(ReadOnlySpan<float> weights, int k)
    {
        Span<Candidate> heap = _candidates.AsSpan(0, k);
        for (int i = 0; i < k; i++)
        {
            heap[i] = new Candidate(i, weights[i]);
        }

        for (int i = k / 2 - 1; i >= 0; i--)
        {
            SiftDown(heap, i, k);
        }

        for (int i = k; i < weights.Length; i++)
        {
            var candidate = new Candidate(i, weights[i]);
            if (Candidate.Before(candidate, heap[0]))
            {
                heap[0] = candidate;
                SiftDown(heap, 0, k);
            }
        }

        // Heap sort: repeatedly move the lightest to the end, leaving heaviest first.
        for (int end = k - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(heap, 0, end);
        }

        return heap;
    }

    /// <summary>Min-heap where the root is the candidate that sorts last.</summary>
    private static void SiftDown(Span<Candidate> heap, int i, int count)
    {
        while (true)
        {
            int worst = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < count && Candidate.Before(heap[worst], heap[left]))
            {
                worst = left;
            }

            if (right < count && Candidate.Before(heap[worst], heap[right]))
            {
                worst = right;
            }

            if (worst == i)
            {
                return;
            }

            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }

    /// <summary>
    /// Enough of the heaviest tokens, sorted, to contain the top-p nucleus: tokens above a cut-off that is lowered
    /// until their mass reaches top_p. Usually a few hundred tokens are sorted instead of the vocabulary.
    /// </summary>
    private Span<Candidate> SortedAboveCutoff(ReadOnlySpan<float> weights, float topP, out double total)
    {
        total = Sum(weights);
        double target = topP * total;
        for (float cutoff = 1f / 64; ; cutoff /= 64)
        {
            int count = 0;
            double mass = 0;
            bool last = cutoff < 1e-30f;
            for (int i = 0; i < weights.Length; i++)
            {
                if (last || weights[i] >= cutoff)
                {
                    _candidates[count++] = new Candidate(i, weights[i]);
                    mass += weights[i];
                }
            }

            if (last || mass >= target)
            {
                Span<Candidate> selected = _candidates.AsSpan(0, count);
                selected.Sort(static (a, b) => Candidate.Before(a, b) ? -1 : Candidate.Before(b, a) ? 1 : 0);
                return selected;
            }
        }
    }

    private SampledToken WithLogprobs(int id, ReadOnlySpan<float> x)
    {
        float max = x[ArgMax(x)];
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += MathF.Exp(x[i] - max);
        }

        float logNormalizer = max + (float)Math.Log(sum);
        TokenLogprob[] top = [];
        if (_parameters.TopLogprobs > 0)
        {
            Span<Candidate> best = TopKSorted(x, Math.Min(_parameters.TopLogprobs, x.Length));
            top = new TokenLogprob[best.Length];
            for (int i = 0; i < best.Length; i++)
            {
                top[i] = new TokenLogprob(best[i].Id, best[i].Weight - logNormalizer);
            }
        }

        return new SampledToken(id, x[id] - logNormalizer, top);
    }

    private static double Sum(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values)
        {
            sum += v;
        }

        return sum;
    }

    private void MarkSeen(int id)
    {
        if ((uint)id < (uint)_seen.Length && !_seen[id])
        {
            _seen[id] = true;
            _seenIds.Add(id);
        }
    }

    private readonly record struct Candidate(int Id, float Weight)
    {
        /// <summary>Sampling order: heavier first, then lower id.</summary>
        public static bool Before(Candidate a, Candidate b) => a.Weight > b.Weight || (a.Weight == b.Weight && a.Id < b.Id);
    }
}
