namespace Dnet.Perf;

/// <summary>Computes an <see cref="AnnotateTable"/> from the store under its read lock.</summary>
internal static class AnnotateBuilder
{
    public static AnnotateTable Build(SpanStore store, AnnotateQuery query)
    {
        using var read = store.BeginRead();
        var scope = store.Select(query);
        var arena = store.Arena;
        var frames = new FrameTotals[store.Names.Count];
        var isWait = new bool[frames.Length];
        for (var id = 0; id < frames.Length; id++)
        {
            isWait[id] = SpanAttributes.IsWait(store.Names[id]);
        }

        var calculator = new SelfTimeCalculator(query.SelfTime);
        long spanCount = 0;
        var first = long.MaxValue;
        var last = long.MinValue;
        foreach (var trace in scope.Traces)
        {
            calculator.Compute(arena, trace);
            for (var i = 0; i < calculator.Count; i++)
            {
                ref var span = ref arena[calculator.Seqs[i]];
                if (!scope.Matches(span) || (query.ExcludeWait && isWait[span.Name]))
                {
                    continue;
                }

                (frames[span.Name] ??= new FrameTotals()).Add(span.DurationNs, calculator.SelfNs[i]);
                spanCount++;
                first = Math.Min(first, span.StartNs);
                last = Math.Max(last, span.EndNs);
            }
        }

        var wallNs = scope.Requests is { } requests ? RequestWallNs(store, requests) : Math.Max(0, last - first);
        var rows = new List<AnnotateRow>();
        for (var id = 0; id < frames.Length; id++)
        {
            if (frames[id] is { } totals)
            {
                rows.Add(totals.ToRow(store.Names[id], isWait[id], wallNs));
            }
        }

        rows.Sort(Comparer(query.Sort));
        var header = new AnnotateHeader(
            Describe(query, scope),
            spanCount,
            spanCount == 0 ? null : UnixTime.FromNs(first),
            spanCount == 0 ? null : UnixTime.FromNs(last),
            UnixTime.Ms(wallNs),
            scope.Requests is null ? "time range of the spans in scope" : "union of the request root intervals in scope",
            Percentiles.Method,
            SelfTimeCalculator.Rule(query.SelfTime),
            query.Sort,
            query.ExcludeWait);
        return new AnnotateTable(header, rows);
    }

    private static long RequestWallNs(SpanStore store, IReadOnlyList<RequestEntry> requests)
    {
        var intervals = new List<(long Start, long End)>();
        foreach (var request in requests)
        {
            if (request.Root is { } root)
            {
                intervals.Add((root.StartNs, root.EndNs));
            }
            else if (request.Spans.Count > 0)
            {
                var spans = request.Spans.Select(seq => store.Arena[seq]).ToList();
                intervals.Add((spans.Min(s => s.StartNs), spans.Max(s => s.EndNs)));
            }
        }

        intervals.Sort();
        long wall = 0;
        var end = long.MinValue;
        foreach (var (start, stop) in intervals)
        {
            var from = Math.Max(start, end);
            if (stop > from)
            {
                wall += stop - from;
            }

            end = Math.Max(end, stop);
        }

        return wall;
    }

    private static Comparison<AnnotateRow> Comparer(AnnotateSort sort) => sort switch
    {
        AnnotateSort.Total => (a, b) => Descending(a.TotalMs, b.TotalMs, a, b),
        AnnotateSort.Samples => (a, b) => Descending(a.Samples, b.Samples, a, b),
        AnnotateSort.Max => (a, b) => Descending(a.MaxMs, b.MaxMs, a, b),
        AnnotateSort.Name => (a, b) => string.CompareOrdinal(a.Name, b.Name),
        _ => (a, b) => Descending(a.SelfMs, b.SelfMs, a, b),
    };

    private static int Descending<T>(T x, T y, AnnotateRow a, AnnotateRow b)
        where T : IComparable<T>
    {
        var byKey = y.CompareTo(x);
        return byKey != 0 ? byKey : string.CompareOrdinal(a.Name, b.Name);
    }

    private static string Describe(AnnotateQuery query, ScopeSelection scope)
    {
        var parts = new List<string>();
        if (query.LastRequests is { } last)
        {
            parts.Add($"last {last} requests ({scope.Requests!.Count} found)");
        }

        if (query.RequestId is { } id)
        {
            parts.Add($"request={id}{(scope.Requests!.Count == 0 ? " (not found)" : "")}");
        }

        if (parts.Count == 0)
        {
            parts.Add("all spans");
        }

        AddFilter(parts, "node", query.Node);
        AddFilter(parts, "service", query.Service);
        AddFilter(parts, "name^", query.NamePrefix);
        AddFilter(parts, "since", query.Since?.UtcDateTime.ToString("O"));
        AddFilter(parts, "until", query.Until?.UtcDateTime.ToString("O"));
        if (query.ExcludeWait)
        {
            parts.Add("exclude_wait");
        }

        return string.Join(", ", parts);
    }

    private static void AddFilter(List<string> parts, string key, string? value)
    {
        if (value is not null)
        {
            parts.Add($"{key}={value}");
        }
    }
}
