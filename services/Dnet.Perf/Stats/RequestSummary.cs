namespace Dnet.Perf;

/// <summary>One line of the recent-requests list; definitions as in <see cref="RequestStats"/>.</summary>
/// <param name="RequestId">Request id.</param>
/// <param name="Complete">Whether the root span has arrived.</param>
/// <param name="Model">Requested model.</param>
/// <param name="Start">Request received, or the earliest span start while incomplete.</param>
/// <param name="EndToEndMs">End-to-end latency.</param>
/// <param name="TtftMs">Time to first token.</param>
/// <param name="PromptTokens">Prompt tokens.</param>
/// <param name="GeneratedTokens">Generated tokens.</param>
/// <param name="DecodeTokensPerSecond">Decode rate.</param>
/// <param name="OverallTokensPerSecond">Overall rate.</param>
/// <param name="SpanCount">Spans kept.</param>
public sealed record RequestSummary(
    string RequestId,
    bool Complete,
    string? Model,
    DateTimeOffset? Start,
    double? EndToEndMs,
    double? TtftMs,
    long? PromptTokens,
    long? GeneratedTokens,
    double? DecodeTokensPerSecond,
    double? OverallTokensPerSecond,
    long SpanCount)
{
    internal static RequestSummary From(RequestStats stats, DateTimeOffset? firstSpan) => new(
        stats.RequestId,
        stats.Complete,
        stats.Model,
        stats.Start ?? firstSpan,
        stats.EndToEndMs,
        stats.TtftMs,
        stats.PromptTokens,
        stats.GeneratedTokens,
        stats.DecodeTokensPerSecond,
        stats.OverallTokensPerSecond,
        stats.SpanCount);
}
