namespace Dnet.Perf;

/// <summary>
/// Headline numbers of one request, on the gateway's clock. With n tokens emitted to the client at times
/// t_1..t_n, root start t_start and end t_end: TTFT = t_1 - t_start; ITL = the n-1 gaps t_(i+1) - t_i;
/// TPOT = (end-to-end - TTFT)/(n-1); decode tokens/s = (n-1)/(t_n - t_1); overall tokens/s = n/(t_end - t_start).
/// A value that is undefined (n too small, request incomplete, zero interval) is null, never NaN.
/// </summary>
/// <param name="RequestId">Request id (<c>dnet.request_id</c>).</param>
/// <param name="TraceId">The W3C trace id of the request (from its root span); null while incomplete.</param>
/// <param name="TraceUrl">The trace in the Aspire dashboard, when analytics knows the dashboard's address.</param>
/// <param name="Complete">Whether the gateway's root span has arrived.</param>
/// <param name="Model">Requested model.</param>
/// <param name="FinishReasons">Finish reasons reported by the gateway.</param>
/// <param name="Status">Root span status; null while incomplete.</param>
/// <param name="PromptTokens">Prompt tokens (<c>gen_ai.usage.input_tokens</c>).</param>
/// <param name="GeneratedTokens">Generated tokens (<c>gen_ai.usage.output_tokens</c>, else the tokens emitted).</param>
/// <param name="TotalTokens">Prompt plus generated tokens.</param>
/// <param name="EmittedTokens">n: <c>request.token</c> spans seen.</param>
/// <param name="Start">Request received (root start).</param>
/// <param name="EndToEndMs">Root duration: request received to request finished.</param>
/// <param name="TtftMs">Time to first token.</param>
/// <param name="InterTokenLatency">The n-1 inter-token gaps.</param>
/// <param name="TpotMs">Time per output token after the first.</param>
/// <param name="DecodeTokensPerSecond">Decode rate.</param>
/// <param name="OverallTokensPerSecond">Overall rate.</param>
/// <param name="EstimatedFlops">Sum of <c>dnet.flops</c> over the request's <c>compute.forward</c> frames.</param>
/// <param name="AchievedGflopsPerSecond">Estimated FLOPs over the compute-group self time of all nodes.</param>
/// <param name="Nodes">
/// Per node breakdown, by node name. Every span of the request's trace is charged to the request, whether its emitter
/// tagged it or it inherits the request from its nearest ancestor.
/// </param>
/// <param name="SpanCount">Spans of the request kept by the store.</param>
/// <param name="EvictedSpans">Spans of the request already evicted by retention (stats are partial when non-zero).</param>
/// <param name="UnattributedSpans">
/// Spans in the request's trace whose ancestor has not arrived yet, so they are not charged to the request (yet).
/// </param>
/// <param name="Notes">Why fields are missing or partial.</param>
public sealed record RequestStats(
    string RequestId,
    string? TraceId,
    string? TraceUrl,
    bool Complete,
    string? Model,
    string? FinishReasons,
    SpanStatus? Status,
    long? PromptTokens,
    long? GeneratedTokens,
    long? TotalTokens,
    int EmittedTokens,
    DateTimeOffset? Start,
    double? EndToEndMs,
    double? TtftMs,
    LatencySummary? InterTokenLatency,
    double? TpotMs,
    double? DecodeTokensPerSecond,
    double? OverallTokensPerSecond,
    double? EstimatedFlops,
    double? AchievedGflopsPerSecond,
    IReadOnlyList<NodeStats> Nodes,
    long SpanCount,
    long EvictedSpans,
    long UnattributedSpans,
    IReadOnlyList<string> Notes)
{
    /// <summary>Renders the stats as text (default) or JSON; Markdown and HTML fall back to text.</summary>
    /// <param name="format">Output format.</param>
    public string Render(ReportFormat format = ReportFormat.Text) =>
        format == ReportFormat.Json ? ReportJson.Serialize(this) : RequestStatsTextRenderer.Render(this);
}
