namespace Dnet.Perf;

/// <summary>
/// Realistic span sets for benchmarks and demos: requests through a gateway and a ring of shards, with nested
/// compute frames, network frames with bytes, waits, per-token spans, and one model load that belongs to no
/// request. Deterministic for a given seed.
/// </summary>
public static class SyntheticWorkload
{
    /// <summary>Spans of <paramref name="requests"/> requests of <paramref name="tokens"/> tokens each.</summary>
    /// <param name="requests">Number of requests.</param>
    /// <param name="tokens">Tokens generated per request.</param>
    /// <param name="shards">Shards in the ring.</param>
    /// <param name="seed">Random seed for durations.</param>
    public static IEnumerable<SpanRecord> Generate(int requests, int tokens = 32, int shards = 2, int seed = 1)
    {
        var random = new Random(seed);
        var clock = 1_700_000_000_000_000_000L;
        var ids = 0L;
        string NextId() => (++ids).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

        for (var s = 0; s < shards; s++)
        {
            yield return Span("startup-" + s, NextId(), null, "memory.model.load", "shard-" + s, clock, 50_000_000, []);
        }

        for (var r = 0; r < requests; r++)
        {
            var trace = $"{r + 1:x32}";
            var requestId = $"chatcmpl-{r + 1}";
            var rootId = NextId();
            var start = clock;
            var t = start + 2_000_000;
            for (var k = 0; k < tokens; k++)
            {
                for (var s = 0; s < shards; s++)
                {
                    var node = "shard-" + s;
                    var wait = 100_000 + random.Next(200_000);
                    yield return Span(trace, NextId(), rootId, "network.rx.wait", node, t, wait, Tags(requestId));
                    t += wait;
                    var forwardId = NextId();
                    var forward = 3_000_000 + random.Next(2_000_000);
                    yield return Span(trace, forwardId, rootId, "compute.forward", node, t, forward,
                        Tags(requestId, (SpanAttributes.Flops, 2e9)));
                    yield return Span(trace, NextId(), forwardId, "compute.thread.execute", node, t + 100_000, forward - 300_000, Tags(requestId));
                    t += forward;
                    yield return Span(trace, NextId(), rootId, "network.tx", node, t, 200_000, Tags(requestId, (SpanAttributes.Bytes, 8192)));
                    t += 200_000;
                }

                yield return Span(trace, NextId(), rootId, SpanAttributes.TokenFrame, "gateway", t, 50_000,
                    Tags(requestId, (SpanAttributes.TokenIndex, k)));
                t += 50_000;
            }

            clock = t + 1_000_000;
            yield return Span(trace, rootId, null, "chat synthetic", "gateway", start, clock - start, Tags(
                requestId,
                (SpanAttributes.OperationName, SpanAttributes.ChatOperation),
                (SpanAttributes.RequestModel, "synthetic"),
                (SpanAttributes.InputTokens, 16),
                (SpanAttributes.OutputTokens, tokens)));
        }
    }

    /// <summary>Times one annotate over at least <paramref name="spanCount"/> synthetic spans (ingest not timed).</summary>
    /// <param name="spanCount">Approximate number of spans to generate.</param>
    /// <returns>Elapsed time of the annotate call, and the table it produced.</returns>
    public static (TimeSpan Elapsed, AnnotateTable Table) TimeAnnotate(int spanCount)
    {
        const int Tokens = 32;
        const int Shards = 2;
        var perRequest = 1 + Tokens * (1 + (Shards * 4));
        using var store = new SpanStore(new SpanStoreOptions { MaxSpans = Math.Max(spanCount * 2, 1), MaxAge = null });
        store.Add(Generate(Math.Max(1, spanCount / perRequest), Tokens, Shards));
        var analyzer = new PerfAnalyzer(store);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var table = analyzer.Annotate();
        return (watch.Elapsed, table);
    }

    private static Dictionary<string, object?> Tags(string requestId, params (string Key, object Value)[] more)
    {
        var tags = new Dictionary<string, object?> { [SpanAttributes.RequestId] = requestId };
        foreach (var (key, value) in more)
        {
            tags[key] = value;
        }

        return tags;
    }

    private static SpanRecord Span(
        string trace, string id, string? parent, string name, string node, long start, long duration, Dictionary<string, object?> tags) => new()
        {
            TraceId = trace,
            SpanId = id,
            ParentSpanId = parent,
            Name = name,
            Node = node,
            StartUnixNs = start,
            DurationNs = duration,
            Attributes = tags,
        };
}
