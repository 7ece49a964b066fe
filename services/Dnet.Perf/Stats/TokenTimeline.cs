namespace Dnet.Perf;

/// <summary>
/// Token-rate definitions from emission times on the gateway's clock (see <see cref="RequestStats"/>).
/// Every value is null where its definition needs more tokens, a root, or a non-zero interval.
/// </summary>
internal sealed class TokenTimeline
{
    public TokenTimeline(RequestRoot? root, List<long> emissionNs)
    {
        emissionNs.Sort();
        var n = emissionNs.Count;
        if (root is not null)
        {
            EndToEndNs = root.DurationNs;
            TtftNs = n > 0 ? emissionNs[0] - root.StartNs : null;
            OverallTokensPerSecond = root.DurationNs > 0 ? n / Seconds(root.DurationNs) : null;
            TpotMs = n > 1 && TtftNs is { } ttft ? UnixTime.Ms(root.DurationNs - ttft) / (n - 1) : null;
        }

        var gaps = new List<long>(Math.Max(0, n - 1));
        for (var i = 1; i < n; i++)
        {
            gaps.Add(emissionNs[i] - emissionNs[i - 1]);
        }

        InterTokenLatency = LatencySummary.FromNs(gaps);
        var decodeNs = n > 1 ? emissionNs[^1] - emissionNs[0] : 0;
        DecodeTokensPerSecond = decodeNs > 0 ? (n - 1) / Seconds(decodeNs) : null;
    }

    public long? EndToEndNs { get; }

    public long? TtftNs { get; }

    public LatencySummary? InterTokenLatency { get; }

    public double? TpotMs { get; }

    public double? DecodeTokensPerSecond { get; }

    public double? OverallTokensPerSecond { get; }

    private static double Seconds(long ns) => ns / 1e9;
}
