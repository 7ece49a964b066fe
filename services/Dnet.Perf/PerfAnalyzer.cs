namespace Dnet.Perf;

/// <summary>
/// The analysis entry point a host registers next to its <see cref="SpanStore"/>: annotate tables, request
/// stats and the recent-requests list. Stateless apart from <see cref="Groups"/>; thread-safe.
/// </summary>
/// <param name="store">Spans to analyse.</param>
/// <param name="groups">Counter groups; the built-in ones when null.</param>
/// <param name="dashboardUrl">Base address of the Aspire dashboard, for links to a request's trace; none when null.</param>
public sealed class PerfAnalyzer(SpanStore store, FrameGroups? groups = null, string? dashboardUrl = null)
{
    /// <summary>The store analysed.</summary>
    public SpanStore Store { get; } = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Counter groups used by request stats; add custom ones at run time.</summary>
    public FrameGroups Groups { get; } = groups ?? new FrameGroups();

    /// <summary>Adds a custom counter group (see <see cref="FrameGroups.AddGroup"/> for the matching rules).</summary>
    /// <param name="name">Group name.</param>
    /// <param name="prefixes">Dotted frame-name prefixes.</param>
    public void AddGroup(string name, params IEnumerable<string> prefixes) => Groups.AddGroup(name, prefixes);

    /// <summary>A <c>perf annotate</c>-style table of the spans in scope.</summary>
    /// <param name="query">Scope, sort and wait handling; everything when null.</param>
    public AnnotateTable Annotate(AnnotateQuery? query = null) => AnnotateBuilder.Build(Store, query ?? new AnnotateQuery());

    /// <summary>Stats of one request, or null when the store has no span of it.</summary>
    /// <param name="requestId">The request id (<c>dnet.request_id</c>).</param>
    public RequestStats? RequestStats(string requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        using var read = Store.BeginRead();
        return Store.FindRequest(requestId) is { } request ? RequestStatsBuilder.Build(Store, Groups, request, dashboardUrl) : null;
    }

    /// <summary>Stats of the most recently completed request, or null when none has completed.</summary>
    public RequestStats? LastRequestStats() =>
        Store.LastCompletedRequests(1) is [var id] ? RequestStats(id) : null;

    /// <summary>The most recent requests, latest start first, incomplete ones included (and marked).</summary>
    /// <param name="count">How many at most.</param>
    public IReadOnlyList<RequestSummary> RecentRequests(int count = 20)
    {
        using var read = Store.BeginRead();
        return [.. Store.AllRequests()
            .Select(request => (Request: request, Start: StartNs(request)))
            .OrderByDescending(item => item.Start)
            .ThenBy(item => item.Request.Id, StringComparer.Ordinal)
            .Take(Math.Max(0, count))
            .Select(item => RequestSummary.From(
                RequestStatsBuilder.Build(Store, Groups, item.Request, dashboardUrl), UnixTime.FromNs(item.Start)))];
    }

    private long StartNs(RequestEntry request) =>
        request.Root?.StartNs ?? request.Spans.Select(seq => Store.Arena[seq].StartNs).DefaultIfEmpty().Min();
}
