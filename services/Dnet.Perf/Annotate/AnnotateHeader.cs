namespace Dnet.Perf;

/// <summary>What an annotate table covers and how its numbers were computed.</summary>
/// <param name="Scope">The filters, e.g. <c>last 5 requests (5 found), node=shard-0</c>, or <c>all spans</c>.</param>
/// <param name="SpanCount">Spans counted in the rows.</param>
/// <param name="From">Earliest start among those spans.</param>
/// <param name="To">Latest end among those spans.</param>
/// <param name="WallMs">The scope's wall time, the denominator of <see cref="AnnotateRow.SelfPercent"/>.</param>
/// <param name="WallBasis">
/// How <see cref="WallMs"/> was measured: the union of the root intervals of the requests in scope (gateway
/// clock; a request whose root has not arrived contributes the range of its spans) when a request filter is set,
/// otherwise the time range of the spans in scope.
/// </param>
/// <param name="PercentileMethod">Percentile method.</param>
/// <param name="SelfTimeRule">How self time is computed.</param>
/// <param name="Sort">Row order.</param>
/// <param name="ExcludeWait">Whether idle <c>.wait</c> frames were dropped.</param>
public sealed record AnnotateHeader(
    string Scope,
    long SpanCount,
    DateTimeOffset? From,
    DateTimeOffset? To,
    double WallMs,
    string WallBasis,
    string PercentileMethod,
    string SelfTimeRule,
    AnnotateSort Sort,
    bool ExcludeWait);
