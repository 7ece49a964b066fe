using Dnet.Benchmarks.Shared;

namespace Dnet.Benchmarks.Tracing;

/// <summary>
/// Decode tokens/s with tracing on and off on one cluster, in alternating rounds (on-off, off-on, ...) so that drift in
/// the machine's load falls on both states alike.
/// </summary>
static class TracingOverhead
{
    const double Target = 0.97;

    public static async Task<OverheadResult> RunAsync(HttpClient gateway, ChatLoad load, int rounds, int requestsPerRound, CancellationToken cancellationToken)
    {
        bool initial = await TraceSwitch.IsEnabledAsync(gateway, cancellationToken);
        var samples = new Dictionary<bool, List<DecodeSample>> { [true] = [], [false] = [] };
        for (int round = 0; round < rounds; round++)
        {
            foreach (bool enabled in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                await TraceSwitch.SetAsync(gateway, enabled, cancellationToken);
                var sample = await DecodeAsync(gateway, load, requestsPerRound, seedBase: round * requestsPerRound, cancellationToken);
                samples[enabled].Add(sample);
                Console.Error.WriteLine($"tracing: round {round + 1}/{rounds}, tracing {(enabled ? "on" : "off")}: {sample.TokensPerS} decode tok/s");
            }
        }

        await TraceSwitch.SetAsync(gateway, initial, cancellationToken);
        double on = Rate(samples[true]), off = Rate(samples[false]);
        double ratio = Math.Round(on / off, 4);
        Console.Error.WriteLine($"tracing: on {on} tok/s, off {off} tok/s, on/off {ratio} (target >= {Target}: {(ratio >= Target ? "met" : "NOT met")})");
        return new OverheadResult(rounds, requestsPerRound, load.MaxTokens, on, off,
            [.. samples[true].Select(s => s.TokensPerS)], [.. samples[false].Select(s => s.TokensPerS)],
            ratio, Target, ratio >= Target);
    }

    /// <summary>Sequential requests; decode time is end-to-end minus time to first token, so prefill is left out.</summary>
    static async Task<DecodeSample> DecodeAsync(HttpClient gateway, ChatLoad load, int requests, int seedBase, CancellationToken cancellationToken)
    {
        long tokens = 0;
        double milliseconds = 0;
        for (int i = 0; i < requests; i++)
        {
            var timing = await ChatStream.SendAsync(gateway, load, seedBase + i, cancellationToken);
            tokens += Math.Max(0, timing.OutputTokens - 1);
            milliseconds += timing.E2eMs - timing.TtftMs;
        }

        return new DecodeSample(tokens, milliseconds, Math.Round(tokens / (milliseconds / 1000), 2));
    }

    /// <summary>Tokens over time summed across rounds, so a longer round weighs more than a mean of rates would let it.</summary>
    static double Rate(List<DecodeSample> samples) =>
        Math.Round(samples.Sum(s => s.Tokens) / (samples.Sum(s => s.Milliseconds) / 1000), 2);

    sealed record DecodeSample(long Tokens, double Milliseconds, double TokensPerS);
}

/// <summary>Tracing on versus off: decode tokens/s over all rounds of each state, and per round.</summary>
sealed record OverheadResult(
    int RoundsPerState,
    int RequestsPerRound,
    int MaxTokens,
    double DecodeTokensPerSOn,
    double DecodeTokensPerSOff,
    IReadOnlyList<double> RoundsOn,
    IReadOnlyList<double> RoundsOff,
    double RatioOnOverOff,
    double Target,
    bool TargetMet);
