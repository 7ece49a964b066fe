namespace Dnet.Perf;

public sealed partial class SpanStore
{
    internal SpanArena Arena => arena;

    internal InternTable Names => names;

    internal InternTable Nodes => nodes;

    internal InternTable Services => services;

    /// <summary>The kept spans that match a query, ordered by start time.</summary>
    /// <param name="query">Filters.</param>
    /// <returns>
    /// The spans, with the attributes the store keeps (<c>dnet.request_id</c>, <c>dnet.bytes</c>,
    /// <c>dnet.flops</c>, <c>dnet.token_index</c>); non-hex span ids come back as their 64-bit hash.
    /// </returns>
    public IReadOnlyList<SpanRecord> Query(SpanQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var read = BeginRead();
        var scope = Select(query);
        var result = new List<SpanRecord>();
        foreach (var trace in scope.Traces)
        {
            foreach (var seq in trace.Spans)
            {
                ref var span = ref arena[seq];
                if (scope.Matches(span))
                {
                    result.Add(ToRecord(span, trace.Id));
                }
            }
        }

        result.Sort(static (a, b) => a.StartUnixNs.CompareTo(b.StartUnixNs));
        return result;
    }

    /// <summary>Ids of the most recently completed requests (root arrived), latest root end first.</summary>
    /// <param name="count">How many at most.</param>
    public IReadOnlyList<string> LastCompletedRequests(int count)
    {
        using var read = BeginRead();
        return [.. CompletedRequests(count).Select(entry => entry.Id)];
    }

    /// <summary>Ids of the kept requests that satisfy <paramref name="match"/> (complete or not).</summary>
    /// <param name="match">Test on a request id.</param>
    public IReadOnlyList<string> RequestIds(Func<string, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        using var read = BeginRead();
        return [.. AllRequests().Select(entry => entry.Id).Where(match)];
    }

    internal ReadScope BeginRead() => new(gate);

    internal RequestEntry? FindRequest(string requestId) =>
        requests.TryFind(requestId, out var slot) ? requests[slot] : null;

    internal IEnumerable<RequestEntry> AllRequests() => requests.Slots.Select(slot => requests[slot]);

    internal TraceEntry Trace(int slot) => traces[slot];

    internal ScopeSelection Select(SpanQuery query)
    {
        IReadOnlyList<RequestEntry>? inScope = null;
        if (query.IsRequestScoped)
        {
            var picked = query.LastRequests is { } last ? CompletedRequests(last).ToList() : [];
            if (query.RequestId is { } id)
            {
                var named = FindRequest(id);
                picked = query.LastRequests is null
                    ? (named is null ? [] : [named])
                    : [.. picked.Where(entry => entry == named)];
            }

            inScope = picked;
        }

        var traceSlots = inScope is null
            ? traces.Slots.ToList()
            : inScope.SelectMany(entry => entry.Spans).Select(seq => arena[seq].Trace).Distinct().ToList();
        traceSlots.Sort();
        return new ScopeSelection(this, query, inScope, [.. traceSlots.Select(slot => traces[slot])]);
    }

    private IEnumerable<RequestEntry> CompletedRequests(int count) => AllRequests()
        .Where(entry => entry.IsComplete)
        .OrderByDescending(entry => entry.Root!.EndNs)
        .ThenByDescending(entry => entry.CompletionOrder)
        .Take(Math.Max(0, count));

    private SpanRecord ToRecord(in StoredSpan span, string traceId)
    {
        var attributes = new Dictionary<string, object?>();
        if (span.Request >= 0)
        {
            attributes[SpanAttributes.RequestId] = requests[span.Request].Id;
        }

        if (span.Bytes != 0)
        {
            attributes[SpanAttributes.Bytes] = span.Bytes;
        }

        if (span.Flops != 0)
        {
            attributes[SpanAttributes.Flops] = span.Flops;
        }

        if (span.TokenIndex >= 0)
        {
            attributes[SpanAttributes.TokenIndex] = (long)span.TokenIndex;
        }

        return new SpanRecord
        {
            TraceId = traceId,
            SpanId = SpanIdCodec.Decode(span.SpanId),
            ParentSpanId = span.HasParent ? SpanIdCodec.Decode(span.ParentSpanId) : null,
            Name = names[span.Name],
            Node = nodes[span.Node],
            Service = services[span.Service],
            StartUnixNs = span.StartNs,
            DurationNs = span.DurationNs,
            Status = span.Status,
            Attributes = attributes,
        };
    }

    /// <summary>Holds the store's read lock for the duration of a query.</summary>
    internal readonly struct ReadScope : IDisposable
    {
        private readonly ReaderWriterLockSlim gate;

        public ReadScope(ReaderWriterLockSlim gate)
        {
            this.gate = gate;
            gate.EnterReadLock();
        }

        public void Dispose() => gate.ExitReadLock();
    }
}
