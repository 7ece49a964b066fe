using Dnet.Contracts.Tracing;
using StackExchange.Redis;

namespace Dnet.Analytics.Tests;

/// <summary>A span stream of its own for one test, written in the exact wire format by <see cref="SpanBatch.ToStreamFields"/>.</summary>
internal sealed class TestStream(IDatabase database, string? key = null, TestStream? continued = null)
{
    public const string Group = "analytics";
    public const string Consumer = "analytics-1";

    // A stream written through a new connection (after a Redis restart) goes on numbering where the old writer stopped.
    private readonly Dictionary<string, long> sequences = continued is null ? [] : new(continued.sequences);

    public string Key { get; } = key ?? $"dnet:spans:test:{Guid.NewGuid():n}";

    public IDatabase Database => database;

    public Task<RedisValue> AddAsync(SpanBatch batch) =>
        database.StreamAddAsync(Key, [.. batch.ToStreamFields().Select(f => new NameValueEntry(f.Key, f.Value))]);

    /// <summary>Adds the next batch of <paramref name="node"/> (sequence numbers from 1, one instance per node).</summary>
    public Task<RedisValue> AddAsync(string node, IReadOnlyList<ExportedSpan> spans, long dropped = 0) =>
        AddAsync(Batch(node, spans, dropped));

    public SpanBatch Batch(string node, IReadOnlyList<ExportedSpan> spans, long dropped = 0)
    {
        var seq = sequences[node] = sequences.GetValueOrDefault(node) + 1;
        return new SpanBatch
        {
            Node = node,
            Service = node == "gateway" ? "Dnet.Gateway" : "Dnet.Shard",
            Instance = $"{node}-instance",
            Seq = seq,
            Dropped = dropped,
            Spans = spans,
        };
    }

    public Task<RedisValue> AddRawAsync(params NameValueEntry[] fields) => database.StreamAddAsync(Key, fields);

    public async Task<long> PendingAsync() => (await database.StreamPendingAsync(Key, Group)).PendingMessageCount;
}
