namespace Dnet.Perf;

/// <summary>
/// A <see cref="SpanQuery"/> resolved against the store: the traces to walk (whole traces, because a span's
/// self time depends on children the filters may exclude) and the predicate a span must pass to be counted.
/// </summary>
internal sealed class ScopeSelection
{
    private readonly HashSet<int>? requestSlots;
    private readonly bool[] nameMatches;
    private readonly int node;
    private readonly int service;
    private readonly long sinceNs;
    private readonly long untilNs;

    public ScopeSelection(SpanStore store, SpanQuery query, IReadOnlyList<RequestEntry>? requests, IReadOnlyList<TraceEntry> traces)
    {
        Requests = requests;
        Traces = traces;
        requestSlots = requests is null ? null : [.. requests.Select(entry => entry.Slot)];
        nameMatches = new bool[store.Names.Count];
        for (var id = 0; id < nameMatches.Length; id++)
        {
            nameMatches[id] = query.NamePrefix is not { } prefix || store.Names[id].StartsWith(prefix, StringComparison.Ordinal);
        }

        node = query.Node is null ? int.MinValue : store.Nodes.Find(query.Node);
        service = query.Service is null ? int.MinValue : store.Services.Find(query.Service);
        sinceNs = query.Since is { } since ? UnixTime.ToNs(since) : long.MinValue;
        untilNs = query.Until is { } until ? UnixTime.ToNs(until) : long.MaxValue;
    }

    /// <summary>Requests in scope, or null when the query has no request filter.</summary>
    public IReadOnlyList<RequestEntry>? Requests { get; }

    public IReadOnlyList<TraceEntry> Traces { get; }

    public bool Matches(in StoredSpan span) =>
        nameMatches[span.Name]
        && (node == int.MinValue || span.Node == node)
        && (service == int.MinValue || span.Service == service)
        && span.StartNs >= sinceNs
        && span.StartNs < untilNs
        && (requestSlots is null || requestSlots.Contains(span.Request));
}
