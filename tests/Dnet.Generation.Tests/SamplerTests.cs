using Dnet.Generation.Sampling;

namespace Dnet.Generation.Tests;

[TestClass]
public sealed class SamplerTests
{
    // Probabilities of an 8-token vocabulary, most likely first.
    private static readonly double[] Probabilities = [0.30, 0.25, 0.15, 0.10, 0.08, 0.06, 0.04, 0.02];
    private static readonly float[] SmallLogits = [.. Probabilities.Select(p => (float)Math.Log(p))];

    [TestMethod]
    public void Same_seed_gives_the_same_tokens_and_other_seeds_differ()
    {
        float[][] steps = [.. Enumerable.Range(0, 200).Select(step => RandomLogits(1000, step))];
        int[] Run(long seed)
        {
            var sampler = new Sampler(new SamplingParameters { Seed = seed, TopP = 0.95f, Temperature = 0.8f }, 1000);
            return [.. steps.Select(logits => sampler.Sample(logits).Id)];
        }

        CollectionAssert.AreEqual(Run(42), Run(42));
        CollectionAssert.AreNotEqual(Run(42), Run(43));
    }

    [TestMethod]
    public void Temperature_zero_is_argmax_with_ties_to_the_lowest_id()
    {
        var sampler = new Sampler(SamplingParameters.Greedy, 5);

        Assert.AreEqual(1, sampler.Sample([1f, 5f, 5f, 2f, float.NegativeInfinity]).Id);
        Assert.AreEqual(4, sampler.Sample([1f, 5f, 5f, 2f, 9f]).Id);
    }

    [TestMethod]
    public void Top_k_one_is_greedy()
    {
        var sampler = new Sampler(new SamplingParameters { TopK = 1, Temperature = 1.5f, Seed = 3 }, 49152);
        for (int step = 0; step < 20; step++)
        {
            float[] logits = RandomLogits(49152, step);
            Assert.AreEqual(Array.IndexOf(logits, logits.Max()), sampler.Sample(logits).Id);
        }
    }

    [TestMethod]
    [DataRow(3, 1f, 0f, new[] { 0, 1, 2 }, DisplayName = "top_k 3")]
    [DataRow(0, 0.5f, 0f, new[] { 0, 1 }, DisplayName = "top_p 0.5: 0.30 + 0.25 reaches it")]
    [DataRow(0, 0.56f, 0f, new[] { 0, 1, 2 }, DisplayName = "top_p 0.56 needs a third token")]
    [DataRow(0, 1f, 0.3f, new[] { 0, 1, 2, 3 }, DisplayName = "min_p 0.3: floor 0.09")]
    [DataRow(5, 0.8f, 0.4f, new[] { 0, 1, 2 }, DisplayName = "top_k 5, then top_p 0.8 of 0.88, then min_p floor 0.12")]
    [DataRow(0, 1f, 0f, new[] { 0, 1, 2, 3, 4, 5, 6, 7 }, DisplayName = "no restriction")]
    public void Restrictions_keep_exactly_the_allowed_tokens_at_renormalised_frequencies(int topK, float topP, float minP, int[] allowed)
    {
        const int draws = 40_000;
        var sampler = new Sampler(new SamplingParameters { TopK = topK, TopP = topP, MinP = minP, Seed = 11 }, SmallLogits.Length);
        var counts = new int[SmallLogits.Length];
        for (int i = 0; i < draws; i++)
        {
            counts[sampler.Sample(SmallLogits).Id]++;
        }

        double mass = allowed.Sum(id => Probabilities[id]);
        for (int id = 0; id < counts.Length; id++)
        {
            double expected = allowed.Contains(id) ? Probabilities[id] / mass : 0;
            Assert.AreEqual(expected, counts[id] / (double)draws, expected == 0 ? 0 : 0.012, $"token {id}");
        }
    }

    [TestMethod]
    public void Top_p_on_a_large_vocabulary_stays_inside_the_nucleus()
    {
        const float topP = 0.9f;
        const float temperature = 0.7f;
        float[] logits = RandomLogits(49152, 5);
        double[] weights = [.. logits.Select(l => Math.Exp((l - logits.Max()) / temperature))];
        double total = weights.Sum();
        var nucleus = new HashSet<int>();
        double cumulative = 0;
        foreach (int id in Enumerable.Range(0, weights.Length).OrderByDescending(i => weights[i]).ThenBy(i => i))
        {
            nucleus.Add(id);
            cumulative += weights[id] / total;
            if (cumulative >= topP)
            {
                break;
            }
        }

        var sampler = new Sampler(new SamplingParameters { TopP = topP, Temperature = temperature, Seed = 5 }, logits.Length);
        const int draws = 500;
        var drawn = Enumerable.Range(0, draws).Select(_ => sampler.Sample(logits).Id).ToHashSet();

        Assert.IsTrue(drawn.IsSubsetOf(nucleus), $"{drawn.Except(nucleus).Count()} tokens outside a nucleus of {nucleus.Count}");
        Assert.IsGreaterThan(Math.Min(nucleus.Count, draws) / 4, drawn.Count, "the draws should spread over the nucleus");
    }

    [TestMethod]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_seen_tokens()
    {
        var parameters = new SamplingParameters { Temperature = 0, RepetitionPenalty = 2f, Logprobs = true, TopLogprobs = 4 };
        var sampler = new Sampler(parameters, 4, promptTokenIds: [0, 1]);

        SampledToken token = sampler.Sample([2f, -1f, 0.5f, 1.5f]);

        // Penalised: [1, -2, 0.5, 1.5] -> argmax is token 3 now, not 0.
        Assert.AreEqual(3, token.Id);
        AssertLogits([1f, -2f, 0.5f, 1.5f], token);
    }

    [TestMethod]
    public void Frequency_and_presence_penalties_subtract_per_output_count()
    {
        var parameters = new SamplingParameters { Temperature = 0, FrequencyPenalty = 0.5f, PresencePenalty = 0.25f, Logprobs = true, TopLogprobs = 4 };
        var sampler = new Sampler(parameters, 4, promptTokenIds: [1]);
        float[] logits = [3f, 2.9f, 0f, 0f];

        var tokens = Enumerable.Range(0, 4).Select(_ => sampler.Sample(logits)).ToList();

        // Counts before each step: {}, {0:1}, {0:1,1:1}, {0:2,1:1}; the prompt token 1 is not penalised.
        CollectionAssert.AreEqual(new[] { 0, 1, 0, 1 }, tokens.Select(t => t.Id).ToArray());
        AssertLogits([2.25f, 2.9f, 0f, 0f], tokens[1]);
        AssertLogits([1.75f, 2.15f, 0f, 0f], tokens[3]);
    }

    [TestMethod]
    public void Logprobs_are_a_distribution_at_temperature_one()
    {
        float[] logits = RandomLogits(20, 9);
        var cold = new Sampler(new SamplingParameters { Temperature = 0.3f, Seed = 1, Logprobs = true, TopLogprobs = 20 }, 20);
        var greedy = new Sampler(new SamplingParameters { Temperature = 0, Logprobs = true, TopLogprobs = 20 }, 20);

        SampledToken token = cold.Sample(logits);
        SampledToken reference = greedy.Sample(logits);

        Assert.AreEqual(1.0, token.TopLogprobs.Sum(t => Math.Exp(t.Logprob)), 1e-5);
        Assert.AreEqual(token.TopLogprobs.Single(t => t.Id == token.Id).Logprob, token.Logprob, 1e-6f);
        CollectionAssert.AreEqual(reference.TopLogprobs.ToArray(), token.TopLogprobs.ToArray(), "temperature must not change logprobs");
        Assert.IsTrue(token.TopLogprobs.Zip(token.TopLogprobs.Skip(1)).All(p => p.First.Logprob >= p.Second.Logprob), "most likely first");
    }

    [TestMethod]
    public void Without_logprobs_none_are_computed()
    {
        SampledToken token = new Sampler(new SamplingParameters { Seed = 1 }, 8).Sample(SmallLogits);

        Assert.IsTrue(float.IsNaN(token.Logprob));
        Assert.IsEmpty(token.TopLogprobs);
    }

    [TestMethod]
    [DataRow(nameof(SamplingParameters.Temperature), -0.1f)]
    [DataRow(nameof(SamplingParameters.Temperature), float.NaN)]
    [DataRow(nameof(SamplingParameters.TopP), 0f)]
    [DataRow(nameof(SamplingParameters.TopP), 1.1f)]
    [DataRow(nameof(SamplingParameters.TopK), -1f)]
    [DataRow(nameof(SamplingParameters.MinP), 1.5f)]
    [DataRow(nameof(SamplingParameters.RepetitionPenalty), 0f)]
    [DataRow(nameof(SamplingParameters.FrequencyPenalty), 2.5f)]
    [DataRow(nameof(SamplingParameters.PresencePenalty), -3f)]
    [DataRow(nameof(SamplingParameters.TopLogprobs), 21f)]
    public void Invalid_parameter_throws_naming_it(string name, float value)
    {
        var parameters = name switch
        {
            nameof(SamplingParameters.Temperature) => new SamplingParameters { Temperature = value },
            nameof(SamplingParameters.TopP) => new SamplingParameters { TopP = value },
            nameof(SamplingParameters.TopK) => new SamplingParameters { TopK = (int)value },
            nameof(SamplingParameters.MinP) => new SamplingParameters { MinP = value },
            nameof(SamplingParameters.RepetitionPenalty) => new SamplingParameters { RepetitionPenalty = value },
            nameof(SamplingParameters.FrequencyPenalty) => new SamplingParameters { FrequencyPenalty = value },
            nameof(SamplingParameters.PresencePenalty) => new SamplingParameters { PresencePenalty = value },
            _ => new SamplingParameters { TopLogprobs = (int)value, Logprobs = true },
        };

        var ex = Assert.ThrowsExactly<ArgumentException>(() => new Sampler(parameters, 8));

        Assert.AreEqual(name, ex.ParamName);
    }

    [TestMethod]
    public void Top_logprobs_without_logprobs_throws() =>
        Assert.ThrowsExactly<ArgumentException>(() => new Sampler(new SamplingParameters { TopLogprobs = 2 }, 8));

    [TestMethod]
    public void Logits_of_the_wrong_length_throw() =>
        Assert.ThrowsExactly<ArgumentException>(() => new Sampler(new SamplingParameters(), 8).Sample(new float[7]));

    /// <summary>The returned logprobs differ by exactly the expected penalised logits' differences.</summary>
    [TestMethod]
    public void Logit_bias_of_100_forces_a_token_and_minus_100_bans_the_favourite()
    {
        var forced = new Sampler(new SamplingParameters { Seed = 5, LogitBias = new Dictionary<int, float> { [7] = 100f } }, 8);
        var banned = new Sampler(new SamplingParameters { Temperature = 0, LogitBias = new Dictionary<int, float> { [0] = -100f } }, 8);

        for (int step = 0; step < 50; step++)
        {
            Assert.AreEqual(7, forced.Sample(SmallLogits).Id, "token 7 (probability 0.02) with +100");
        }

        Assert.AreEqual(1, banned.Sample(SmallLogits).Id, "greedy skips the banned favourite for the runner-up");
    }

    [TestMethod]
    public void Logit_bias_shifts_the_reported_logprobs()
    {
        var plain = new Sampler(new SamplingParameters { Temperature = 0, Logprobs = true, TopLogprobs = 2 }, 8);
        var biased = new Sampler(new SamplingParameters
        {
            Temperature = 0,
            Logprobs = true,
            TopLogprobs = 2,
            LogitBias = new Dictionary<int, float> { [2] = 0.6f },
        }, 8);

        SampledToken before = plain.Sample(SmallLogits);
        SampledToken after = biased.Sample(SmallLogits);

        // Token 2's logit rises by 0.6: above token 1 (log 0.15 + 0.6 > log 0.25), still below token 0 (log 0.30).
        Assert.AreEqual(0, after.Id);
        Assert.AreEqual(1, before.TopLogprobs[1].Id);
        Assert.AreEqual(2, after.TopLogprobs[1].Id);
        Assert.IsLessThan(before.Logprob, after.Logprob, "more mass on token 2 leaves less for the chosen token");
    }

    [TestMethod]
    public void Logit_bias_outside_the_vocabulary_or_range_is_rejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() =>
            new Sampler(new SamplingParameters { LogitBias = new Dictionary<int, float> { [8] = 1f } }, 8));
        Assert.ThrowsExactly<ArgumentException>(() =>
            new Sampler(new SamplingParameters { LogitBias = new Dictionary<int, float> { [1] = 100.5f } }, 8));
        Assert.ThrowsExactly<ArgumentException>(() =>
            new Sampler(new SamplingParameters { LogitBias = new Dictionary<int, float> { [-1] = 1f } }, 8));
    }

    private static void AssertLogits(float[] expected, SampledToken token)
    {
        var logprob = token.TopLogprobs.ToDictionary(t => t.Id, t => t.Logprob);
        for (int id = 1; id < expected.Length; id++)
        {
            Assert.AreEqual(expected[id] - expected[0], logprob[id] - logprob[0], 1e-5f, $"token {id}");
        }
    }

    private static float[] RandomLogits(int vocabSize, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, vocabSize).Select(_ => (float)(random.NextDouble() * 12 - 6))];
    }
}
