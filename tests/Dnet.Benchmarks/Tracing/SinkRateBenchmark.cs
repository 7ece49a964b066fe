using System.Diagnostics;
using Aspire.Hosting.Testing;
using Dnet.Benchmarks.Shared;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Tracing;
using StackExchange.Redis;

namespace Dnet.Benchmarks.Tracing;

/// <summary>
/// What a busy node writes to the span stream per second, which sizes the exporter's outage buffer: a 2-shard cluster
/// kept busy with <c>--concurrency</c> streaming requests in flight for <c>--seconds</c>; per node, the bytes of the
/// <c>spans</c> fields of its stream entries in that window (what its buffer counts), spans/s, bytes per span, and how
/// many seconds of that rate the default buffer holds. Options: <c>--model</c> (default <c>dnet-tiny</c>, the fastest
/// model, so the most spans per second), <c>--concurrency N</c>, <c>--seconds N</c>, <c>--max-tokens N</c>.
/// </summary>
static class SinkRateBenchmark
{
    const int Shards = 2;

    public static object Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    static async Task<object> RunAsync(string[] args)
    {
        string model = BenchOptions.String(args, "--model", "dnet-tiny");
        int concurrency = BenchOptions.Int(args, "--concurrency", 16);
        var window = TimeSpan.FromSeconds(BenchOptions.Int(args, "--seconds", 20));
        var load = new ChatLoad(model, ChatLoad.DefaultPrompt, BenchOptions.Int(args, "--max-tokens", 64));
        string? loadAtStart = BenchOptions.LoadAverage();

        await using var cluster = await BenchCluster.StartAsync(Shards, model, BenchOptions.ApiKey(args), CancellationToken.None);
        await ChatStream.SendAsync(cluster.Gateway, load, seed: 0, CancellationToken.None);
        string connection = await cluster.App.GetConnectionStringAsync("redis")
            ?? throw new InvalidOperationException("The cluster has no redis connection string.");
        using var redis = await ConnectionMultiplexer.ConnectAsync(connection);
        var stream = redis.GetDatabase();
        await Task.Delay(TimeSpan.FromSeconds(1));
        string after = (await stream.StreamRangeAsync(SpanStream.Key, "-", "+", 1, Order.Descending)) is [var lastEntry] ? lastEntry.Id! : "0-0";

        Console.Error.WriteLine($"sink: {concurrency} requests in flight for {window.TotalSeconds} s");
        var clock = Stopwatch.StartNew();
        var tokens = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => BusyAsync(cluster.Gateway, load, worker, window)));
        double seconds = clock.Elapsed.TotalSeconds;
        // The last batches leave within a flush interval.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var nodes = new Dictionary<string, (long Bytes, long Spans, long Entries)>(StringComparer.Ordinal);
        while (true)
        {
            var page = await stream.StreamRangeAsync(SpanStream.Key, $"({after}", "+", 500);
            if (page.Length == 0)
            {
                break;
            }

            foreach (var entry in page)
            {
                var fields = entry.Values.Select(v => new KeyValuePair<string, string>(v.Name!, v.Value!)).ToList();
                var batch = SpanBatch.FromStreamFields(fields);
                long bytes = ((byte[])entry.Values.Single(v => v.Name == SpanStream.SpansField).Value!).LongLength;
                var sum = nodes.GetValueOrDefault(batch.Node);
                nodes[batch.Node] = (sum.Bytes + bytes, sum.Spans + batch.Spans.Count, sum.Entries + 1);
            }

            after = page[^1].Id!;
        }

        var perNode = nodes.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => new NodeRate(
            n.Key,
            n.Value.Spans,
            n.Value.Entries,
            Math.Round(n.Value.Spans / seconds, 0),
            Math.Round(n.Value.Bytes / seconds, 0),
            n.Value.Spans == 0 ? 0 : Math.Round((double)n.Value.Bytes / n.Value.Spans, 1))).ToList();
        double busiest = perNode.Max(n => n.BytesPerS);
        double bufferSeconds = Math.Round(TracingOptions.DefaultBufferCapacityBytes / busiest, 0);
        foreach (var node in perNode)
        {
            Console.Error.WriteLine($"sink: {node.Node}: {node.SpansPerS} spans/s, {node.BytesPerS} B/s, {node.BytesPerSpan} B/span");
        }

        Console.Error.WriteLine($"sink: the default buffer ({TracingOptions.DefaultBufferCapacityBytes} B) holds {bufferSeconds} s of the busiest node");
        return new
        {
            Benchmark = "sink",
            Model = model,
            Shards,
            Concurrency = concurrency,
            Seconds = Math.Round(seconds, 1),
            OutputTokensPerS = Math.Round(tokens.Sum() / seconds, 1),
            Cores = Environment.ProcessorCount,
            LoadAverageAtStart = loadAtStart,
            LoadAverageAtEnd = BenchOptions.LoadAverage(),
            Nodes = perNode,
            BusiestNodeBytesPerS = busiest,
            DefaultBufferBytes = TracingOptions.DefaultBufferCapacityBytes,
            DefaultBufferHoldsSeconds = bufferSeconds,
        };
    }

    /// <summary>One client sending requests back to back until the window closes; returns the output tokens it got.</summary>
    static async Task<long> BusyAsync(HttpClient gateway, ChatLoad load, int worker, TimeSpan window)
    {
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        for (int i = 0; clock.Elapsed < window; i++)
        {
            tokens += (await ChatStream.SendAsync(gateway, load, seed: (worker * 100_000) + i, CancellationToken.None)).OutputTokens;
        }

        return tokens;
    }

    /// <summary>One node's rate into the span stream over the window.</summary>
    sealed record NodeRate(string Node, long Spans, long Entries, double SpansPerS, double BytesPerS, double BytesPerSpan);
}
