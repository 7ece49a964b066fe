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
/// No write can stop delivery: each one has a deadline of its own (the client's timeout is only checked on its
/// heartbeat, and a write it never completes would hold the one delivery loop for good), and an exception the client
/// does not document fails the write like an outage would, instead of ending the loop.
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
    private readonly TimeSpan deadline = TimeSpan.FromMilliseconds(options.Value.RedisTimeoutMilliseconds) + DeadlineMargin;

    /// <summary>How far past the client's own timeout a write may run before it counts as failed.</summary>
    public static TimeSpan DeadlineMargin { get; } = TimeSpan.FromSeconds(2);

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
                .WaitAsync(deadline)
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
        catch (Exception exception)
        {
            // Not a failure the client documents, and the batch is not confirmed either: it stays and is tried again.
            counters.WriteFailed(exception.Message, clock.GetUtcNow());
            LogUnexpected(exception);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A span stream write failed unexpectedly; its batch is held and tried again")]
    private partial void LogUnexpected(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Span stream unavailable; holding span batches (up to {CapacityBytes} bytes) until Redis answers")]
    private partial void LogUnavailable(Exception exception, long capacityBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Span stream delivery resumed after {Outage}; {Buffered} spans still held, {Dropped} dropped so far")]
    private partial void LogResumed(TimeSpan outage, long buffered, long dropped);
}
