using Dnet.Contracts.Tracing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Writes one encoded batch as one entry of <see cref="SpanStream.Key"/>, stamped with the exporter's counters as they
/// are at that moment. A failed write is reported, not retried here: the batch stays at the head of the buffer.
/// </summary>
/// <remarks>
/// A timed-out write may still have reached Redis; writing it again then leaves two entries with the same sequence
/// number, which analytics counts once (its ledger keys batches by instance and sequence, its store spans by id).
/// </remarks>
internal sealed partial class SpanStreamWriter(
    TraceRedisConnection redis,
    SpanExportCounters counters,
    SpanBatchBuffer buffer,
    NodeIdentity node,
    IOptions<TracingOptions> options,
    TimeProvider clock,
    ILogger<SpanStreamWriter> logger)
{
    private readonly long maxLength = options.Value.StreamMaxLength;

    public async Task<bool> WriteAsync(EncodedBatch batch)
    {
        try
        {
            var connection = await redis.GetAsync().ConfigureAwait(false);
            if (!connection.IsConnected)
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected");
            }

            var (dropped, exported, buffered) = counters.Stamp(batch.SpanCount);
            var header = SpanBatch.HeaderFields(node.Node, node.Service, node.Instance, batch.Seq, dropped, exported, buffered);
            var fields = new NameValueEntry[header.Count + 1];
            for (var i = 0; i < header.Count; i++)
            {
                fields[i] = new NameValueEntry(header[i].Key, header[i].Value);
            }

            fields[^1] = new NameValueEntry(SpanStream.SpansField, batch.Spans);
            await connection.GetDatabase()
                .StreamAddAsync(SpanStream.Key, fields, maxLength: maxLength, useApproximateMaxLength: true)
                .ConfigureAwait(false);

            var outageStart = counters.Failing.Since;
            counters.Written(batch.SpanCount);
            if (outageStart is { } since)
            {
                LogResumed(clock.GetUtcNow() - since, buffered, dropped);
            }

            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            if (counters.WriteFailed(exception.Message, clock.GetUtcNow()))
            {
                // One warning per outage, not one per attempt.
                LogUnavailable(exception, buffer.CapacityBytes);
            }

            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Span stream unavailable; holding span batches (up to {CapacityBytes} bytes) until Redis answers")]
    private partial void LogUnavailable(Exception exception, long capacityBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Span stream delivery resumed after {Outage}; {Buffered} spans still held, {Dropped} dropped so far")]
    private partial void LogResumed(TimeSpan outage, long buffered, long dropped);
}
