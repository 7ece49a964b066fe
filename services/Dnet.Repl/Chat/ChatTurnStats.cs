using System.Globalization;

namespace Dnet.Repl.Chat;

/// <summary>
/// Client-side timing of one streamed answer. TTFT is first token received minus request sent (so it includes the
/// network both ways, unlike the gateway's server-side TTFT in <c>perf stats</c>); decode rate is (n-1) tokens over the
/// time from the first to the last token, overall rate is n tokens over send to end of stream. Both are shown: a burst
/// of buffered chunks (the first answer after a cold start) makes the decode rate alone look absurd.
/// </summary>
/// <param name="Tokens">Generated tokens: the usage the gateway reported, else the number of content chunks.</param>
/// <param name="TimeToFirstToken">First content chunk minus send; null when nothing was generated.</param>
/// <param name="FirstToLast">Time from the first to the last content chunk.</param>
/// <param name="Total">Send to end of stream.</param>
internal sealed record ChatTurnStats(int Tokens, TimeSpan? TimeToFirstToken, TimeSpan FirstToLast, TimeSpan Total)
{
    public double? DecodeTokensPerSecond => Tokens > 1 && FirstToLast > TimeSpan.Zero ? (Tokens - 1) / FirstToLast.TotalSeconds : null;

    public double OverallTokensPerSecond => Total > TimeSpan.Zero ? Tokens / Total.TotalSeconds : 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"TTFT {Ms(TimeToFirstToken)} | {OverallTokensPerSecond:0.0} tokens/s ({(DecodeTokensPerSecond is { } rate ? $"{rate:0.0}" : "-")} decode) | {Tokens} tokens | {Total.TotalMilliseconds:0} ms total");

    private static string Ms(TimeSpan? time) => time is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms") : "-";
}
