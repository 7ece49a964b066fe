using System.Globalization;

namespace Dnet.Repl.Chat;

/// <summary>
/// Client-side timing of one streamed answer. TTFT is first token received minus request sent (so it includes the
/// network both ways, unlike the gateway's server-side TTFT in <c>perf stats</c>); decode rate is (n-1) tokens over the
/// time from the first to the last token.
/// </summary>
/// <param name="Tokens">Generated tokens: the usage the gateway reported, else the number of content chunks.</param>
/// <param name="TimeToFirstToken">First content chunk minus send; null when nothing was generated.</param>
/// <param name="FirstToLast">Time from the first to the last content chunk.</param>
/// <param name="Total">Send to end of stream.</param>
internal sealed record ChatTurnStats(int Tokens, TimeSpan? TimeToFirstToken, TimeSpan FirstToLast, TimeSpan Total)
{
    public double? DecodeTokensPerSecond => Tokens > 1 && FirstToLast > TimeSpan.Zero ? (Tokens - 1) / FirstToLast.TotalSeconds : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"TTFT {Ms(TimeToFirstToken)} | {(DecodeTokensPerSecond is { } rate ? $"{rate:0.0}" : "-")} tokens/s (decode) | {Tokens} tokens | {Total.TotalMilliseconds:0} ms total");

    private static string Ms(TimeSpan? time) => time is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms") : "-";
}
