using System.Diagnostics;
using Dnet.Perf;

namespace Dnet.Benchmarks.Tracing;

/// <summary>
/// In-process annotate latency over a full store (about 1,000,000 spans of <see cref="SyntheticWorkload"/>): over every
/// span, and over the last 10 requests (what a dashboard asks for after a run). Median of a few runs each.
/// </summary>
static class AnnotateLatency
{
    const int Tokens = 32;
    const int Shards = 2;
    const int LastRequests = 10;

    public static AnnotateResult Run(int spanCount, int runs)
    {
        // Spans per request of the synthetic workload: the root plus, per token, 4 frames per shard and the token frame.
        int perRequest = 1 + (Tokens * (1 + (Shards * 4)));
        using var store = new SpanStore(new SpanStoreOptions { MaxSpans = spanCount * 2, MaxAge = null });
        store.Add(SyntheticWorkload.Generate(Math.Max(1, spanCount / perRequest), Tokens, Shards));
        var analyzer = new PerfAnalyzer(store);
        long stored = store.Counters.Stored;
        Console.Error.WriteLine($"tracing: annotate over {stored} stored spans, {runs} runs each");

        var all = Time(runs, () => analyzer.Annotate());
        var recent = Time(runs, () => analyzer.Annotate(new AnnotateQuery { LastRequests = LastRequests }));
        Console.Error.WriteLine($"tracing: annotate all {Median(all):F1} ms, last {LastRequests} requests {Median(recent):F2} ms");
        return new AnnotateResult(stored, runs, Median(all), [.. all], LastRequests, Median(recent), [.. recent]);
    }

    static List<double> Time(int runs, Func<AnnotateTable> annotate)
    {
        annotate(); // first call pays JIT and cold caches: not part of the median
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            annotate();
            times.Add(Math.Round(watch.Elapsed.TotalMilliseconds, 3));
        }

        return times;
    }

    static double Median(List<double> values) => Shared.Distribution.Percentile([.. values.Order()], 0.5);
}

/// <summary>Annotate latency in milliseconds: medians and every run.</summary>
sealed record AnnotateResult(
    long StoredSpans,
    int Runs,
    double AllSpansMedianMs,
    IReadOnlyList<double> AllSpansMs,
    int LastRequests,
    double LastRequestsMedianMs,
    IReadOnlyList<double> LastRequestsMs);
