using Dnet.Contracts.Tracing;
using Dnet.Testing;
using StackExchange.Redis;

namespace Dnet.Tracing.Tests;

/// <summary>What the exporters wrote to <see cref="SpanStream.Key"/> in a test's redis-server, read as analytics reads it.</summary>
internal static class SpanStreamReading
{
    /// <summary>Every batch in <see cref="SpanStream.Key"/>, oldest first.</summary>
    public static async Task<IReadOnlyList<SpanBatch>> ReadBatchesAsync(this RedisServer redis)
    {
        var entries = await (await redis.DatabaseAsync()).StreamRangeAsync(SpanStream.Key);
        return entries
            .Select(entry => SpanBatch.FromStreamFields(entry.Values.Select(field => new KeyValuePair<string, string>(field.Name!, field.Value!))))
            .ToList();
    }

    /// <summary>The byte length of each entry's <c>spans</c> field, oldest first: what the exporter's buffer counted.</summary>
    public static async Task<IReadOnlyList<long>> ReadSpansFieldLengthsAsync(this RedisServer redis)
    {
        var entries = await (await redis.DatabaseAsync()).StreamRangeAsync(SpanStream.Key);
        return [.. entries.Select(entry => ((byte[])entry.Values.Single(field => field.Name == SpanStream.SpansField).Value!).LongLength)];
    }

    /// <summary>Polls the stream until <paramref name="found"/> holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<IReadOnlyList<SpanBatch>> WaitForBatchesAsync(this RedisServer redis, Func<IReadOnlyList<SpanBatch>, bool> found, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            IReadOnlyList<SpanBatch> batches;
            try
            {
                batches = await redis.ReadBatchesAsync();
            }
            catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
            {
                // The test's own client reconnects after a restart like any other.
                batches = [];
            }

            if (found(batches) || DateTime.UtcNow > deadline)
            {
                return batches;
            }

            await Task.Delay(20);
        }
    }
}
