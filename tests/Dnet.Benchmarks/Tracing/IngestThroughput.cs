using System.Diagnostics;
using System.Text.Json;
using Dnet.Contracts.Tracing;
using StackExchange.Redis;

namespace Dnet.Benchmarks.Tracing;

/// <summary>
/// Spans/s the analytics service stores: synthetic batches written to the span stream in the exact wire format
/// (<see cref="SpanBatch.ToStreamFields"/>), timed from the first XADD until <c>GET /analytics/status</c> counts them all stored.
/// </summary>
static class IngestThroughput
{
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<IngestResult> RunAsync(string redisConnection, HttpClient analytics, int batches, int spansPerBatch, CancellationToken cancellationToken)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(redisConnection);
        var stream = redis.GetDatabase();
        // Fields built before the clock starts: the producer's JSON cost is not the consumer's throughput.
        string run = Guid.NewGuid().ToString("n");
        var entries = Enumerable.Range(0, batches)
            .Select(b => Batch(run, b, spansPerBatch).ToStreamFields().Select(f => new NameValueEntry(f.Key, f.Value)).ToArray())
            .ToList();
        long before = await StoredAsync(analytics, cancellationToken);
        long target = before + ((long)batches * spansPerBatch);

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(entries.Select(fields => stream.StreamAddAsync(SpanStream.Key, fields)));
        double written = clock.Elapsed.TotalSeconds;
        long stored = before;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        while ((stored = await StoredAsync(analytics, limit.Token)) < target)
        {
            await Task.Delay(PollInterval, limit.Token);
        }

        double elapsed = clock.Elapsed.TotalSeconds;
        long count = stored - before;
        Console.Error.WriteLine($"tracing: ingest of {count} spans took {elapsed:F2} s ({count / elapsed:F0} spans/s); XADD done after {written:F2} s");
        return new IngestResult(batches, spansPerBatch, count, Math.Round(written, 3), Math.Round(elapsed, 3), Math.Round(count / elapsed, 0));
    }

    static async Task<long> StoredAsync(HttpClient analytics, CancellationToken cancellationToken)
    {
        using var status = JsonDocument.Parse(await analytics.GetStringAsync("/analytics/status", cancellationToken));
        return status.RootElement.GetProperty("store").GetProperty("stored").GetInt64();
    }

    /// <summary>One synthetic request per batch: a gateway root and its frames, ids unique to this run so none is a duplicate.</summary>
    static SpanBatch Batch(string run, int index, int spans)
    {
        string trace = $"{run[..16]}{index:x16}";
        string root = $"{index:x8}00000000";
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        string requestId = $"chatcmpl-bench-{run[..8]}-{index}";
        var frames = new List<ExportedSpan>(spans)
        {
            Frame(trace, root, null, $"{FrameNames.ChatPrefix}bench", start, spans * 1_000_000L, new()
            {
                [SpanAttributes.RequestId] = requestId,
                [SpanAttributes.OperationName] = SpanAttributes.ChatOperation,
            }),
        };
        for (int i = 1; i < spans; i++)
        {
            var name = (i % 3) switch { 0 => "compute.forward", 1 => "network.tx", _ => FrameNames.RequestToken };
            frames.Add(Frame(trace, $"{index:x8}{i:x8}", root, name, start + (i * 1_000_000L), 900_000, new()
            {
                [SpanAttributes.RequestId] = requestId,
                [SpanAttributes.Bytes] = 8192L,
            }));
        }

        return new SpanBatch
        {
            Node = "bench",
            Service = "Dnet.Benchmarks",
            Instance = run,
            Seq = index + 1,
            Dropped = 0,
            Spans = frames,
        };
    }

    static ExportedSpan Frame(string trace, string id, string? parent, string name, long start, long duration, Dictionary<string, object?> attributes) => new()
    {
        TraceId = trace,
        SpanId = id,
        ParentSpanId = parent,
        Name = name,
        StartUnixNs = start,
        DurationNs = duration,
        Attributes = attributes,
    };
}

/// <summary>Analytics ingest: spans stored per second from the first XADD until all were counted stored.</summary>
sealed record IngestResult(int Batches, int SpansPerBatch, long SpansStored, double XaddSeconds, double ElapsedSeconds, double SpansPerS);
